// Pow pool task (piscina): hash a header batch and check PoW, per-item results.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { headerHasher } from '../src/chain/headerHasher.js';
import { verifyPowBatch } from '../src/chain/powBatch.js';
import { serializeError } from '../src/protocol/errors.js';
import type { PowTask, PowTaskOk, PowTaskResult } from '../src/protocol/pow.js';

// Emit and compile this thread's wasm sha256d module now, while the pool starts, not on the first batch.
headerHasher();

/**
 * The answer with the batch's headers and hashes MOVED back to the chain worker, not copied: a copy per batch
 * (160 KB + 64 KB at 2000 headers) was garbage that the chain worker freed only at its next major GC, and the
 * allocator kept that memory (scripts/bench-import.ts peak RSS).
 */
function moved(result: PowTaskOk): PowTaskResult {
  // piscina's Transferable: the value to deliver, and the buffers to transfer with it (unwrapped on arrival).
  const transferable = { [transferableSymbol]: [result.headers.buffer, result.hashes.buffer], [valueSymbol]: result };
  return move(transferable) as unknown as PowTaskResult;
}

export default function powTask(task: PowTask): PowTaskResult {
  try {
    const r = verifyPowBatch(task.headers, task.powLimit);
    return moved({
      ok: true,
      headers: task.headers,
      hashes: r.hashes,
      failures: r.failures.map((f) => ({ index: f.index, error: serializeError(f.error) })),
    });
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}
