import { Level } from 'level';
import type { Anchor, ChainParams } from '../chain/params.js';
import { HEADER_SIZE, headerBits, headerHash, headerTime, headerVersion } from '../chain/header.js';
import { TargetCache, checkProofOfWork } from '../chain/pow.js';
import type { TargetInfo } from '../chain/pow.js';
import { checkContextual } from '../chain/rules.js';
import { locatorHeights } from '../chain/locator.js';
import { SpvError, invariant, isSpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type {
  AuditReport,
  ConnectResult,
  HeaderInfo,
  RejectedHeader,
  RollbackResult,
  StoreStats,
  TipInfo,
} from '../protocol/chainTypes.js';
import { bigintToBytes32, bytesEqual, hashToHex, hexToHashOrNull, toHex } from '../util/bytes.js';
import { auditStore } from './audit.js';
import { decodeMeta, encodeMeta, mapOpenError, validateStart } from './storeSetup.js';
import { BestChain } from './bestChain.js';
import { Branch } from './branch.js';
import type { BranchEntry } from './branch.js';
import {
  BEST_INDEX_END,
  BY_HEIGHT_END,
  KEY_ANCHOR,
  KEY_COUNT,
  KEY_META,
  KEY_TIP,
  bestIndexKey,
  byHeightKey,
  byHeightLowerBound,
  headerKey,
  readU32BE,
  u32BE,
} from './keys.js';
import type { HeaderRecord } from './records.js';
import {
  decodeAnchorRecord,
  decodeHeaderRecord,
  decodeIndexEntry,
  encodeAnchorRecord,
  encodeHeaderRecord,
  encodeIndexEntry,
} from './records.js';

type Db = Level<Uint8Array, Uint8Array>;
type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Where an empty store starts: the network's genesis, or a trusted anchor at a retarget height. */
export type StartPoint = { readonly kind: 'genesis' } | { readonly kind: 'anchor'; readonly anchor: Anchor };

/** Hashes and PoW verdicts computed elsewhere (the pow pool) for a batch, so the store need not redo them. */
export interface PowPrecheck {
  /** N x 32 bytes, internal order. */
  readonly hashes: Uint8Array;
  /** Context-free failures by batch index (HEADER_BAD_TARGET / HEADER_BAD_POW). */
  readonly failures: ReadonlyMap<number, SpvError>;
}

export interface HeaderStoreOptions {
  readonly path: string;
  readonly params: ChainParams;
  /** Used only when the store is empty. */
  readonly start: StartPoint;
  /** Unix seconds; injectable for tests of the future-time rule. */
  readonly now?: () => number;
  readonly log?: Logger;
}

/** Longest side branch kept in memory between batches (beyond it, each batch re-reads the branch). */
const SIDE_CACHE_MAX = 50_000;

function prevHashOf(header: Uint8Array): Uint8Array {
  return header.subarray(4, 36);
}

function chainworkHex(work: bigint): string {
  return toHex(bigintToBytes32(work));
}

/**
 * The fork-aware, crash-safe header store. Owned by exactly one thread (the chain worker); every write
 * goes through one serialised queue and lands as ONE level batch (see keys.ts).
 */
export class HeaderStore {
  private readonly targets: TargetCache;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly checkpointHeights: number[];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The last side branch stored, so a peer feeding a fork batch by batch is not re-read each time. */
  private sideCache: Branch | null = null;

  private constructor(
    private readonly db: Db,
    readonly params: ChainParams,
    private readonly anchor: HeaderRecord,
    private readonly best: BestChain,
    private tipChainwork: bigint,
    private headerCount: number,
    opts: HeaderStoreOptions,
  ) {
    this.targets = new TargetCache(params.powLimit);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.log = opts.log ?? silentLogger();
    this.checkpointHeights = [...params.checkpoints.keys()].sort((a, b) => a - b);
  }

  /** Opens (creating if empty) the store at `path`. Throws STORE_LOCKED, STORE_WRONG_NETWORK, STORE_CORRUPT... */
  static async open(opts: HeaderStoreOptions): Promise<HeaderStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(opts.path, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (err) {
      throw mapOpenError(err, opts.path);
    }
    try {
      return await HeaderStore.load(db, opts);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  private static async load(db: Db, opts: HeaderStoreOptions): Promise<HeaderStore> {
    const { params } = opts;
    const metaRaw = await db.get(KEY_META);
    if (metaRaw === undefined) {
      const start = validateStart(params, opts.start);
      const hash = headerHash(start.header);
      await db.batch([
        { type: 'put', key: KEY_META, value: encodeMeta(params) },
        { type: 'put', key: KEY_ANCHOR, value: encodeAnchorRecord(start) },
        { type: 'put', key: headerKey(hash), value: encodeHeaderRecord(start) },
        { type: 'put', key: byHeightKey(start.height, hash), value: new Uint8Array(0) },
        {
          type: 'put',
          key: bestIndexKey(start.height),
          value: encodeIndexEntry(hash, headerTime(start.header), headerBits(start.header)),
        },
        { type: 'put', key: KEY_TIP, value: hash },
        { type: 'put', key: KEY_COUNT, value: u32BE(1) },
      ]);
      opts.log?.info({ height: start.height, hashHex: hashToHex(hash) }, 'header store created');
    } else {
      const meta = decodeMeta(metaRaw);
      if (meta.network !== params.name || meta.genesisHashHex !== params.genesisHashHex) {
        throw new SpvError('STORE_WRONG_NETWORK', 'the header store belongs to another network', {
          stored: meta.network,
          expected: params.name,
        });
      }
    }

    const anchorRaw = await db.get(KEY_ANCHOR);
    const tipRaw = await db.get(KEY_TIP);
    const countRaw = await db.get(KEY_COUNT);
    if (anchorRaw === undefined || tipRaw === undefined || countRaw === undefined || tipRaw.length !== 32) {
      throw new SpvError('STORE_CORRUPT', 'header store is missing its anchor, tip or count', {});
    }
    const anchor = decodeAnchorRecord(anchorRaw);
    const best = new BestChain(anchor.height);
    let expected = anchor.height;
    for await (const [key, value] of db.iterator({ gte: bestIndexKey(anchor.height), lt: BEST_INDEX_END })) {
      const height = readU32BE(key, 1);
      if (height !== expected) {
        throw new SpvError('STORE_CORRUPT', 'best-chain index has a gap', { height, expected });
      }
      const e = decodeIndexEntry(value);
      best.push(e.hash, e.time, e.bits);
      expected++;
    }
    if (best.size === 0 || !bytesEqual(best.tipHash, tipRaw)) {
      throw new SpvError('STORE_CORRUPT', 'best-chain index does not end at the tip', {});
    }
    const tipRecRaw = await db.get(headerKey(tipRaw));
    if (tipRecRaw === undefined) throw new SpvError('STORE_CORRUPT', 'tip header record is missing', {});
    const tipRec = decodeHeaderRecord(tipRecRaw);
    if (tipRec.height !== best.tipHeight) {
      throw new SpvError('STORE_CORRUPT', 'tip record height differs from the index', {});
    }
    const store = new HeaderStore(db, params, anchor, best, tipRec.chainwork, readU32BE(countRaw, 0), opts);
    opts.log?.info({ height: best.tipHeight, hashHex: hashToHex(best.tipHash) }, 'header store opened');
    return store;
  }

  // ---------------------------------------------------------------- serialisation

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new SpvError('STORE_CLOSED', 'the header store is closed', {});
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---------------------------------------------------------------- reads

  private async record(hash: Uint8Array): Promise<HeaderRecord | null> {
    // Reads bypass the write queue: without this a read after close() surfaces level's uncoded error.
    if (this.closed) throw new SpvError('STORE_CLOSED', 'the header store is closed', {});
    const raw = await this.db.get(headerKey(hash));
    return raw === undefined ? null : decodeHeaderRecord(raw);
  }

  private tipInfo(): TipInfo {
    return {
      height: this.best.tipHeight,
      hashHex: hashToHex(this.best.tipHash),
      chainworkHex: chainworkHex(this.tipChainwork),
      time: this.best.timeAt(this.best.tipHeight),
    };
  }

  tip(): TipInfo {
    return this.tipInfo();
  }

  get anchorHeight(): number {
    return this.anchor.height;
  }

  private headerInfo(hash: Uint8Array, rec: HeaderRecord): HeaderInfo {
    const onBest = this.best.isHashAt(rec.height, hash);
    return {
      height: rec.height,
      hashHex: hashToHex(hash),
      header: rec.header,
      chainworkHex: chainworkHex(rec.chainwork),
      time: headerTime(rec.header),
      onBestChain: onBest,
      confirmations: onBest ? this.best.tipHeight - rec.height + 1 : 0,
    };
  }

  /** Best-chain header at `height`, or null above the tip / below the anchor. */
  async headerByHeight(height: number): Promise<HeaderInfo | null> {
    if (!Number.isInteger(height) || !this.best.has(height)) return null;
    const hash = new Uint8Array(this.best.hashAt(height));
    const rec = await this.record(hash);
    if (rec === null) throw new SpvError('STORE_CORRUPT', 'best-chain header record is missing', { height });
    return this.headerInfo(hash, rec);
  }

  /** Any stored header (any branch) by display hash, or null. */
  async headerByHash(hashHex: string): Promise<HeaderInfo | null> {
    const hash = hexToHashOrNull(hashHex);
    if (hash === null) return null;
    const rec = await this.record(hash);
    return rec === null ? null : this.headerInfo(hash, rec);
  }

  /** Confirmations of a block on the best chain; 0 when unknown or on a side branch. */
  async confirmations(hashHex: string): Promise<number> {
    return (await this.headerByHash(hashHex))?.confirmations ?? 0;
  }

  /** Core-style locator of the best chain (display hashes), newest first, ending at the anchor. */
  locator(): string[] {
    return locatorHeights(this.best.tipHeight, this.best.floorHeight).map((h) => hashToHex(this.best.hashAt(h)));
  }

  /**
   * Headers to answer a peer's getheaders: after the first locator hash on our best chain (the anchor when
   * none is), up to `max` (2000) or the stop hash. Core: FindForkInGlobalIndex + ProcessGetHeaders.
   */
  async headersAfterLocator(locatorHex: readonly string[], stopHashHex: string | null, max = 2000): Promise<Uint8Array> {
    let start = this.best.floorHeight;
    for (const hex of locatorHex) {
      const hash = hexToHashOrNull(hex);
      if (hash === null) continue;
      const rec = await this.record(hash);
      if (rec !== null && this.best.isHashAt(rec.height, hash)) {
        start = rec.height;
        break;
      }
    }
    const stop = stopHashHex === null ? null : hexToHashOrNull(stopHashHex);
    const end = Math.min(this.best.tipHeight, start + Math.max(0, Math.min(max, 2000)));
    const out = new Uint8Array((end - start) * HEADER_SIZE);
    let n = 0;
    for (let h = start + 1; h <= end; h++) {
      const hash = this.best.hashAt(h);
      const rec = await this.record(hash);
      if (rec === null) throw new SpvError('STORE_CORRUPT', 'best-chain header record is missing', { height: h });
      out.set(rec.header, n * HEADER_SIZE);
      n++;
      if (stop !== null && bytesEqual(hash, stop)) break;
    }
    return out.subarray(0, n * HEADER_SIZE);
  }

  /** The ancestor at `height` of the header `hashHex` (any branch), or null. */
  async ancestorAt(hashHex: string, height: number): Promise<HeaderInfo | null> {
    let hash = hexToHashOrNull(hashHex);
    if (hash === null || !Number.isInteger(height)) return null;
    let rec = await this.record(hash);
    if (rec === null || height > rec.height || height < this.anchor.height) return null;
    while (rec.height > height) {
      if (this.best.isHashAt(rec.height, hash)) return this.headerByHeight(height);
      hash = new Uint8Array(prevHashOf(rec.header));
      const next: HeaderRecord | null = await this.record(hash);
      if (next === null) throw new SpvError('STORE_CORRUPT', 'a stored header has no parent', { height: rec.height });
      rec = next;
    }
    return this.headerInfo(hash, rec);
  }

  stats(): StoreStats {
    return {
      tip: this.tipInfo(),
      headerCount: this.headerCount,
      anchorHeight: this.anchor.height,
      anchorHashHex: hashToHex(headerHash(this.anchor.header)),
      network: this.params.name,
    };
  }

  /** Full scan of the store's invariants (diagnostics, crash tests). */
  audit(): Promise<AuditReport> {
    return this.exclusive(() => auditStore(this.db, this.params));
  }

  // ---------------------------------------------------------------- writes

  /**
   * Validates and stores a contiguous batch of raw headers (N x 80 bytes) in one atomic write.
   * Context-free checks use `pre` when the pow pool already did them.
   */
  connectHeaders(raw: Uint8Array, pre?: PowPrecheck): Promise<ConnectResult> {
    return this.exclusive(() => this.connectLocked(raw, pre));
  }

  private reject(index: number, height: number | null, hash: Uint8Array, err: SpvError): RejectedHeader {
    return { index, height, hashHex: hashToHex(hash), code: err.code, message: err.message };
  }

  /** The branch whose top is `parentHash`, read back to where it meets the best chain. */
  private async branchTo(parentHash: Uint8Array, parentRec: HeaderRecord): Promise<Branch> {
    if (this.best.isHashAt(parentRec.height, parentHash)) {
      return new Branch(
        this.best,
        parentRec.height,
        parentRec.height === this.best.tipHeight ? this.tipChainwork : parentRec.chainwork,
      );
    }
    const cached = this.sideCache;
    if (cached !== null && bytesEqual(cached.topHash, parentHash)) return cached;
    const side: BranchEntry[] = [];
    let hash = parentHash;
    let rec = parentRec;
    while (!this.best.isHashAt(rec.height, hash)) {
      side.push({
        hash,
        header: rec.header,
        time: headerTime(rec.header),
        bits: headerBits(rec.header),
        chainwork: rec.chainwork,
      });
      hash = new Uint8Array(prevHashOf(rec.header));
      const prev = await this.record(hash);
      if (prev === null || prev.height !== rec.height - 1) {
        throw new SpvError('STORE_CORRUPT', 'a side branch does not lead back to the best chain', {
          height: rec.height,
        });
      }
      rec = prev;
    }
    const branch = new Branch(this.best, rec.height, rec.chainwork);
    for (let i = side.length - 1; i >= 0; i--) branch.push(side[i]!);
    return branch;
  }

  /** Highest checkpoint at or below the tip: no new header may fork below it (Core: bad-fork-prior-to-checkpoint). */
  private lastPassedCheckpoint(): number {
    let last = -1;
    for (const h of this.checkpointHeights) {
      if (h <= this.best.tipHeight) last = h;
      else break;
    }
    return last;
  }

  private async connectLocked(raw: Uint8Array, pre?: PowPrecheck): Promise<ConnectResult> {
    if (raw.length === 0 || raw.length % HEADER_SIZE !== 0) {
      throw new SpvError('HEADER_BAD_LENGTH', 'a header batch must be a non-empty multiple of 80 bytes', {
        length: raw.length,
      });
    }
    const n = raw.length / HEADER_SIZE;
    if (pre !== undefined && pre.hashes.length !== n * 32) {
      throw new SpvError('INVARIANT', 'precomputed hashes do not match the batch', {});
    }
    const hashAt = (i: number): Uint8Array =>
      pre !== undefined ? pre.hashes.subarray(i * 32, i * 32 + 32) : headerHash(raw.subarray(i * 80, i * 80 + 80));
    const hashes: Uint8Array[] = [];
    const firstHeader = raw.subarray(0, HEADER_SIZE);
    const firstHash = new Uint8Array(hashAt(0));

    // Find the branch the batch builds on.
    let branch: Branch;
    const firstPrev = prevHashOf(firstHeader);
    if (bytesEqual(firstPrev, this.best.tipHash)) {
      branch = new Branch(this.best, this.best.tipHeight, this.tipChainwork);
    } else {
      const parentRec = await this.record(firstPrev);
      if (parentRec !== null) {
        branch = await this.branchTo(new Uint8Array(firstPrev), parentRec);
      } else if (bytesEqual(firstHash, this.best.hashAt(this.best.floorHeight))) {
        // The anchor (or genesis) itself: known, although its parent is not stored.
        branch = new Branch(this.best, this.best.floorHeight, this.anchor.chainwork);
        hashes.push(firstHash);
      } else {
        return this.result('unconnected', {
          missingHashHex: hashToHex(firstPrev),
          rejected: this.reject(
            0,
            null,
            firstHash,
            new SpvError('HEADER_UNCONNECTED', 'the first header does not connect to any stored header', {}),
          ),
        });
      }
    }

    let parentIsNew = branch.entries.length === 0 && branch.forkHeight === this.best.tipHeight;
    const fresh: BranchEntry[] = [];
    const freshHeights: number[] = [];
    let duplicates = hashes.length;
    let rejected: RejectedHeader | null = null;
    let lastHeight: number | null = hashes.length > 0 ? branch.topHeight : null;
    const now = this.now();
    const lastCheckpoint = this.lastPassedCheckpoint();

    for (let i = hashes.length; i < n; i++) {
      const header = raw.subarray(i * 80, i * 80 + 80);
      const hash = new Uint8Array(hashAt(i));
      const height = branch.topHeight + 1;
      try {
        if (i > 0 && !bytesEqual(prevHashOf(header), hashes[i - 1]!)) {
          throw new SpvError('HEADER_BAD_PREV', 'header does not link to the previous header of the batch', {
            height,
          });
        }
        hashes.push(hash);

        // Case c: already stored. On the best chain this is an in-memory check; the tip has no stored children.
        if (branch.entries.length === 0 && this.best.isHashAt(height, hash)) {
          branch.advanceFork(height);
          parentIsNew = height === this.best.tipHeight;
          duplicates++;
          lastHeight = height;
          continue;
        }
        // A header whose parent is the tip or was created by this batch cannot be stored yet (a stored
        // child of the tip would have more work than the tip), so only other parents need a DB read.
        if (!parentIsNew) {
          const known = await this.record(hash);
          if (known !== null) {
            if (known.height !== height) throw new SpvError('STORE_CORRUPT', 'stored header at another height', {});
            branch.push({
              hash,
              header: known.header,
              time: headerTime(known.header),
              bits: headerBits(known.header),
              chainwork: known.chainwork,
            });
            duplicates++;
            lastHeight = height;
            continue;
          }
        }

        // Context-free: PoW (Core: CheckBlockHeader) before the contextual rules, as Core orders them.
        let target: TargetInfo;
        const preFailure = pre?.failures.get(i);
        if (preFailure !== undefined) throw preFailure;
        if (pre !== undefined) {
          const t = this.targets.get(headerBits(header));
          if (t instanceof SpvError) throw t;
          target = t;
        } else {
          target = checkProofOfWork(hash, headerBits(header), this.targets);
        }

        if (height < lastCheckpoint) {
          throw new SpvError('HEADER_FORK_TOO_OLD', 'header forks below the last checkpoint', {
            height,
            checkpointHeight: lastCheckpoint,
          });
        }

        const hashHex = hashToHex(hash);
        checkContextual(
          this.params,
          { version: headerVersion(header), time: headerTime(header), bits: headerBits(header), hashHex },
          height,
          branch,
          now,
        );

        let parentWork = branch.topChainwork;
        if (parentWork === null) {
          const parentRec = await this.record(branch.topHash);
          invariant(parentRec !== null, 'best-chain parent record missing', { height: height - 1 });
          parentWork = parentRec.chainwork;
          branch.forkChainwork = parentWork;
        }
        const entry: BranchEntry = {
          hash,
          header: new Uint8Array(header),
          time: headerTime(header),
          bits: headerBits(header),
          chainwork: parentWork + target.work,
        };
        branch.push(entry);
        parentIsNew = true;
        fresh.push(entry);
        freshHeights.push(height);
        lastHeight = height;
      } catch (err) {
        if (!isSpvError(err) || err.code === 'INVARIANT' || err.code.startsWith('STORE_')) throw err;
        rejected = this.reject(i, height, hash, err);
        break;
      }
    }

    if (fresh.length === 0) {
      return this.result(rejected !== null ? 'invalid' : 'duplicate', { duplicates, rejected, lastHeight });
    }
    return this.commit(branch, fresh, freshHeights, duplicates, rejected, lastHeight);
  }

  private async commit(
    branch: Branch,
    fresh: BranchEntry[],
    freshHeights: number[],
    duplicates: number,
    rejected: RejectedHeader | null,
    lastHeight: number | null,
  ): Promise<ConnectResult> {
    const ops: BatchOp[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const e = fresh[i]!;
      const height = freshHeights[i]!;
      ops.push({ type: 'put', key: headerKey(e.hash), value: encodeHeaderRecord({ header: e.header, height, chainwork: e.chainwork }) });
      ops.push({ type: 'put', key: byHeightKey(height, e.hash), value: new Uint8Array(0) });
    }
    const newCount = this.headerCount + fresh.length;
    ops.push({ type: 'put', key: KEY_COUNT, value: u32BE(newCount) });

    const topWork = branch.topChainwork;
    invariant(topWork !== null, 'branch with fresh headers has no chainwork');
    // Most work wins; equal work keeps the first seen (Core: CBlockIndexWorkComparator by arrival).
    const becomesBest = topWork > this.tipChainwork;
    const oldTip = this.best.tipHeight;
    const fork = branch.forkHeight;
    const disconnected: string[] = [];
    let connected: string[] = [];
    if (becomesBest) {
      for (let i = 0; i < branch.entries.length; i++) {
        const e = branch.entries[i]!;
        ops.push({ type: 'put', key: bestIndexKey(fork + 1 + i), value: encodeIndexEntry(e.hash, e.time, e.bits) });
      }
      for (let h = branch.topHeight + 1; h <= oldTip; h++) ops.push({ type: 'del', key: bestIndexKey(h) });
      ops.push({ type: 'put', key: KEY_TIP, value: branch.topHash });
      if (fork < oldTip) {
        for (let h = fork + 1; h <= oldTip; h++) disconnected.push(hashToHex(this.best.hashAt(h)));
        connected = branch.entries.map((e) => hashToHex(e.hash));
      }
    }

    try {
      await this.db.batch(ops);
    } catch (err) {
      // Nothing was written; forget a cached branch that now holds headers the store does not have.
      this.sideCache = null;
      throw new SpvError('STORE_WRITE_FAILED', 'writing a header batch failed', {}, { cause: err });
    }

    // The batch is durable: now move the in-memory state to match it.
    this.headerCount = newCount;
    if (becomesBest) {
      this.best.truncate(fork);
      for (const e of branch.entries) this.best.push(e.hash, e.time, e.bits);
      this.tipChainwork = topWork;
      this.sideCache = null;
      if (disconnected.length > 0) {
        this.log.warn(
          { forkHeight: fork, disconnected: disconnected.length, connected: connected.length, tipHeight: this.best.tipHeight },
          'chain reorganised',
        );
      }
    } else {
      this.sideCache = branch.entries.length <= SIDE_CACHE_MAX ? branch : null;
      this.log.debug({ forkHeight: fork, height: branch.topHeight }, 'side branch stored');
    }
    const outcome = rejected !== null ? 'invalid' : !becomesBest ? 'side' : disconnected.length > 0 ? 'reorg' : 'extended';
    if (disconnected.length === 0) connected = [];
    return this.result(outcome, {
      stored: fresh.length,
      duplicates,
      connectedCount: becomesBest ? branch.topHeight - fork : 0,
      forkHeight: disconnected.length > 0 ? fork : null,
      disconnected,
      connected,
      rejected,
      lastHeight,
    });
  }

  private result(outcome: ConnectResult['outcome'], fields: Partial<ConnectResult>): ConnectResult {
    return {
      outcome,
      tip: this.tipInfo(),
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

  /**
   * The original's Rollback(fromDate), done right: the new tip is the newest best-chain header with
   * time < `time` (never below the anchor), and every header above it on every branch is deleted, so
   * the tip stays the most-work header stored and a resync fetches them again. One atomic batch.
   */
  rollbackToTime(time: number): Promise<RollbackResult> {
    return this.exclusive(async () => {
      let h = this.best.tipHeight;
      while (h > this.best.floorHeight && this.best.timeAt(h) >= time) h--;
      return this.rollbackLocked(h);
    });
  }

  /** Rolls the store back so that `height` (clamped to the anchor) is the tip. */
  rollbackToHeight(height: number): Promise<RollbackResult> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(height)) {
        throw new SpvError('INVARIANT', 'rollback height must be an integer', { height: String(height) });
      }
      return this.rollbackLocked(Math.max(this.best.floorHeight, Math.min(height, this.best.tipHeight)));
    });
  }

  private async rollbackLocked(newTip: number): Promise<RollbackResult> {
    if (newTip >= this.best.tipHeight) return { tip: this.tipInfo(), disconnected: [], deleted: 0 };
    const ops: BatchOp[] = [];
    let deleted = 0;
    for await (const key of this.db.keys({ gte: byHeightLowerBound(newTip + 1), lt: BY_HEIGHT_END })) {
      ops.push({ type: 'del', key: headerKey(key.subarray(5, 37)) });
      ops.push({ type: 'del', key });
      deleted++;
    }
    const disconnected: string[] = [];
    for (let h = newTip + 1; h <= this.best.tipHeight; h++) {
      disconnected.push(hashToHex(this.best.hashAt(h)));
      ops.push({ type: 'del', key: bestIndexKey(h) });
    }
    const tipHash = new Uint8Array(this.best.hashAt(newTip));
    const tipRec = await this.record(tipHash);
    invariant(tipRec !== null, 'rollback target record missing', { height: newTip });
    // A side header at or below the new tip can still have more work than it (harder bits on its branch,
    // e.g. testnet min-difficulty blocks on the best chain). Delete those too, so the tip stays the
    // most-work header stored; their descendants have even more work, so no orphan is left behind.
    // Only side headers are read: a key scan of the F index, best-chain entries skipped in memory.
    for await (const key of this.db.keys({ gte: byHeightLowerBound(this.best.floorHeight), lt: byHeightLowerBound(newTip + 1) })) {
      const hash = key.subarray(5, 37);
      if (this.best.isHashAt(readU32BE(key, 1), hash)) continue;
      const rec = await this.record(hash);
      if (rec !== null && rec.chainwork > tipRec.chainwork) {
        ops.push({ type: 'del', key: headerKey(hash) });
        ops.push({ type: 'del', key });
        deleted++;
      }
    }
    ops.push({ type: 'put', key: KEY_TIP, value: tipHash });
    ops.push({ type: 'put', key: KEY_COUNT, value: u32BE(this.headerCount - deleted) });
    await this.db.batch(ops);
    this.best.truncate(newTip);
    this.tipChainwork = tipRec.chainwork;
    this.headerCount -= deleted;
    this.sideCache = null;
    this.log.warn({ height: newTip, disconnected: disconnected.length, deleted }, 'header store rolled back');
    return { tip: this.tipInfo(), disconnected, deleted };
  }

  /** Waits for queued writes, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.db.close();
  }
}
