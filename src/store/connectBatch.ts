import { HEADER_SIZE, headerHash } from '../chain/header.js';
import { checkProofOfWork } from '../chain/pow.js';
import type { TargetInfo } from '../chain/pow.js';
import { checkContextual } from '../chain/rules.js';
import { SpvError, isSpvError } from '../errors/spvError.js';
import type { ConnectResult, RejectedHeader } from '../protocol/chainTypes.js';
import { bytesEqual, hashToHex } from '../util/bytes.js';
import { Branch } from './branch.js';
import type { BranchEntry } from './branch.js';
import { commitBranch, connectResult } from './commitBranch.js';
import { sideRecord } from './queries.js';
import type { StoreContext } from './storeContext.js';

/** Hashes and PoW verdicts computed elsewhere (the pow pool) for a batch, so the store need not redo them. */
export interface PowPrecheck {
  /** N x 32 bytes, internal order. */
  readonly hashes: Uint8Array;
  /** Context-free failures by batch index (HEADER_BAD_TARGET / HEADER_BAD_POW). */
  readonly failures: ReadonlyMap<number, SpvError>;
}

function reject(index: number, height: number | null, hash: Uint8Array, err: SpvError): RejectedHeader {
  return { index, height, hashHex: hashToHex(hash), code: err.code, message: err.message };
}

/** Same 32 bytes at a[ao..] and b[bo..], without making views. */
function equal32(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (let i = 0; i < 32; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** The side branch whose top is `parentHash` (a side record), read back to where it meets the best chain. */
async function sideBranchTo(ctx: StoreContext, parentHash: Uint8Array): Promise<Branch | null> {
  const cached = ctx.sideCache;
  if (cached !== null && bytesEqual(cached.topHash, parentHash)) return cached;
  const side: BranchEntry[] = [];
  let hash = parentHash;
  let expectHeight = -1;
  for (;;) {
    const onBest = ctx.best.heightOf(hash);
    if (onBest >= 0) {
      if (expectHeight !== -1 && onBest !== expectHeight) {
        throw new SpvError('STORE_CORRUPT', 'a side branch does not lead back to the best chain', { height: onBest });
      }
      const branch = new Branch(ctx.best, onBest, null);
      for (let i = side.length - 1; i >= 0; i--) branch.pushSide(side[i]!);
      return branch;
    }
    const rec = await sideRecord(ctx, hash);
    if (rec === null) {
      if (side.length === 0) return null;
      throw new SpvError('STORE_CORRUPT', 'a side branch does not lead back to the best chain', { height: expectHeight });
    }
    if (expectHeight !== -1 && rec.height !== expectHeight) {
      throw new SpvError('STORE_CORRUPT', 'a side branch does not lead back to the best chain', { height: rec.height });
    }
    side.push({
      hash,
      header: rec.header,
      time: new DataView(rec.header.buffer, rec.header.byteOffset).getUint32(68, true),
      bits: new DataView(rec.header.buffer, rec.header.byteOffset).getUint32(72, true),
      chainwork: rec.chainwork,
    });
    hash = new Uint8Array(rec.header.subarray(4, 36));
    expectHeight = rec.height - 1;
  }
}

/** Highest checkpoint at or below the tip: no new header may fork below it (Core: bad-fork-prior-to-checkpoint). */
function lastPassedCheckpoint(ctx: StoreContext): number {
  let last = -1;
  for (const h of ctx.checkpointHeights) {
    if (h <= ctx.best.tipHeight) last = h;
    else break;
  }
  return last;
}

/**
 * Validates a contiguous batch of raw headers (N x 80 bytes) against its own ancestry and commits what is
 * new in one atomic write. Runs under the store's write queue. Context-free checks use `pre` when the pow
 * pool already did them. The hot path (extending the tip) reads nothing from the database and makes no
 * object per header: the branch keeps the new headers as a run of the batch (branch.ts).
 */
export async function connectBatch(ctx: StoreContext, raw: Uint8Array, pre?: PowPrecheck): Promise<ConnectResult> {
  const { best } = ctx;
  if (raw.length === 0 || raw.length % HEADER_SIZE !== 0) {
    throw new SpvError('HEADER_BAD_LENGTH', 'a header batch must be a non-empty multiple of 80 bytes', {
      length: raw.length,
    });
  }
  const n = raw.length / HEADER_SIZE;
  if (pre !== undefined && pre.hashes.length !== n * 32) {
    throw new SpvError('INVARIANT', 'precomputed hashes do not match the batch', {});
  }
  let hashes: Uint8Array;
  if (pre !== undefined) {
    hashes = pre.hashes;
  } else {
    hashes = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) hashes.set(headerHash(raw.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE)), i * 32);
  }
  const hashAt = (i: number): Uint8Array => hashes.subarray(i * 32, i * 32 + 32);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const firstPrev = raw.subarray(4, 36);
  let skip = 0;

  // Find the branch the batch builds on.
  let branch: Branch;
  if (bytesEqual(firstPrev, best.tipHash)) {
    branch = new Branch(best, best.tipHeight, ctx.tipChainwork);
  } else {
    const parentHeight = best.heightOf(firstPrev);
    const side = parentHeight >= 0 ? null : await sideBranchTo(ctx, new Uint8Array(firstPrev));
    if (parentHeight >= 0) {
      branch = new Branch(best, parentHeight, null);
    } else if (side !== null) {
      branch = side;
    } else if (bytesEqual(hashAt(0), best.hashAt(best.floorHeight))) {
      // The anchor (or genesis) itself: known, although its parent is not stored.
      branch = new Branch(best, best.floorHeight, null);
      skip = 1;
    } else {
      return connectResult(ctx, 'unconnected', {
        missingHashHex: hashToHex(firstPrev),
        rejected: reject(0, null, hashAt(0), new SpvError('HEADER_UNCONNECTED', 'the first header does not connect to any stored header', {})),
      });
    }
  }

  let parentIsNew = branch.length === 0 && branch.forkHeight === best.tipHeight;
  let duplicates = skip;
  let rejected: RejectedHeader | null = null;
  let lastHeight: number | null = skip > 0 ? branch.topHeight : null;
  const now = ctx.now();
  const lastCheckpoint = lastPassedCheckpoint(ctx);
  // One mutable header view for the rules, refilled per header (they read it synchronously).
  const ctxHeader = { version: 0, time: 0, bits: 0, hash: hashes.subarray(0, 32) };

  for (let i = skip; i < n; i++) {
    const o = i * HEADER_SIZE;
    const height = branch.topHeight + 1;
    const hash = hashAt(i);
    try {
      if (i > 0 && !equal32(raw, o + 4, hashes, (i - 1) * 32)) {
        throw new SpvError('HEADER_BAD_PREV', 'header does not link to the previous header of the batch', { height });
      }

      // Case c: already stored. On the best chain this is an in-memory check; the tip has no stored children.
      if (branch.length === 0 && best.isHashAt(height, hash)) {
        branch.advanceFork(height);
        parentIsNew = height === best.tipHeight;
        duplicates++;
        lastHeight = height;
        continue;
      }
      // A header whose parent is the tip or was created by this batch cannot be stored yet (a stored
      // child of the tip would have more work than the tip), so only other parents need a DB read.
      if (!parentIsNew) {
        const known = await sideRecord(ctx, hash);
        if (known !== null) {
          if (known.height !== height) throw new SpvError('STORE_CORRUPT', 'stored header at another height', {});
          branch.pushSide({
            hash: new Uint8Array(hash),
            header: known.header,
            time: dv.getUint32(o + 68, true),
            bits: dv.getUint32(o + 72, true),
            chainwork: known.chainwork,
          });
          duplicates++;
          lastHeight = height;
          continue;
        }
      }

      const time = dv.getUint32(o + 68, true);
      const bits = dv.getUint32(o + 72, true);
      // Context-free: PoW (Core: CheckBlockHeader) before the contextual rules, as Core orders them.
      let target: TargetInfo;
      const preFailure = pre?.failures.get(i);
      if (preFailure !== undefined) throw preFailure;
      if (pre !== undefined) {
        const t = ctx.targets.get(bits);
        if (t instanceof SpvError) throw t;
        target = t;
      } else {
        target = checkProofOfWork(hash, bits, ctx.targets);
      }

      if (height < lastCheckpoint) {
        throw new SpvError('HEADER_FORK_TOO_OLD', 'header forks below the last checkpoint', {
          height,
          checkpointHeight: lastCheckpoint,
        });
      }

      ctxHeader.version = dv.getInt32(o, true);
      ctxHeader.time = time;
      ctxHeader.bits = bits;
      ctxHeader.hash = hash;
      checkContextual(ctx.params, ctxHeader, height, branch, now);

      // The fork's chainwork is needed once a header is stored on the branch (the tip's is known).
      if (branch.length === 0 && branch.forkChainwork === null) branch.forkChainwork = best.chainworkAt(branch.forkHeight);
      branch.pushFresh(raw, hashes, i, target.work);
      parentIsNew = true;
      lastHeight = height;
    } catch (err) {
      if (!isSpvError(err) || err.code === 'INVARIANT' || err.code.startsWith('STORE_')) throw err;
      rejected = reject(i, height, hash, err);
      break;
    }
  }

  if (branch.freshCount === 0) {
    return connectResult(ctx, rejected !== null ? 'invalid' : 'duplicate', { duplicates, rejected, lastHeight });
  }
  return commitBranch(ctx, branch, duplicates, rejected, lastHeight);
}
