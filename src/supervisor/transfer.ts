import { transfer } from 'comlink/dist/esm/comlink.mjs';

/** Hands `bytes` to another thread without copying (the sender loses access). */
export function transferBytes(bytes: Uint8Array): Uint8Array {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
  return transfer(own, [own.buffer as ArrayBuffer]);
}
