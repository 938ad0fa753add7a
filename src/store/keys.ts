/**
 * The header database's key layout (LevelDB via `level`, binary keys and values). The one place it is
 * defined. Heights and chunk numbers are big-endian so that LevelDB's byte order is height order.
 *
 *   'M'                      -> meta: JSON {format, network, genesisHashHex}; refuses a store of another network
 *   'A'                      -> start anchor: header 80 | height u32 BE | chainwork 32 BE
 *   'T'                      -> tip: block hash 32 (internal order); always the most-work header stored
 *   'N'                      -> number of headers stored, best chain and side branches (u32 BE)
 *   'B' | chunk u32 BE       -> best-chain headers of heights [chunk*64, chunk*64+63] (from the anchor up):
 *                               n x 80 raw headers
 *   'I' | chunk u32 BE       -> best-chain index of the same heights: chainwork 32 BE of the chunk's first
 *                               header | n x (hash 32 | time u32 LE | bits u32 LE)
 *   'H' | hash 32            -> side-branch header record: header 80 | height u32 BE | chainwork 32 BE
 *   'F' | height 4 BE | hash -> '' : every side-branch header by height (rollback and audits)
 *
 * Best-chain headers live only in the packed B/I chunks (one record per 64 headers, not three per header:
 * LevelDB's per-record cost bounded the import, and a restart reads ~16k index records for 1M headers);
 * lookups by hash go through the in-memory hash index (hashIndex.ts). Headers off the best chain are H + F
 * records. A reorg moves the disconnected headers into H/F and the connected ones out of it.
 *
 * Every batch of accepted headers writes its chunks, H/F changes, T and N in ONE level batch, so a crash
 * leaves either all of it or none of it.
 */
export const STORE_FORMAT = 2;

/** Best-chain headers per B/I chunk. Small enough that reading one header by height reads ~5 KB. */
export const CHUNK_HEADERS = 64;

const META = 0x4d; // 'M'
const ANCHOR = 0x41; // 'A'
const TIP = 0x54; // 'T'
const COUNT = 0x4e; // 'N'
const HEADER = 0x48; // 'H'
const BY_HEIGHT = 0x46; // 'F'
const BEST_HEADERS = 0x42; // 'B'
const BEST_INDEX = 0x49; // 'I'

export const KEY_META = Uint8Array.of(META);
export const KEY_ANCHOR = Uint8Array.of(ANCHOR);
export const KEY_TIP = Uint8Array.of(TIP);
export const KEY_COUNT = Uint8Array.of(COUNT);

export function writeU32BE(buf: Uint8Array, offset: number, v: number): void {
  buf[offset] = (v >>> 24) & 0xff;
  buf[offset + 1] = (v >>> 16) & 0xff;
  buf[offset + 2] = (v >>> 8) & 0xff;
  buf[offset + 3] = v & 0xff;
}

export function readU32BE(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}

export function u32BE(v: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32BE(b, 0, v);
  return b;
}

function prefixedU32(prefix: number, v: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = prefix;
  writeU32BE(k, 1, v);
  return k;
}

export function headerKey(hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(33);
  k[0] = HEADER;
  k.set(hash, 1);
  return k;
}

/** Range of all H keys. */
export const HEADER_KEYS_START = Uint8Array.of(HEADER);
export const HEADER_KEYS_END = Uint8Array.of(HEADER + 1);

export function byHeightKey(height: number, hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(37);
  k[0] = BY_HEIGHT;
  writeU32BE(k, 1, height);
  k.set(hash, 5);
  return k;
}

/** Range bound for F keys: all entries at heights >= `height`. */
export function byHeightLowerBound(height: number): Uint8Array {
  return prefixedU32(BY_HEIGHT, height);
}

export const BY_HEIGHT_END = Uint8Array.of(BY_HEIGHT + 1);

export function chunkOf(height: number): number {
  return Math.floor(height / CHUNK_HEADERS);
}

export function bestHeadersKey(chunk: number): Uint8Array {
  return prefixedU32(BEST_HEADERS, chunk);
}

export const BEST_HEADERS_END = Uint8Array.of(BEST_HEADERS + 1);

export function bestIndexKey(chunk: number): Uint8Array {
  return prefixedU32(BEST_INDEX, chunk);
}

export const BEST_INDEX_END = Uint8Array.of(BEST_INDEX + 1);

/** The chunk number of a B or I key. */
export function chunkFromKey(key: Uint8Array): number {
  return readU32BE(key, 1);
}
