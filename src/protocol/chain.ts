import type { MessagePort } from 'node:worker_threads';
import type { NetworkName } from '../chain/params.js';
import type { LogLevelName } from '../log/logger.js';
import type { AuditReport, ConnectResult, HeaderInfo, RollbackResult, StoreStats, TipInfo } from './chainTypes.js';
import type { ProofResult } from './proof.js';

export type * from './chainTypes.js';

/** A start point as plain data. `builtin` = the network's built-in anchor (genesis where it has none). */
export type StartSpec =
  | { readonly kind: 'builtin' }
  | { readonly kind: 'genesis' }
  | { readonly kind: 'anchor'; readonly height: number; readonly header: Uint8Array; readonly chainwork: bigint };

/** What the supervisor hands the chain worker at spawn. */
export interface ChainWorkerData {
  readonly network: NetworkName;
  /** Directory of the header database (level). */
  readonly storePath: string;
  readonly start: StartSpec;
  /** Size of the pow pool (piscina) the chain worker runs header batches on; 0 = check in-thread. */
  readonly powThreads: number;
  readonly logLevel: LogLevelName;
  readonly logFd: number;
  /** Where the worker posts its NodeEvents (tip, reorg); a fresh port at every spawn. */
  readonly events?: MessagePort;
}

/** What the supervisor sees of the chain worker: its API plus handing it a port for another worker. */
export interface ChainWorkerApi extends ChainApi {
  attachClient(port: MessagePort): Promise<void>;
}

/**
 * The chain worker: the single writer of the header database, fork choice, contextual rules, queries.
 * Every method is async; the same class runs in-process (tests) or behind comlink.
 */
export interface ChainApi {
  /** Resolves with the store's stats once it is open; rejects with the open error (STORE_LOCKED, ...). */
  ready(): Promise<StoreStats>;
  /** Validate (pow pool, then context) and store a contiguous batch of raw 80-byte headers. */
  connectHeaders(headers: Uint8Array): Promise<ConnectResult>;
  tip(): Promise<TipInfo>;
  stats(): Promise<StoreStats>;
  headerByHeight(height: number): Promise<HeaderInfo | null>;
  headerByHash(hashHex: string): Promise<HeaderInfo | null>;
  confirmations(hashHex: string): Promise<number>;
  locator(): Promise<string[]>;
  headersAfterLocator(locatorHex: readonly string[], stopHashHex: string | null, max: number): Promise<Uint8Array>;
  ancestorAt(hashHex: string, height: number): Promise<HeaderInfo | null>;
  rollbackToTime(time: number): Promise<RollbackResult>;
  /** A transaction proven by a merkleblock whose header is on our best chain (else a typed error). */
  verifyProof(tx: Uint8Array, proof: Uint8Array): Promise<ProofResult>;
  audit(): Promise<AuditReport>;
  /** Flush and close the database and the pow pool. Idempotent. */
  close(): Promise<void>;
}
