/**
 * The header database's key layout (LevelDB via `level`, binary keys and values). The one place it is
 * defined. Heights are big-endian so that LevelDB's byte order is height order.
 *
 *   'M'                      -> meta: JSON {format, network, genesisHashHex}; refuses a store of another network
 *   'A'                      -> start anchor: height u32 BE | header 80 | chainwork 32 BE
 *   'T'                      -> tip: block hash 32 (internal order); always the most-work header stored
 *   'N'                      -> number of headers stored (u32 BE), kept in step with every batch
 *   'H' | hash 32            -> header record: header 80 | height u32 BE | chainwork 32 BE   (every branch)
 *   'F' | height 4 BE | hash -> '' : every stored header by height (all branches; rollback and audits)
 *   'I' | height 4 BE        -> best-chain entry: hash 32 | time u32 LE | bits u32 LE
 *
 * Every batch of accepted headers writes its H and F records, the I rewrites of a reorg, T and N in ONE
 * level batch, so a crash leaves either all of it or none of it.
 */
export const STORE_FORMAT = 1;

const META = 0x4d; // 'M'
const ANCHOR = 0x41; // 'A'
const TIP = 0x54; // 'T'
const COUNT = 0x4e; // 'N'
const HEADER = 0x48; // 'H'
const BY_HEIGHT = 0x46; // 'F'
const BEST_INDEX = 0x49; // 'I'

export const KEY_META = Uint8Array.of(META);
export const KEY_ANCHOR = Uint8Array.of(ANCHOR);
export const KEY_TIP = Uint8Array.of(TIP);
export const KEY_COUNT = Uint8Array.of(COUNT);

export function headerKey(hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(33);
  k[0] = HEADER;
  k.set(hash, 1);
  return k;
}

function writeU32BE(buf: Uint8Array, offset: number, v: number): void {
  buf[offset] = (v >>> 24) & 0xff;
  buf[offset + 1] = (v >>> 16) & 0xff;
  buf[offset + 2] = (v >>> 8) & 0xff;
  buf[offset + 3] = v & 0xff;
}

export function readU32BE(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}

export function byHeightKey(height: number, hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(37);
  k[0] = BY_HEIGHT;
  writeU32BE(k, 1, height);
  k.set(hash, 5);
  return k;
}

/** Range bound for F keys: all entries at heights >= `height`. */
export function byHeightLowerBound(height: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = BY_HEIGHT;
  writeU32BE(k, 1, height);
  return k;
}

export const BY_HEIGHT_END = Uint8Array.of(BY_HEIGHT + 1);

export function bestIndexKey(height: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = BEST_INDEX;
  writeU32BE(k, 1, height);
  return k;
}

export const BEST_INDEX_END = Uint8Array.of(BEST_INDEX + 1);

export function heightFromIndexKey(key: Uint8Array): number {
  return readU32BE(key, 1);
}

export function u32BE(v: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32BE(b, 0, v);
  return b;
}
