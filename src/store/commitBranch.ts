import { HEADER_SIZE } from '../chain/header.js';
import { SpvError, invariant } from '../errors/spvError.js';
import type { ConnectResult, RejectedHeader } from '../protocol/chainTypes.js';
import { hashToHex } from '../util/bytes.js';
import { workOfBits } from './bestChain.js';
import type { Branch } from './branch.js';
import { applyChunkChanges, bestChainWrites } from './chunkWrites.js';
import { KEY_COUNT, KEY_TIP, byHeightKey, headerKey, u32BE } from './keys.js';
import { encodeHeaderRecord } from './records.js';
import { tipInfo } from './queries.js';
import type { BatchOp, StoreContext } from './storeContext.js';

/** Longest side branch kept in memory between batches (beyond it, each batch re-reads the branch). */
const SIDE_CACHE_MAX = 50_000;

export function connectResult(ctx: StoreContext, outcome: ConnectResult['outcome'], fields: Partial<ConnectResult>): ConnectResult {
  return {
    outcome,
    tip: tipInfo(ctx),
    stored: 0,
    duplicates: 0,
    connectedCount: 0,
    forkHeight: null,
    disconnected: [],
    connected: [],
    missingHashHex: null,
    rejected: null,
    lastHeight: null,
    ...fields,
  };
}

function putSide(ops: BatchOp[], hash: Uint8Array, header: Uint8Array, height: number, chainwork: bigint): void {
  ops.push({ type: 'put', key: headerKey(hash), value: encodeHeaderRecord({ header, height, chainwork }) });
  ops.push({ type: 'put', key: byHeightKey(height, hash), value: new Uint8Array(0) });
}

/**
 * Writes a validated branch with new headers (its fresh run) in ONE level batch, then moves
 * the in-memory state to match. Most work wins; equal work keeps the first seen (Core:
 * CBlockIndexWorkComparator by arrival). Winning: the branch's chunks are rewritten, the headers it
 * disconnects become side records and its own side records leave H/F. Losing: its fresh headers become
 * side records.
 */
export async function commitBranch(
  ctx: StoreContext,
  branch: Branch,
  duplicates: number,
  rejected: RejectedHeader | null,
  lastHeight: number | null,
): Promise<ConnectResult> {
  const { best } = ctx;
  const freshCount = branch.freshCount;
  const ops: BatchOp[] = [];
  const topWork = branch.topChainwork;
  invariant(topWork !== null, 'branch with fresh headers has no chainwork');
  const becomesBest = topWork > ctx.tipChainwork;
  const oldTip = best.tipHeight;
  const fork = branch.forkHeight;
  const newCount = ctx.headerCount + freshCount;
  const disconnected: string[] = [];
  let connected: string[] = [];
  let changes: Awaited<ReturnType<typeof bestChainWrites>> = [];

  if (becomesBest) {
    changes = await bestChainWrites(ctx, branch, ops);
    if (fork < oldTip) {
      // The old best chain above the fork stays stored, now as a side branch.
      const old = new Uint8Array((oldTip - fork) * HEADER_SIZE);
      await ctx.headers.copyRange(fork + 1, oldTip, old, 0);
      let work = best.chainworkAt(fork);
      for (let h = fork + 1; h <= oldTip; h++) {
        const header = old.subarray((h - fork - 1) * HEADER_SIZE, (h - fork) * HEADER_SIZE);
        work += workOfBits(best.bitsAt(h));
        putSide(ops, best.hashAt(h), header, h, work);
        disconnected.push(hashToHex(best.hashAt(h)));
      }
      for (let h = fork + 1; h <= branch.topHeight; h++) connected.push(hashToHex(branch.hashAt(h)));
    }
    // The branch's own side records join the best chain's chunks: they leave H/F.
    for (let h = fork + 1; h <= fork + branch.sideCount; h++) {
      const hash = branch.hashAt(h);
      ops.push({ type: 'del', key: headerKey(hash) });
      ops.push({ type: 'del', key: byHeightKey(h, hash) });
    }
    ops.push({ type: 'put', key: KEY_TIP, value: branch.topHash });
  } else {
    branch.forEachChainwork(branch.topHeight - freshCount + 1, branch.topHeight, (h, chainwork) => {
      putSide(ops, branch.hashAt(h), branch.headerAt(h), h, chainwork);
    });
  }
  ops.push({ type: 'put', key: KEY_COUNT, value: u32BE(newCount) });

  try {
    await ctx.db.batch(ops);
  } catch (err) {
    // Nothing was written; forget a cached branch that now holds headers the store does not have.
    ctx.sideCache = null;
    throw new SpvError('STORE_WRITE_FAILED', 'writing a header batch failed', {}, { cause: err });
  }

  // The batch is durable: now move the in-memory state to match it.
  ctx.headerCount = newCount;
  if (becomesBest) {
    if (fork < oldTip || branch.sideCount > 0) ctx.generation++;
    best.truncate(fork);
    branch.forEachChainwork(fork + 1, branch.topHeight, (h, chainwork) => {
      best.push(branch.hashAt(h), branch.timeAt(h), branch.bitsAt(h), chainwork);
    });
    applyChunkChanges(ctx, changes);
    ctx.tipChainwork = topWork;
    ctx.sideCache = null;
    if (disconnected.length > 0) {
      ctx.log.warn(
        { forkHeight: fork, disconnected: disconnected.length, connected: connected.length, tipHeight: best.tipHeight },
        'chain reorganised',
      );
    }
  } else {
    // The fresh run is views into the caller's batch: the cached branch keeps copies of its own.
    if (branch.length <= SIDE_CACHE_MAX) {
      branch.freezeFresh();
      ctx.sideCache = branch;
    } else {
      ctx.sideCache = null;
    }
    ctx.log.debug({ forkHeight: fork, height: branch.topHeight }, 'side branch stored');
  }
  const outcome = rejected !== null ? 'invalid' : !becomesBest ? 'side' : disconnected.length > 0 ? 'reorg' : 'extended';
  if (disconnected.length === 0) connected = [];
  return connectResult(ctx, outcome, {
    stored: freshCount,
    duplicates,
    connectedCount: becomesBest ? branch.topHeight - fork : 0,
    forkHeight: disconnected.length > 0 ? fork : null,
    disconnected,
    connected,
    rejected,
    lastHeight,
  });
}
