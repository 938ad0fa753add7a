import type { Level } from 'level';
import type { ChainParams } from '../chain/params.js';
import type { TargetCache } from '../chain/pow.js';
import { SpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { BestChain } from './bestChain.js';
import type { BestHeaders } from './bestHeaders.js';
import type { Branch } from './branch.js';
import type { HeaderRecord } from './records.js';

export type Db = Level<Uint8Array, Uint8Array>;
export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/**
 * The open store's state, shared by the files that read and change it (queries, connect, commit,
 * rollback). Owned by one HeaderStore; every change goes through its write queue.
 */
export interface StoreContext {
  readonly db: Db;
  readonly params: ChainParams;
  readonly anchor: HeaderRecord;
  readonly best: BestChain;
  readonly headers: BestHeaders;
  readonly targets: TargetCache;
  readonly now: () => number;
  readonly log: Logger;
  /** Checkpoint heights, ascending. */
  readonly checkpointHeights: readonly number[];
  tipChainwork: bigint;
  headerCount: number;
  /** The last side branch stored, so a peer feeding a fork batch by batch is not re-read each time. */
  sideCache: Branch | null;
  /**
   * Bumped whenever a height already on the best chain changes (reorg, rollback) or a side record moves:
   * a read that spanned a change retries (see HeaderStore.stableRead). Plain extensions do not bump it.
   */
  generation: number;
  closed: boolean;
}

export function assertOpen(ctx: StoreContext): void {
  if (ctx.closed) throw new SpvError('STORE_CLOSED', 'the header store is closed', {});
}
