import { SpvError } from '../errors/spvError.js';
import { bigintToBytes32, bytes32ToBigint } from '../util/bytes.js';
import { readU32BE, u32BE } from './keys.js';

/** A stored header of any branch. */
export interface HeaderRecord {
  readonly header: Uint8Array; // 80 bytes
  readonly height: number;
  readonly chainwork: bigint;
}

export const HEADER_RECORD_SIZE = 116;

export function encodeHeaderRecord(r: HeaderRecord): Uint8Array {
  const out = new Uint8Array(HEADER_RECORD_SIZE);
  out.set(r.header, 0);
  out.set(u32BE(r.height), 80);
  out.set(bigintToBytes32(r.chainwork), 84);
  return out;
}

export function decodeHeaderRecord(v: Uint8Array): HeaderRecord {
  if (v.length !== HEADER_RECORD_SIZE) {
    throw new SpvError('STORE_CORRUPT', 'header record has the wrong size', { length: v.length });
  }
  // Copy into a plain Uint8Array: level hands back Buffers, and callers compare and transfer these bytes.
  return { header: new Uint8Array(v.subarray(0, 80)), height: readU32BE(v, 80), chainwork: bytes32ToBigint(v.subarray(84, 116)) };
}

/** A best-chain index entry: what start-up needs to rebuild the in-memory chain without reading headers. */
export interface IndexEntry {
  readonly hash: Uint8Array;
  readonly time: number;
  readonly bits: number;
}

export const INDEX_ENTRY_SIZE = 40;

export function encodeIndexEntry(hash: Uint8Array, time: number, bits: number): Uint8Array {
  const out = new Uint8Array(INDEX_ENTRY_SIZE);
  out.set(hash, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(32, time, true);
  dv.setUint32(36, bits, true);
  return out;
}

export function decodeIndexEntry(v: Uint8Array): IndexEntry {
  if (v.length !== INDEX_ENTRY_SIZE) {
    throw new SpvError('STORE_CORRUPT', 'best-chain index entry has the wrong size', { length: v.length });
  }
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { hash: new Uint8Array(v.subarray(0, 32)), time: dv.getUint32(32, true), bits: dv.getUint32(36, true) };
}

/** The anchor record shares the header record's layout, height first for readability of dumps. */
export function encodeAnchorRecord(r: HeaderRecord): Uint8Array {
  return encodeHeaderRecord(r);
}

export function decodeAnchorRecord(v: Uint8Array): HeaderRecord {
  return decodeHeaderRecord(v);
}
