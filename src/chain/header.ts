import { SpvError } from '../errors/spvError.js';
import { hashToHex } from '../util/bytes.js';
import { sha256d } from './hash.js';

/** Serialized size of a block header (Core: CBlockHeader). */
export const HEADER_SIZE = 80;

/** A parsed 80-byte block header. Hashes are internal byte order. */
export interface BlockHeader {
  readonly version: number; // int32
  readonly prevHash: Uint8Array; // 32
  readonly merkleRoot: Uint8Array; // 32
  readonly time: number; // uint32 unix seconds
  readonly bits: number; // uint32 compact target
  readonly nonce: number; // uint32
}

export function parseHeader(raw: Uint8Array): BlockHeader {
  if (raw.length !== HEADER_SIZE) {
    throw new SpvError('HEADER_BAD_LENGTH', 'block header must be 80 bytes', { length: raw.length });
  }
  const v = new DataView(raw.buffer, raw.byteOffset, HEADER_SIZE);
  return {
    version: v.getInt32(0, true),
    prevHash: raw.slice(4, 36),
    merkleRoot: raw.slice(36, 68),
    time: v.getUint32(68, true),
    bits: v.getUint32(72, true),
    nonce: v.getUint32(76, true),
  };
}

export function serializeHeader(h: BlockHeader): Uint8Array {
  const raw = new Uint8Array(HEADER_SIZE);
  const v = new DataView(raw.buffer);
  v.setInt32(0, h.version | 0, true);
  raw.set(h.prevHash, 4);
  raw.set(h.merkleRoot, 36);
  v.setUint32(68, h.time >>> 0, true);
  v.setUint32(72, h.bits >>> 0, true);
  v.setUint32(76, h.nonce >>> 0, true);
  return raw;
}

/** Fast field readers on a raw header (or a header inside a larger buffer) without parsing it all. */
export function headerTime(raw: Uint8Array, offset = 0): number {
  return (raw[offset + 68]! | (raw[offset + 69]! << 8) | (raw[offset + 70]! << 16) | (raw[offset + 71]! << 24)) >>> 0;
}

export function headerBits(raw: Uint8Array, offset = 0): number {
  return (raw[offset + 72]! | (raw[offset + 73]! << 8) | (raw[offset + 74]! << 16) | (raw[offset + 75]! << 24)) >>> 0;
}

export function headerVersion(raw: Uint8Array, offset = 0): number {
  return raw[offset]! | (raw[offset + 1]! << 8) | (raw[offset + 2]! << 16) | (raw[offset + 3]! << 24);
}

/** Block hash (internal order) = sha256d of the 80 header bytes. */
export function headerHash(raw: Uint8Array): Uint8Array {
  return sha256d(raw.length === HEADER_SIZE ? raw : raw.subarray(0, HEADER_SIZE));
}

export function headerHashHex(raw: Uint8Array): string {
  return hashToHex(headerHash(raw));
}
