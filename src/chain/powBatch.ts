import { SpvError } from '../errors/spvError.js';
import { HEADER_SIZE } from './header.js';
import { headerHasher } from './headerHasher.js';
import type { TargetInfo } from './pow.js';
import { TargetCache, hashMeetsTargetAt } from './pow.js';

export interface PowBatchResult {
  readonly hashes: Uint8Array;
  readonly failures: ReadonlyArray<{ readonly index: number; readonly error: SpvError }>;
}

const caches = new Map<bigint, TargetCache>();

/**
 * Context-free check of a batch (Core: CheckBlockHeader -> CheckProofOfWork): each header's hash, and
 * whether its compact target is usable and met. One call per batch keeps thread hops off the per-header path;
 * a bad header is reported by index and never fails the rest of the batch.
 * All hashes come from one batched sha256d call (headerHasher.ts); the target test reads them in place.
 */
export function verifyPowBatch(headers: Uint8Array, powLimit: bigint): PowBatchResult {
  if (headers.length % HEADER_SIZE !== 0) {
    throw new SpvError('HEADER_BAD_LENGTH', 'a header batch must be a multiple of 80 bytes', { length: headers.length });
  }
  let cache = caches.get(powLimit);
  if (cache === undefined) {
    cache = new TargetCache(powLimit);
    caches.set(powLimit, cache);
  }
  const n = headers.length / HEADER_SIZE;
  const hashes = new Uint8Array(n * 32);
  headerHasher().hashHeaders(headers, hashes);
  const words = new Uint32Array(hashes.buffer, 0, n * 8);
  const failures: { index: number; error: SpvError }[] = [];
  // Bits change at most once per retarget period, so the last lookup almost always answers.
  let lastBits = -1;
  let last: TargetInfo | SpvError | null = null;
  for (let i = 0; i < n; i++) {
    const o = i * HEADER_SIZE + 72;
    const bits = (headers[o]! | (headers[o + 1]! << 8) | (headers[o + 2]! << 16) | (headers[o + 3]! << 24)) >>> 0;
    if (bits !== lastBits || last === null) {
      last = cache.get(bits);
      lastBits = bits;
    }
    if (last instanceof SpvError) failures.push({ index: i, error: last });
    else if (!hashMeetsTargetAt(words, i * 8, last)) {
      failures.push({ index: i, error: new SpvError('HEADER_BAD_POW', 'block hash is above the target', { bits }) });
    }
  }
  return { hashes, failures };
}
