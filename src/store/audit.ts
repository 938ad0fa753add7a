import { HEADER_SIZE, headerBits, headerHash, headerTime } from '../chain/header.js';
import type { ChainParams } from '../chain/params.js';
import type { AuditReport } from '../protocol/chainTypes.js';
import { bytesEqual, hashToHex, toHex } from '../util/bytes.js';
import { workOfBits } from './bestChain.js';
import {
  BEST_HEADERS_END,
  BEST_INDEX_END,
  BY_HEIGHT_END,
  CHUNK_HEADERS,
  HEADER_KEYS_END,
  HEADER_KEYS_START,
  KEY_ANCHOR,
  KEY_COUNT,
  KEY_TIP,
  bestHeadersKey,
  bestIndexKey,
  byHeightLowerBound,
  chunkFromKey,
  headerKey,
  readU32BE,
} from './keys.js';
import { INDEX_ENTRY_SIZE, decodeAnchorRecord, decodeHeaderRecord, decodeIndexChunk } from './records.js';
import type { Db } from './storeContext.js';

const MAX_PROBLEMS = 50;
const AUDIT_CHUNK = 1000;

/**
 * Reads the whole store and checks what a crash must never break:
 * - the best chain: index and header chunks are contiguous from the anchor, agree entry by entry (each
 *   header hashes to its index hash, carries its time and bits), every header links to the one below, each
 *   chunk's chainwork is the running sum of the headers' work, and the chain ends at the tip;
 * - side records: each is indexed by height, hashes to its key, is not the best-chain header at its height,
 *   has its parent stored one height below (best chain or side) and chainwork = parent's + its own;
 * - the tip is the most-work header stored (ties: it has the maximum chainwork); the count matches.
 */
export async function auditStore(db: Db, params: ChainParams): Promise<AuditReport> {
  const problems: string[] = [];
  const problem = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const [anchorRaw, tip, countRaw] = await db.getMany([KEY_ANCHOR, KEY_TIP, KEY_COUNT]);
  if (anchorRaw === undefined || tip === undefined || countRaw === undefined) {
    return { ok: false, problems: ['anchor, tip or count missing'], headersChecked: 0, bestChainChecked: 0 };
  }
  const anchor = decodeAnchorRecord(anchorRaw);
  const anchorHash = headerHash(anchor.header);
  const floor = anchor.height;

  // ------------------------------------------------------------------ the best chain
  const bestHashes: Uint8Array[] = [];
  /** Chainwork by height (diagnostics only: side branches forking off the best chain need it). */
  const bestWork: bigint[] = [];
  let work = 0n;
  let prevHash: Uint8Array | null = null;
  let expectedChunk = Math.floor(floor / CHUNK_HEADERS);
  const headerChunks = db.iterator({ gte: bestHeadersKey(expectedChunk), lt: BEST_HEADERS_END });
  try {
    for await (const [key, value] of db.iterator({ gte: bestIndexKey(expectedChunk), lt: BEST_INDEX_END })) {
      const chunk = chunkFromKey(key);
      if (chunk !== expectedChunk) problem(`best-chain index chunk ${chunk} where ${expectedChunk} was expected`);
      expectedChunk = chunk + 1;
      const start = Math.max(chunk * CHUNK_HEADERS, floor);
      let idx;
      try {
        idx = decodeIndexChunk(value);
      } catch {
        problem(`best-chain index chunk ${chunk} is malformed`);
        continue;
      }
      const next = await headerChunks.next();
      if (next === undefined || chunkFromKey(next[0]) !== chunk) {
        problem(`best-chain header chunk ${chunk} is missing`);
        continue;
      }
      const hdrs = next[1];
      if (hdrs.length !== idx.count * HEADER_SIZE) problem(`best-chain chunk ${chunk}: headers and index differ in length`);
      const dv = new DataView(idx.entries.buffer, idx.entries.byteOffset, idx.entries.byteLength);
      for (let i = 0; i < idx.count && (i + 1) * HEADER_SIZE <= hdrs.length; i++) {
        const height = start + i;
        const header = hdrs.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
        const hash = idx.entries.slice(i * INDEX_ENTRY_SIZE, i * INDEX_ENTRY_SIZE + 32);
        if (!bytesEqual(headerHash(header), hash)) problem(`best-chain header ${height} does not hash to its index entry`);
        if (headerTime(header) !== dv.getUint32(i * INDEX_ENTRY_SIZE + 32, true) || headerBits(header) !== dv.getUint32(i * INDEX_ENTRY_SIZE + 36, true)) {
          problem(`best-chain entry ${height} time/bits differ from its header`);
        }
        if (height === floor) {
          if (!bytesEqual(hash, anchorHash)) problem('best chain does not start at the anchor');
          work = anchor.chainwork;
        } else {
          if (prevHash === null || !bytesEqual(header.subarray(4, 36), prevHash)) {
            problem(`best-chain header ${height} does not link to ${height - 1}`);
          }
          work += workOfBits(headerBits(header));
        }
        if (i === 0 && idx.chainwork !== work) problem(`best-chain chunk ${chunk} has wrong chainwork`);
        if (height - floor !== bestHashes.length) problem(`best-chain entry ${height} is out of sequence`);
        bestHashes.push(hash);
        bestWork.push(work);
        prevHash = hash;
      }
    }
    if ((await headerChunks.next()) !== undefined) problem('best-chain header chunks extend beyond the index');
  } finally {
    await headerChunks.close();
  }
  const tipWork = work;
  if (prevHash === null || !bytesEqual(prevHash, tip)) problem('best-chain index does not end at the tip');
  const bestCount = bestHashes.length;
  const bestHashAt = (h: number): Uint8Array | undefined => bestHashes[h - floor];

  // ------------------------------------------------------------------ side records, in height order
  let sideCount = 0;
  let maxSideWork = -1n;
  let levelHeight = -1;
  let prevLevel = new Map<string, bigint>();
  let curLevel = new Map<string, bigint>();
  const checkSide = (key: Uint8Array, raw: Uint8Array | undefined): void => {
    const height = readU32BE(key, 1);
    if (height !== levelHeight) {
      prevLevel = height === levelHeight + 1 ? curLevel : new Map();
      curLevel = new Map();
      levelHeight = height;
    }
    const hash = key.subarray(5, 37);
    sideCount++;
    if (raw === undefined) {
      problem(`by-height entry without header ${hashToHex(hash)} at ${height}`);
      return;
    }
    const rec = decodeHeaderRecord(raw);
    curLevel.set(toHex(hash), rec.chainwork);
    if (!bytesEqual(headerHash(rec.header), hash)) problem(`header record ${hashToHex(hash)} hashes differently`);
    if (rec.height !== height) problem(`header ${hashToHex(hash)} stored at ${rec.height}, indexed at ${height}`);
    const onBest = bestHashAt(height);
    if (onBest !== undefined && bytesEqual(onBest, hash)) problem(`best-chain header ${height} also has a side record`);
    if (rec.chainwork > maxSideWork) maxSideWork = rec.chainwork;
    if (height <= floor) {
      problem(`side header ${hashToHex(hash)} at or below the anchor`);
      return;
    }
    const parent = rec.header.subarray(4, 36);
    const parentOnBest = bestHashAt(height - 1);
    const parentWork =
      parentOnBest !== undefined && bytesEqual(parentOnBest, parent) ? bestWork[height - 1 - floor] : prevLevel.get(toHex(parent));
    if (parentWork === undefined) {
      problem(`header ${hashToHex(hash)} at ${height} has no stored parent at ${height - 1}`);
      return;
    }
    if (parentWork + workOfBits(headerBits(rec.header)) !== rec.chainwork) {
      problem(`header ${hashToHex(hash)} at ${height} has wrong chainwork`);
    }
  };
  // Reads go in chunks (one getMany per chunk), not one round trip to LevelDB's thread pool per header.
  let chunk: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    const values = await db.getMany(chunk.map((k) => headerKey(k.subarray(5, 37))));
    chunk.forEach((k, i) => checkSide(k, values[i]));
    chunk = [];
  };
  for await (const key of db.keys({ gte: byHeightLowerBound(0), lt: BY_HEIGHT_END })) {
    chunk.push(key);
    if (chunk.length === AUDIT_CHUNK) await flush();
  }
  await flush();
  let headerRecords = 0;
  for await (const _key of db.keys({ gte: HEADER_KEYS_START, lt: HEADER_KEYS_END })) headerRecords++;
  if (headerRecords !== sideCount) problem(`side header records ${headerRecords} != by-height entries ${sideCount}`);
  const headersChecked = bestCount + sideCount;
  if (readU32BE(countRaw, 0) !== headersChecked) problem(`stored count ${readU32BE(countRaw, 0)} != ${headersChecked}`);
  if (maxSideWork > tipWork) problem('tip is not the most-work header stored');
  if (anchor.height === 0 && hashToHex(anchorHash) !== params.genesisHashHex) problem('start header is not genesis');
  return { ok: problems.length === 0, problems, headersChecked, bestChainChecked: bestCount };
}
