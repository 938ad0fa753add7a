import { createHash } from 'node:crypto';
import { SpvError } from '../errors/spvError.js';
import { INITIAL_PAGES, emitSha256dModule } from './sha256Wasm.js';

const HEADER_SIZE = 80;

/** sha256d of consecutive 80-byte headers, many per call. */
export interface HeaderHasher {
  readonly kind: 'wasm-simd' | 'node-crypto';
  /**
   * Writes the 32-byte hash (internal byte order) of header i of `headers` (N x 80 bytes) at `out[i * 32]`;
   * `out` must hold N x 32 bytes.
   */
  hashHeaders(headers: Uint8Array, out: Uint8Array): void;
}

function checkSizes(headers: Uint8Array, out: Uint8Array): number {
  if (headers.length % HEADER_SIZE !== 0) {
    throw new SpvError('HEADER_BAD_LENGTH', 'a header batch must be a multiple of 80 bytes', { length: headers.length });
  }
  const n = headers.length / HEADER_SIZE;
  if (out.length < n * 32) throw new RangeError('the output cannot hold a hash per header');
  return n;
}

/** The portable path: one node:crypto digest pair per header. */
export function cryptoHeaderHasher(): HeaderHasher {
  return {
    kind: 'node-crypto',
    hashHeaders(headers, out) {
      const n = checkSizes(headers, out);
      for (let i = 0; i < n; i++) {
        const first = createHash('sha256').update(headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE)).digest();
        out.set(createHash('sha256').update(first).digest(), i * 32);
      }
    },
  };
}

/** Headers copied into wasm memory per call: 4096 x (80 + 32) bytes fits the initial 512 KiB. */
const CHUNK = 4096;

interface Sha256dExports {
  readonly mem: { readonly buffer: ArrayBuffer };
  readonly sha256d80: (inPtr: number, outPtr: number, groups: number) => void;
}

/** The part of the WebAssembly JS API used here (the project's lib settings do not include its types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

function wasmApi(): WasmApi | null {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}

/**
 * The SIMD128 module (sha256Wasm.ts), or null where WebAssembly SIMD is not available (the module does
 * not validate). One instance per thread; calls are synchronous, so it is never re-entered.
 */
export function wasmHeaderHasher(): HeaderHasher | null {
  const wasm = wasmApi();
  if (wasm === null) return null;
  const bytes = emitSha256dModule();
  if (!wasm.validate(bytes)) return null;
  const instance = new wasm.Instance(new wasm.Module(bytes), {});
  const ex = instance.exports as unknown as Sha256dExports;
  if (ex.mem.buffer.byteLength < INITIAL_PAGES * 65536) throw new RangeError('wasm memory is smaller than declared');
  const inPtr = 0;
  const outPtr = CHUNK * HEADER_SIZE;
  // The memory never grows (fixed chunk), so this view stays valid.
  const mem = new Uint8Array(ex.mem.buffer);
  const fn = ex.sha256d80;
  return {
    kind: 'wasm-simd',
    hashHeaders(headers, out) {
      const n = checkSizes(headers, out);
      for (let done = 0; done < n; done += CHUNK) {
        const count = Math.min(CHUNK, n - done);
        mem.set(headers.subarray(done * HEADER_SIZE, (done + count) * HEADER_SIZE), inPtr);
        // A tail of 1-3 headers is hashed with whatever bytes follow it in memory; those digests are dropped.
        fn(inPtr, outPtr, (count + 3) >>> 2);
        out.set(mem.subarray(outPtr, outPtr + count * 32), done * 32);
      }
    },
  };
}

let shared: HeaderHasher | null = null;

/** This thread's fastest available hasher (wasm SIMD, else node:crypto). */
export function headerHasher(): HeaderHasher {
  if (shared === null) shared = wasmHeaderHasher() ?? cryptoHeaderHasher();
  return shared;
}

/** sha256d of each 80-byte header of `headers`, N x 32 bytes. */
export function hashHeaders(headers: Uint8Array): Uint8Array {
  const out = new Uint8Array((headers.length / HEADER_SIZE) * 32);
  headerHasher().hashHeaders(headers, out);
  return out;
}
