// Pow pool task (piscina): hash a header batch and check PoW, per-item results.
import { headerHasher } from '../src/chain/headerHasher.js';
import { verifyPowBatch } from '../src/chain/powBatch.js';
import { serializeError } from '../src/protocol/errors.js';
import type { PowTask, PowTaskResult } from '../src/protocol/pow.js';

// Emit and compile this thread's wasm sha256d module now, while the pool starts, not on the first batch.
headerHasher();

export default function powTask(task: PowTask): PowTaskResult {
  try {
    const r = verifyPowBatch(task.headers, task.powLimit);
    return {
      ok: true,
      headers: task.headers,
      hashes: r.hashes,
      failures: r.failures.map((f) => ({ index: f.index, error: serializeError(f.error) })),
    };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}
