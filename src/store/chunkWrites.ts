import { HEADER_SIZE } from '../chain/header.js';
import { bigintToBytes32 } from '../util/bytes.js';
import type { Branch } from './branch.js';
import { CHUNK_HEADERS, bestHeadersKey, bestIndexKey, chunkOf } from './keys.js';
import { INDEX_CHUNK_HEAD, INDEX_ENTRY_SIZE } from './records.js';
import type { BatchOp, StoreContext } from './storeContext.js';

/** B chunk changes of a batch, applied to the header cache once the batch is durable. */
export type ChunkChange = { readonly chunk: number; readonly headers: Uint8Array | null };

/**
 * The B and I chunk writes that make `branch` the best chain: every chunk from the one holding
 * forkHeight + 1 up to the branch top is rewritten whole (the unchanged part below the fork comes from
 * the stored chunk and the in-memory index), chunks above the new top up to the old tip are deleted.
 */
export async function bestChainWrites(ctx: StoreContext, branch: Branch, ops: BatchOp[]): Promise<ChunkChange[]> {
  const { best, headers } = ctx;
  const fork = branch.forkHeight;
  const top = branch.topHeight;
  const changes: ChunkChange[] = [];
  const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  /** Chunks that start above the fork: their first header's chainwork heads the index value. */
  const chunkStarts: { height: number; index: Uint8Array }[] = [];
  for (let c = chunkOf(fork + 1); c <= chunkOf(top); c++) {
    const start = headers.chunkStart(c);
    const end = Math.min(top, c * CHUNK_HEADERS + CHUNK_HEADERS - 1);
    const n = end - start + 1;
    const hdrs = new Uint8Array(n * HEADER_SIZE);
    const index = new Uint8Array(INDEX_CHUNK_HEAD + n * INDEX_ENTRY_SIZE);
    let h = start;
    if (start <= fork) {
      // The part of this chunk below the fork stays as stored.
      const old = await headers.chunk(c);
      hdrs.set(old.subarray(0, (fork - start + 1) * HEADER_SIZE), 0);
      best.copyEntries(start, fork, index, INDEX_CHUNK_HEAD);
      index.set(bigintToBytes32(best.chunkChainwork(c)), 0);
      h = fork + 1;
    } else {
      chunkStarts.push({ height: start, index });
    }
    const iv = dv(index);
    for (; h <= end; h++) {
      const i = h - start;
      hdrs.set(branch.headerAt(h), i * HEADER_SIZE);
      const o = INDEX_CHUNK_HEAD + i * INDEX_ENTRY_SIZE;
      index.set(branch.hashAt(h), o);
      iv.setUint32(o + 32, branch.timeAt(h), true);
      iv.setUint32(o + 36, branch.bitsAt(h), true);
    }
    ops.push({ type: 'put', key: bestHeadersKey(c), value: hdrs });
    ops.push({ type: 'put', key: bestIndexKey(c), value: index });
    changes.push({ chunk: c, headers: hdrs });
  }
  if (chunkStarts.length > 0) {
    let next = 0;
    branch.forEachChainwork(chunkStarts[0]!.height, top, (height, chainwork) => {
      const cs = chunkStarts[next];
      if (cs !== undefined && cs.height === height) {
        cs.index.set(bigintToBytes32(chainwork), 0);
        next++;
      }
    });
  }
  deleteChunksAbove(ctx, top, ops, changes);
  return changes;
}

/** Deletes the chunks above `height`'s chunk up to the current tip's. */
function deleteChunksAbove(ctx: StoreContext, height: number, ops: BatchOp[], changes: ChunkChange[]): void {
  for (let c = chunkOf(height) + 1; c <= chunkOf(ctx.best.tipHeight); c++) {
    ops.push({ type: 'del', key: bestHeadersKey(c) });
    ops.push({ type: 'del', key: bestIndexKey(c) });
    changes.push({ chunk: c, headers: null });
  }
}

/** The chunk writes that cut the best chain back to `newTip` (a rollback). */
export async function truncateWrites(ctx: StoreContext, newTip: number, ops: BatchOp[]): Promise<ChunkChange[]> {
  const { best, headers } = ctx;
  const changes: ChunkChange[] = [];
  const c = chunkOf(newTip);
  const start = headers.chunkStart(c);
  const old = await headers.chunk(c);
  const hdrs = old.slice(0, (newTip - start + 1) * HEADER_SIZE);
  const index = new Uint8Array(INDEX_CHUNK_HEAD + (newTip - start + 1) * INDEX_ENTRY_SIZE);
  index.set(bigintToBytes32(best.chunkChainwork(c)), 0);
  best.copyEntries(start, newTip, index, INDEX_CHUNK_HEAD);
  ops.push({ type: 'put', key: bestHeadersKey(c), value: hdrs });
  ops.push({ type: 'put', key: bestIndexKey(c), value: index });
  changes.push({ chunk: c, headers: hdrs });
  deleteChunksAbove(ctx, newTip, ops, changes);
  return changes;
}

export function applyChunkChanges(ctx: StoreContext, changes: readonly ChunkChange[]): void {
  for (const ch of changes) {
    if (ch.headers === null) ctx.headers.deleted(ch.chunk);
    else ctx.headers.written(ch.chunk, ch.headers);
  }
}
