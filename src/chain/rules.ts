import { SpvError } from '../errors/spvError.js';
import type { AncestorView } from './ancestors.js';
import { medianTimePast } from './ancestors.js';
import { requiredBits } from './difficulty.js';
import type { ChainParams } from './params.js';
import { MAX_FUTURE_BLOCK_TIME, MAX_TIMEWARP, RETARGET_INTERVAL } from './params.js';

/** The header fields the contextual rules look at. */
export interface ContextHeader {
  readonly version: number;
  readonly time: number;
  readonly bits: number;
  readonly hashHex: string;
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
      hashHex: h.hashHex,
      bits: h.bits,
      expected,
    });
  }

  const checkpoint = params.checkpoints.get(height);
  if (checkpoint !== undefined && checkpoint !== h.hashHex) {
    throw new SpvError('HEADER_CHECKPOINT_MISMATCH', 'header does not match the checkpoint', {
      height,
      hashHex: h.hashHex,
      expected: checkpoint,
    });
  }

  const parent = height - 1;
  const mtp = medianTimePast(view, parent);
  if (h.time <= mtp) {
    throw new SpvError('HEADER_TIME_TOO_OLD', 'time is not after the median of the previous 11', {
      height,
      hashHex: h.hashHex,
      time: h.time,
      medianTimePast: mtp,
    });
  }

  // BIP94: the first block of a period may not be more than 600 s before its parent.
  if (params.enforceBip94 && height % RETARGET_INTERVAL === 0 && h.time < view.timeAt(parent) - MAX_TIMEWARP) {
    throw new SpvError('HEADER_TIMEWARP', 'time is too far before the parent at a retarget (BIP94)', {
      height,
      hashHex: h.hashHex,
      time: h.time,
      parentTime: view.timeAt(parent),
    });
  }

  // Not permanently invalid: the same header may be accepted once the clock has moved on.
  if (h.time > nowSeconds + MAX_FUTURE_BLOCK_TIME) {
    throw new SpvError('HEADER_TIME_TOO_NEW', 'time is more than 2 hours in the future', {
      height,
      hashHex: h.hashHex,
      time: h.time,
      now: nowSeconds,
    });
  }

  const minVersion =
    height >= params.bip65Height ? 4 : height >= params.bip66Height ? 3 : height >= params.bip34Height ? 2 : 1;
  if (h.version < minVersion) {
    throw new SpvError('HEADER_BAD_VERSION', 'version below the floor for this height', {
      height,
      hashHex: h.hashHex,
      version: h.version,
      minVersion,
    });
  }
}
