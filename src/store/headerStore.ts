import { Level } from 'level';
import { headerHash } from '../chain/header.js';
import type { ChainParams } from '../chain/params.js';
import { TargetCache } from '../chain/pow.js';
import { SpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { AuditReport, ConnectResult, HeaderInfo, RollbackResult, StoreStats, TipInfo } from '../protocol/chainTypes.js';
import { hashToHex } from '../util/bytes.js';
import { auditStore } from './audit.js';
import { BestHeaders } from './bestHeaders.js';
import { connectBatch } from './connectBatch.js';
import type { PowPrecheck } from './connectBatch.js';
import * as q from './queries.js';
import { rollbackTo } from './rollback.js';
import type { Db, StoreContext } from './storeContext.js';
import { loadStore } from './storeLoad.js';
import type { StartPoint } from './storeSetup.js';
import { mapOpenError } from './storeSetup.js';

export type { PowPrecheck } from './connectBatch.js';
export type { StartPoint } from './storeSetup.js';

export interface HeaderStoreOptions {
  readonly path: string;
  readonly params: ChainParams;
  /** Used only when the store is empty. */
  readonly start: StartPoint;
  /** Unix seconds; injectable for tests of the future-time rule. */
  readonly now?: () => number;
  readonly log?: Logger;
}

/** Reads that raced this many reorgs in a row run under the write queue instead. */
const READ_RETRIES = 3;

/**
 * LevelDB tuning for this layout: writes are large sequential chunk records plus few side records; headers do
 * not compress (hashes, nonces). The write buffer sets the memtable size (two are alive while one is flushed)
 * and so the size of the level-0 files that each level-0 compaction reads back through mmap, which counts in
 * the process's RSS. For a 1M-header import (scripts/bench-import.ts, interleaved runs): 8 MB: peak RSS ~213
 * MB; 4 MB: ~198 MB; 2 MB: ~193 MB for ~3% more time; 1 MB: more compactions, ~197 MB, 15% slower.
 */
const LEVEL_OPTIONS = { writeBufferSize: 2 * 1024 * 1024, compression: false, cacheSize: 2 * 1024 * 1024 } as const;

/**
 * The fork-aware, crash-safe header store (key layout: keys.ts). Owned by exactly one thread (the chain
 * worker); every write goes through one serialised queue and lands as ONE level batch. The best chain is
 * held compactly in memory (bestChain.ts); the work is done in connectBatch.ts / commitBranch.ts
 * (writes), rollback.ts, queries.ts (reads) and audit.ts.
 */
export class HeaderStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ctx: StoreContext,
    readonly params: ChainParams,
  ) {}

  /** Opens (creating if empty) the store at `path`. Throws STORE_LOCKED, STORE_WRONG_NETWORK, STORE_CORRUPT... */
  static async open(opts: HeaderStoreOptions): Promise<HeaderStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(opts.path, { keyEncoding: 'view', valueEncoding: 'view', ...LEVEL_OPTIONS });
    try {
      await db.open();
    } catch (err) {
      throw mapOpenError(err, opts.path);
    }
    try {
      const loaded = await loadStore(db, opts.params, opts.start, opts.log);
      const ctx: StoreContext = {
        db,
        params: opts.params,
        anchor: loaded.anchor,
        best: loaded.best,
        headers: new BestHeaders(db, loaded.best),
        targets: new TargetCache(opts.params.powLimit),
        now: opts.now ?? (() => Math.floor(Date.now() / 1000)),
        log: opts.log ?? silentLogger(),
        checkpointHeights: [...opts.params.checkpoints.keys()].sort((a, b) => a - b),
        tipChainwork: loaded.tipChainwork,
        headerCount: loaded.headerCount,
        sideCache: null,
        generation: 0,
        closed: false,
      };
      return new HeaderStore(ctx, opts.params);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  // ---------------------------------------------------------------- serialisation

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.ctx.closed) throw new SpvError('STORE_CLOSED', 'the header store is closed', {});
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads bypass the write queue (a query never waits for a batch), but a best-chain height can change
   * under a read that awaits a chunk: such a read is retried, and after a few tries runs in the queue.
   */
  private async stableRead<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; i < READ_RETRIES; i++) {
      const gen = this.ctx.generation;
      let r: T;
      try {
        r = await fn();
      } catch (err) {
        // A chunk that shrank under the read (a reorg or rollback landed meanwhile) is not corruption.
        if (gen !== this.ctx.generation) continue;
        throw err;
      }
      if (gen === this.ctx.generation) return r;
    }
    return this.exclusive(fn);
  }

  // ---------------------------------------------------------------- reads

  tip(): TipInfo {
    return q.tipInfo(this.ctx);
  }

  get anchorHeight(): number {
    return this.ctx.anchor.height;
  }

  /** Best-chain header at `height`, or null above the tip / below the anchor. */
  headerByHeight(height: number): Promise<HeaderInfo | null> {
    return this.stableRead(() => q.headerByHeight(this.ctx, height));
  }

  /** Any stored header (any branch) by display hash, or null. */
  headerByHash(hashHex: string): Promise<HeaderInfo | null> {
    return this.stableRead(() => q.headerByHash(this.ctx, hashHex));
  }

  /** Confirmations of a block on the best chain; 0 when unknown or on a side branch. */
  async confirmations(hashHex: string): Promise<number> {
    return (await this.headerByHash(hashHex))?.confirmations ?? 0;
  }

  /** Core-style locator of the best chain (display hashes), newest first, ending at the anchor. */
  locator(): string[] {
    return q.locator(this.ctx);
  }

  /** Headers to answer a peer's getheaders (Core: FindForkInGlobalIndex + ProcessGetHeaders). */
  headersAfterLocator(locatorHex: readonly string[], stopHashHex: string | null, max = 2000): Promise<Uint8Array> {
    return this.stableRead(() => q.headersAfterLocator(this.ctx, locatorHex, stopHashHex, max));
  }

  /** The ancestor at `height` of the header `hashHex` (any branch), or null. */
  ancestorAt(hashHex: string, height: number): Promise<HeaderInfo | null> {
    return this.stableRead(() => q.ancestorAt(this.ctx, hashHex, height));
  }

  stats(): StoreStats {
    return {
      tip: this.tip(),
      headerCount: this.ctx.headerCount,
      anchorHeight: this.ctx.anchor.height,
      anchorHashHex: hashToHex(headerHash(this.ctx.anchor.header)),
      network: this.params.name,
    };
  }

  /** Full scan of the store's invariants (diagnostics, crash tests). */
  audit(): Promise<AuditReport> {
    return this.exclusive(() => auditStore(this.ctx.db, this.params));
  }

  // ---------------------------------------------------------------- writes

  /**
   * Validates and stores a contiguous batch of raw headers (N x 80 bytes) in one atomic write.
   * Context-free checks use `pre` when the pow pool already did them. The store keeps views of `raw`
   * and `pre.hashes` while it works: the caller must not modify them afterwards.
   */
  connectHeaders(raw: Uint8Array, pre?: PowPrecheck): Promise<ConnectResult> {
    return this.exclusive(() => connectBatch(this.ctx, raw, pre));
  }

  /**
   * Rolls back so the tip is the newest best-chain header with time < `time` (never below the anchor);
   * every header above it on every branch is deleted.
   */
  rollbackToTime(time: number): Promise<RollbackResult> {
    return this.exclusive(async () => {
      const { best } = this.ctx;
      let h = best.tipHeight;
      while (h > best.floorHeight && best.timeAt(h) >= time) h--;
      return rollbackTo(this.ctx, h);
    });
  }

  /** Rolls the store back so that `height` (clamped to the anchor) is the tip. */
  rollbackToHeight(height: number): Promise<RollbackResult> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(height)) {
        throw new SpvError('INVARIANT', 'rollback height must be an integer', { height: String(height) });
      }
      const { best } = this.ctx;
      return rollbackTo(this.ctx, Math.max(best.floorHeight, Math.min(height, best.tipHeight)));
    });
  }

  /** Waits for queued writes, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.ctx.closed) return;
    await this.queue;
    this.ctx.closed = true;
    await this.ctx.db.close();
  }
}
