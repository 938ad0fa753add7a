import { Piscina } from 'piscina';
import { deserializeError } from '../protocol/errors.js';
import type { PowTask, PowTaskResult } from '../protocol/pow.js';
import type { PowVerifier } from '../store/powVerifier.js';
import { workerUrl } from './workerPath.js';

/**
 * The pow pool: `threads` piscina workers hashing header batches. Piscina instances cannot be shared
 * between threads, so the pool belongs to the chain worker, the one consumer every header batch (from
 * the net worker or an import) passes through; it still runs on its own threads, off every event loop.
 */
export function createPowPool(threads: number): PowVerifier {
  const pool = new Piscina<PowTask, PowTaskResult>({
    filename: workerUrl('pow').href,
    // Threads start with the first batch, not with the process: a restart that only serves queries
    // (or waits for peers) does not boot `threads` isolates on cores the store load needs.
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Nothing reads piscina's run/wait-time histograms; they cost ~0.7 MB of native memory per pool.
    recordTiming: false,
    // A pow task allocates little besides the moved result buffers: the smallest young generation will do.
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
  });
  return {
    threads,
    async verify(headers, powLimit) {
      // Transfer needs a buffer of our own (a view into a larger buffer would move all of it).
      const own = headers.byteOffset === 0 && headers.byteLength === headers.buffer.byteLength ? headers : new Uint8Array(headers);
      const res = await pool.run({ headers: own, powLimit }, { transferList: [own.buffer as ArrayBuffer] });
      if (!res.ok) throw deserializeError(res.error);
      return {
        headers: res.headers,
        hashes: res.hashes,
        failures: new Map(res.failures.map((f) => [f.index, deserializeError(f.error)])),
      };
    },
    close: () => pool.destroy(),
  };
}
