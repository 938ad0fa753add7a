import type { Level } from 'level';
import { headerBits, headerHash, headerTime } from '../chain/header.js';
import type { ChainParams } from '../chain/params.js';
import { workFromBits } from '../chain/work.js';
import type { AuditReport } from '../protocol/chainTypes.js';
import { bytesEqual, hashToHex, toHex } from '../util/bytes.js';
import {
  BEST_INDEX_END,
  BY_HEIGHT_END,
  KEY_ANCHOR,
  KEY_COUNT,
  KEY_TIP,
  bestIndexKey,
  byHeightLowerBound,
  headerKey,
  readU32BE,
} from './keys.js';
import { decodeAnchorRecord, decodeHeaderRecord, decodeIndexEntry } from './records.js';

const MAX_PROBLEMS = 50;
const AUDIT_CHUNK = 1000;

/**
 * Reads the whole store and checks what a crash must never break:
 * - the tip is the most-work header stored (ties: it has the maximum chainwork);
 * - every best-chain index entry names a stored header at that height, links to the entry below it
 *   and carries that header's time and bits; the index ends at the tip;
 * - every header's chainwork = its parent's + its own work, and its parent is stored one height below
 *   (except the anchor);
 * - the by-height index lists exactly the stored headers, and the stored count matches.
 */
export async function auditStore(db: Level<Uint8Array, Uint8Array>, params: ChainParams): Promise<AuditReport> {
  const problems: string[] = [];
  const problem = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const anchorRaw = await db.get(KEY_ANCHOR);
  const tip = await db.get(KEY_TIP);
  const countRaw = await db.get(KEY_COUNT);
  if (anchorRaw === undefined || tip === undefined || countRaw === undefined) {
    return { ok: false, problems: ['anchor, tip or count missing'], headersChecked: 0, bestChainChecked: 0 };
  }
  const anchor = decodeAnchorRecord(anchorRaw);
  const anchorHash = headerHash(anchor.header);

  // Every header record, in height order via the F index. Parents are one height below, so keeping the
  // previous height's records in memory checks links and chainwork without a second read per header.
  let headersChecked = 0;
  let maxWork = -1n;
  let levelHeight = -1;
  let prevLevel = new Map<string, bigint>();
  let curLevel = new Map<string, bigint>();
  const checkRecord = (key: Uint8Array, raw: Uint8Array | undefined): void => {
    const height = readU32BE(key, 1);
    if (height !== levelHeight) {
      prevLevel = height === levelHeight + 1 ? curLevel : new Map();
      curLevel = new Map();
      levelHeight = height;
    }
    const hash = key.subarray(5, 37);
    headersChecked++;
    if (raw === undefined) {
      problem(`by-height entry without header ${hashToHex(hash)} at ${height}`);
      return;
    }
    const rec = decodeHeaderRecord(raw);
    curLevel.set(toHex(hash), rec.chainwork);
    if (!bytesEqual(headerHash(rec.header), hash)) problem(`header record ${hashToHex(hash)} hashes differently`);
    if (rec.height !== height) problem(`header ${hashToHex(hash)} stored at ${rec.height}, indexed at ${height}`);
    if (rec.chainwork > maxWork) maxWork = rec.chainwork;
    if (bytesEqual(hash, anchorHash)) return;
    const parentWork = prevLevel.get(toHex(rec.header.subarray(4, 36)));
    if (parentWork === undefined) {
      problem(`header ${hashToHex(hash)} at ${height} has no stored parent at ${height - 1}`);
      return;
    }
    if (parentWork + workFromBits(headerBits(rec.header)) !== rec.chainwork) {
      problem(`header ${hashToHex(hash)} at ${height} has wrong chainwork`);
    }
  };
  // Reads go in chunks (one getMany per chunk), not one round trip to LevelDB's thread pool per header.
  let chunk: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    const values = await db.getMany(chunk.map((k) => headerKey(k.subarray(5, 37))));
    chunk.forEach((k, i) => checkRecord(k, values[i]));
    chunk = [];
  };
  for await (const key of db.keys({ gte: byHeightLowerBound(0), lt: BY_HEIGHT_END })) {
    chunk.push(key);
    if (chunk.length === AUDIT_CHUNK) await flush();
  }
  await flush();
  let headerRecords = 0;
  for await (const _key of db.keys({ gte: headerKey(new Uint8Array(32)), lt: Uint8Array.of(0x49) })) headerRecords++;
  if (headerRecords !== headersChecked) problem(`header records ${headerRecords} != by-height entries ${headersChecked}`);
  if (readU32BE(countRaw, 0) !== headersChecked) problem(`stored count ${readU32BE(countRaw, 0)} != ${headersChecked}`);

  // The best-chain index.
  let bestChainChecked = 0;
  let expected = anchor.height;
  let prev: Uint8Array | null = null;
  let last: Uint8Array | null = null;
  let entries: { height: number; hash: Uint8Array; time: number; bits: number }[] = [];
  const flushIndex = async (): Promise<void> => {
    const values = await db.getMany(entries.map((e) => headerKey(e.hash)));
    entries.forEach((e, i) => {
      const raw = values[i];
      if (raw === undefined) {
        problem(`best-chain entry ${e.height} names a missing header`);
      } else {
        const rec = decodeHeaderRecord(raw);
        if (rec.height !== e.height) problem(`best-chain entry ${e.height} names a header at ${rec.height}`);
        if (headerTime(rec.header) !== e.time || headerBits(rec.header) !== e.bits) {
          problem(`best-chain entry ${e.height} time/bits differ from its header`);
        }
        if (prev !== null && !bytesEqual(rec.header.subarray(4, 36), prev)) {
          problem(`best-chain header ${e.height} does not link to ${e.height - 1}`);
        }
      }
      prev = e.hash;
    });
    entries = [];
  };
  for await (const [key, value] of db.iterator({ gte: bestIndexKey(0), lt: BEST_INDEX_END })) {
    const height = readU32BE(key, 1);
    const e = decodeIndexEntry(value);
    bestChainChecked++;
    if (height !== expected) problem(`best-chain index gap at ${height} (expected ${expected})`);
    expected = height + 1;
    entries.push({ height, ...e });
    last = e.hash;
    if (entries.length === AUDIT_CHUNK) await flushIndex();
  }
  await flushIndex();
  if (last === null || !bytesEqual(last, tip)) problem('best-chain index does not end at the tip');
  const tipRaw = await db.get(headerKey(tip));
  if (tipRaw === undefined) {
    problem('tip header missing');
  } else if (decodeHeaderRecord(tipRaw).chainwork !== maxWork) {
    problem('tip is not the most-work header stored');
  }
  if (anchor.height === 0 && hashToHex(anchorHash) !== params.genesisHashHex) problem('start header is not genesis');
  return { ok: problems.length === 0, problems, headersChecked, bestChainChecked };
}
