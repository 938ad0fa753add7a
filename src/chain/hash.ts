import { createHash } from 'node:crypto';
import { ripemd160 } from '@noble/hashes/legacy';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Bitcoin's hash: SHA-256 twice. Block hashes, txids, merkle nodes and message checksums use it. */
export function sha256d(data: Uint8Array): Uint8Array {
  const first = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(first).digest());
}

/** HASH160 = RIPEMD-160(SHA-256(x)) (Core: CHash160): P2PKH key hashes and P2SH script hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
