import { InvariantError } from '../errors/spvError.js';
import type { AncestorView } from './ancestors.js';
import { decodeCompact, encodeCompact } from './compact.js';
import type { ChainParams } from './params.js';
import { RETARGET_INTERVAL, TARGET_SPACING, TARGET_TIMESPAN } from './params.js';

/**
 * Core: CalculateNextWorkRequired (src/pow.cpp). The span covers 2015 intervals (Core's off-by-one,
 * kept for consensus), is clamped to [1/4, 4] x 14 days, and the result is capped at powLimit and
 * compared in compact form (truncation included).
 * `oldBits` is the last block's bits, or under BIP94 the period's first block's bits.
 */
export function calculateNextBits(
  params: ChainParams,
  oldBits: number,
  firstTime: number,
  lastTime: number,
): number {
  if (params.powNoRetargeting) return oldBits;
  let span = lastTime - firstTime;
  if (span < TARGET_TIMESPAN / 4) span = TARGET_TIMESPAN / 4;
  if (span > TARGET_TIMESPAN * 4) span = TARGET_TIMESPAN * 4;
  let target = decodeCompact(oldBits).target;
  target = (target * BigInt(span)) / BigInt(TARGET_TIMESPAN);
  if (target > params.powLimit) target = params.powLimit;
  return encodeCompact(target);
}

/**
 * Walk-back results by view: the walk from parent p equals the walk from p - 1 whenever p is itself a
 * min-difficulty block inside a period, so consecutive headers on the same view cost O(1) instead of up to
 * 2015 steps each (testnet4 is ~90% min-difficulty blocks). Views only ever grow at the top, so a result
 * for a height stays true for that view.
 */
const walkMemo = new WeakMap<AncestorView, { height: number; bits: number }>();

function walkBackBits(params: ChainParams, view: AncestorView, parent: number): number {
  let h = parent;
  const memo = walkMemo.get(view);
  while (h > view.floorHeight && h % RETARGET_INTERVAL !== 0 && view.bitsAt(h) === params.powLimitBits) {
    if (memo !== undefined && memo.height === h - 1) {
      h = -1;
      break;
    }
    h--;
  }
  const bits = h === -1 ? memo!.bits : view.bitsAt(h);
  walkMemo.set(view, { height: parent, bits });
  return bits;
}

/**
 * Bits required of a header at `height` with time `time`, from its own ancestry.
 * Core: GetNextWorkRequired (src/pow.cpp), including the testnet 20-minute rule and its walk-back
 * (fPowAllowMinDifficultyBlocks) and BIP94's first-block base (enforce_BIP94).
 */
export function requiredBits(params: ChainParams, view: AncestorView, height: number, time: number): number {
  const parent = height - 1;
  if (parent < view.floorHeight) throw new InvariantError('required bits below the start point', { height });
  const parentBits = view.bitsAt(parent);

  if (height % RETARGET_INTERVAL !== 0) {
    if (params.powAllowMinDifficultyBlocks) {
      // A block more than 20 minutes after its parent may use the minimum difficulty.
      if (time > view.timeAt(parent) + TARGET_SPACING * 2) return params.powLimitBits;
      // Otherwise: the bits of the last block that is not min-difficulty or starts a period.
      return walkBackBits(params, view, parent);
    }
    return parentBits;
  }

  if (params.powNoRetargeting) return parentBits;
  const first = height - RETARGET_INTERVAL;
  if (first < view.floorHeight) {
    // Anchors sit on retarget heights, so the period's first block is always known.
    throw new InvariantError('retarget period starts below the start point', { height });
  }
  const oldBits = params.enforceBip94 ? view.bitsAt(first) : parentBits;
  return calculateNextBits(params, oldBits, view.timeAt(first), view.timeAt(parent));
}

/**
 * Core: PermittedDifficultyTransition (src/pow.cpp), used by headers presync: can `newBits` follow
 * `oldBits` at `height` at all, whatever the timestamps? Exposed for tests of the clamp limits.
 */
export function permittedDifficultyTransition(
  params: ChainParams,
  height: number,
  oldBits: number,
  newBits: number,
): boolean {
  if (params.powAllowMinDifficultyBlocks) return true;
  if (height % RETARGET_INTERVAL !== 0) return oldBits === newBits;
  const observed = decodeCompact(newBits).target;
  const largest = calculateNextBits(params, oldBits, 0, TARGET_TIMESPAN * 4);
  const smallest = calculateNextBits(params, oldBits, 0, TARGET_TIMESPAN / 4);
  return observed <= decodeCompact(largest).target && observed >= decodeCompact(smallest).target;
}
