import { invariant } from '../errors/spvError.js';
import type { RollbackResult } from '../protocol/chainTypes.js';
import { hashToHex } from '../util/bytes.js';
import { applyChunkChanges, truncateWrites } from './chunkWrites.js';
import { BY_HEIGHT_END, KEY_COUNT, KEY_TIP, byHeightLowerBound, headerKey, readU32BE, u32BE } from './keys.js';
import { decodeHeaderRecord } from './records.js';
import { tipInfo } from './queries.js';
import type { BatchOp, StoreContext } from './storeContext.js';

/**
 * The original's Rollback, done right: `newTip` (a best-chain height) becomes the tip, and every header
 * above it on every branch is deleted, so the tip stays the most-work header stored and a resync fetches
 * them again. One atomic batch. Runs under the store's write queue.
 */
export async function rollbackTo(ctx: StoreContext, newTip: number): Promise<RollbackResult> {
  const { best, db } = ctx;
  if (newTip >= best.tipHeight) return { tip: tipInfo(ctx), disconnected: [], deleted: 0 };
  const ops: BatchOp[] = [];
  let deleted = 0;
  for await (const key of db.keys({ gte: byHeightLowerBound(newTip + 1), lt: BY_HEIGHT_END })) {
    ops.push({ type: 'del', key: headerKey(key.subarray(5, 37)) });
    ops.push({ type: 'del', key: new Uint8Array(key) });
    deleted++;
  }
  const disconnected: string[] = [];
  for (let h = newTip + 1; h <= best.tipHeight; h++) disconnected.push(hashToHex(best.hashAt(h)));
  deleted += disconnected.length;
  const changes = await truncateWrites(ctx, newTip, ops);
  const tipHash = new Uint8Array(best.hashAt(newTip));
  const tipWork = best.chainworkAt(newTip);
  invariant(tipWork > 0n, 'rollback target has no chainwork', { height: newTip });
  // A side header at or below the new tip can still have more work than it (harder bits on its branch,
  // e.g. testnet min-difficulty blocks on the best chain). Delete those too, so the tip stays the
  // most-work header stored; their descendants have even more work, so no orphan is left behind.
  const below: Uint8Array[] = [];
  for await (const key of db.keys({ gte: byHeightLowerBound(best.floorHeight), lt: byHeightLowerBound(newTip + 1) })) {
    below.push(new Uint8Array(key));
  }
  const records = await db.getMany(below.map((k) => headerKey(k.subarray(5, 37))));
  below.forEach((key, i) => {
    const raw = records[i];
    if (raw !== undefined && decodeHeaderRecord(raw).chainwork > tipWork && readU32BE(key, 1) <= newTip) {
      ops.push({ type: 'del', key: headerKey(key.subarray(5, 37)) });
      ops.push({ type: 'del', key });
      deleted++;
    }
  });
  ops.push({ type: 'put', key: KEY_TIP, value: tipHash });
  ops.push({ type: 'put', key: KEY_COUNT, value: u32BE(ctx.headerCount - deleted) });
  await db.batch(ops);
  ctx.generation++;
  best.truncate(newTip);
  applyChunkChanges(ctx, changes);
  ctx.tipChainwork = tipWork;
  ctx.headerCount -= deleted;
  ctx.sideCache = null;
  ctx.log.warn({ height: newTip, disconnected: disconnected.length, deleted }, 'header store rolled back');
  return { tip: tipInfo(ctx), disconnected, deleted };
}
