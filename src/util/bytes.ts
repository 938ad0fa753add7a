/**
 * Byte helpers over Uint8Array. Conventions (architecture §6): `hash` is internal byte order,
 * `hashHex` is display order (reversed), never mixed.
 */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict hex decoding: returns null on odd length or non-hex characters (Buffer.from silently truncates). */
export function fromHexOrNull(hex: string): Uint8Array | null {
  if (!HEX_RE.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function fromHex(hex: string): Uint8Array {
  const out = fromHexOrNull(hex);
  if (out === null) throw new TypeError('invalid hex string');
  return out;
}

export function reversed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!;
  return out;
}

/** Internal-order hash -> display hex. */
export function hashToHex(hash: Uint8Array): string {
  return toHex(reversed(hash));
}

/** Display hex -> internal-order hash; null unless exactly 64 hex characters. */
export function hexToHashOrNull(hashHex: string): Uint8Array | null {
  if (hashHex.length !== 64) return null;
  const b = fromHexOrNull(hashHex);
  return b === null ? null : reversed(b);
}

export function hexToHash(hashHex: string): Uint8Array {
  const h = hexToHashOrNull(hashHex);
  if (h === null) throw new TypeError('invalid 32-byte hash hex');
  return h;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A copy that owns its own ArrayBuffer (safe to transfer to another thread). */
export function ownedCopy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Unsigned 256-bit big-endian encoding of a non-negative bigint (chainwork, targets). */
export function bigintToBytes32(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('value out of 256-bit range');
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytes32ToBigint(bytes: Uint8Array): bigint {
  return BigInt('0x' + (toHex(bytes) || '0'));
}

/** A 32-byte little-endian hash as an unsigned integer (how PoW compares a hash with the target). */
export function hashToBigint(hash: Uint8Array): bigint {
  return BigInt('0x' + (hashToHex(hash) || '0'));
}
