import { verifyPowBatch } from '../chain/powBatch.js';
import type { SpvError } from '../errors/spvError.js';

/** Hashes plus context-free verdicts for a header batch. */
export interface VerifiedBatch {
  /** The same headers (they may have travelled to another thread and back). */
  readonly headers: Uint8Array;
  readonly hashes: Uint8Array;
  readonly failures: ReadonlyMap<number, SpvError>;
}

/** Where header batches are hashed and PoW-checked: the piscina pool, or this thread. */
export interface PowVerifier {
  /** Batches it can hash at the same time (pool threads; 1 in the calling thread). */
  readonly threads: number;
  verify(headers: Uint8Array, powLimit: bigint): Promise<VerifiedBatch>;
  close(): Promise<void>;
}

/** Checks in the calling thread (tests, `--gomaxprocs 0`). */
export function inThreadPowVerifier(): PowVerifier {
  return {
    threads: 1,
    verify: async (headers, powLimit) => {
      const r = verifyPowBatch(headers, powLimit);
      return { headers, hashes: r.hashes, failures: new Map(r.failures.map((f) => [f.index, f.error])) };
    },
    close: async () => undefined,
  };
}
