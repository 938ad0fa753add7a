import { SpvError } from '../errors/spvError.js';
import { HEADER_SIZE } from './header.js';
import { sha256d } from './hash.js';
import { TargetCache, hashMeetsTarget } from './pow.js';

export interface PowBatchResult {
  readonly hashes: Uint8Array;
  readonly failures: ReadonlyArray<{ readonly index: number; readonly error: SpvError }>;
}

const caches = new Map<bigint, TargetCache>();

/**
 * Context-free check of a batch (Core: CheckBlockHeader -> CheckProofOfWork): each header's hash, and
 * whether its compact target is usable and met. One call per batch keeps thread hops off the per-header path;
 * a bad header is reported by index and never fails the rest of the batch.
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
  const failures: { index: number; error: SpvError }[] = [];
  const dv = new DataView(headers.buffer, headers.byteOffset, headers.byteLength);
  for (let i = 0; i < n; i++) {
    const hash = sha256d(headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE));
    hashes.set(hash, i * 32);
    const bits = dv.getUint32(i * HEADER_SIZE + 72, true);
    const t = cache.get(bits);
    if (t instanceof SpvError) failures.push({ index: i, error: t });
    else if (!hashMeetsTarget(hash, t.targetBE)) {
      failures.push({ index: i, error: new SpvError('HEADER_BAD_POW', 'block hash is above the target', { bits }) });
    }
  }
  return { hashes, failures };
}
