import { SpvError } from '../errors/spvError.js';
import { hashToHex } from '../util/bytes.js';
import type { AncestorView } from './ancestors.js';
import { medianTimePast } from './ancestors.js';
import { requiredBits } from './difficulty.js';
import type { ChainParams } from './params.js';
import { MAX_FUTURE_BLOCK_TIME, MAX_TIMEWARP, MEDIAN_TIME_SPAN, RETARGET_INTERVAL } from './params.js';

/** The header fields the contextual rules look at. */
export interface ContextHeader {
  readonly version: number;
  readonly time: number;
  readonly bits: number;
  /** Internal byte order; shown as display hex only in errors and checkpoint checks (not per header). */
  readonly hash: Uint8Array;
}

/**
 * The median time past of the 11 headers ending at `parent`, or a lower bound of it when the window reaches
 * below a start anchor (the headers under it are unknown, so a truncated median could be too high and
 * reject a valid header: real block 588673 is older than its parent 588672). With k < 11 known times the
 * true median is at least the (k - 5)th smallest known one; below k = 6 nothing is known (null).
 * From genesis (floor 0) fewer than 11 headers really exist, so Core's short median applies as is.
 */
function medianTimePastBound(view: AncestorView, parent: number): number | null {
  const known = parent - view.floorHeight + 1;
  if (view.floorHeight === 0 || known >= MEDIAN_TIME_SPAN) return medianTimePast(view, parent);
  if (known < 6) return null;
  const times: number[] = [];
  for (let h = view.floorHeight; h <= parent; h++) times.push(view.timeAt(h));
  times.sort((a, b) => a - b);
  return times[known - 6]!;
}

/**
 * Core: ContextualCheckBlockHeader (src/validation.cpp), in Core's order:
 * bad-diffbits, checkpoint, time-too-old (MTP), time-timewarp-attack (BIP94), time-too-new, bad-version.
 * `height` is the new header's height; `view` holds its ancestors up to height - 1.
 * Throws SpvError with the rule's code.
 */
export function checkContextual(
  params: ChainParams,
  h: ContextHeader,
  height: number,
  view: AncestorView,
  nowSeconds: number,
): void {
  const expected = requiredBits(params, view, height, h.time);
  if (h.bits !== expected) {
    throw new SpvError('HEADER_BAD_DIFFBITS', 'bits do not match the required difficulty', {
      height,
      hashHex: hashToHex(h.hash),
      bits: h.bits,
      expected,
    });
  }

  const checkpoint = params.checkpoints.get(height);
  if (checkpoint !== undefined && checkpoint !== hashToHex(h.hash)) {
    throw new SpvError('HEADER_CHECKPOINT_MISMATCH', 'header does not match the checkpoint', {
      height,
      hashHex: hashToHex(h.hash),
      expected: checkpoint,
    });
  }

  const parent = height - 1;
  const mtp = medianTimePastBound(view, parent);
  if (mtp !== null && h.time <= mtp) {
    throw new SpvError('HEADER_TIME_TOO_OLD', 'time is not after the median of the previous 11', {
      height,
      hashHex: hashToHex(h.hash),
      time: h.time,
      medianTimePast: mtp,
    });
  }

  // BIP94: the first block of a period may not be more than 600 s before its parent.
  if (params.enforceBip94 && height % RETARGET_INTERVAL === 0 && h.time < view.timeAt(parent) - MAX_TIMEWARP) {
    throw new SpvError('HEADER_TIMEWARP', 'time is too far before the parent at a retarget (BIP94)', {
      height,
      hashHex: hashToHex(h.hash),
      time: h.time,
      parentTime: view.timeAt(parent),
    });
  }

  // Not permanently invalid: the same header may be accepted once the clock has moved on.
  if (h.time > nowSeconds + MAX_FUTURE_BLOCK_TIME) {
    throw new SpvError('HEADER_TIME_TOO_NEW', 'time is more than 2 hours in the future', {
      height,
      hashHex: hashToHex(h.hash),
      time: h.time,
      now: nowSeconds,
    });
  }

  // Before BIP34 Core has no floor at all: any int32 version, 0 and negative ones included, is valid.
  const minVersion =
    height >= params.bip65Height ? 4 : height >= params.bip66Height ? 3 : height >= params.bip34Height ? 2 : null;
  if (minVersion !== null && h.version < minVersion) {
    throw new SpvError('HEADER_BAD_VERSION', 'version below the floor for this height', {
      height,
      hashHex: hashToHex(h.hash),
      version: h.version,
      minVersion,
    });
  }
}
