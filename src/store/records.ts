import { SpvError } from '../errors/spvError.js';
import { bigintToBytes32, bytes32ToBigint } from '../util/bytes.js';
import { readU32BE, writeU32BE } from './keys.js';

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
  writeU32BE(out, 80, r.height);
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

/** The anchor record shares the header record's layout. */
export const encodeAnchorRecord = encodeHeaderRecord;
export const decodeAnchorRecord = decodeHeaderRecord;

/** One best-chain index entry: hash 32 | time u32 LE | bits u32 LE (the in-memory BestChain uses it too). */
export const INDEX_ENTRY_SIZE = 40;
/** An index chunk starts with the chainwork of its first header. */
export const INDEX_CHUNK_HEAD = 32;

/** An I chunk value, checked for shape: its first header's chainwork and its packed entries. */
export function decodeIndexChunk(v: Uint8Array): { chainwork: bigint; entries: Uint8Array; count: number } {
  const body = v.length - INDEX_CHUNK_HEAD;
  if (body <= 0 || body % INDEX_ENTRY_SIZE !== 0) {
    throw new SpvError('STORE_CORRUPT', 'best-chain index chunk has the wrong size', { length: v.length });
  }
  return {
    chainwork: bytes32ToBigint(v.subarray(0, INDEX_CHUNK_HEAD)),
    entries: v.subarray(INDEX_CHUNK_HEAD),
    count: body / INDEX_ENTRY_SIZE,
  };
}
