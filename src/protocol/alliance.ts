import type { MessagePort } from 'node:worker_threads';
import type { NetworkName } from '../chain/params.js';
import type { AllianceConfig } from '../config/schema.js';
import type { LogLevelName } from '../log/logger.js';
import type { DepositRecord, WithdrawalRecord } from './allianceRecords.js';

export type { DepositRecord, DepositState, WithdrawalRecord, WithdrawalState, UtxoRecord } from './allianceRecords.js';

/** What the supervisor hands the alliance worker at spawn. Secrets are file paths, read by the worker. */
export interface AllianceWorkerData {
  readonly network: NetworkName;
  /** Directory of the alliance database (level), separate from the header store. */
  readonly storePath: string;
  readonly config: AllianceConfig;
  /** The wallet password when it was typed at the terminal (config walletPasswordFile null); else null. */
  readonly walletPassword: string | null;
  readonly logLevel: LogLevelName;
  readonly logFd: number;
  readonly events?: MessagePort;
}

export interface AllianceStatus {
  /** Poly address of our account, and our BTC P2PKH signer address (null when not signing). */
  readonly polyAddress: string;
  readonly btcAddress: string | null;
  /** Next alliance height to read, and the node's height at the last poll (null before the first). */
  readonly nextHeight: number;
  readonly allianceHeight: number | null;
  /** Last poll error code (RPC down, ...) or null. */
  readonly lastError: string | null;
  readonly openDeposits: number;
  readonly openWithdrawals: number;
}

/** Counters for /metrics (monotonic since the worker started, except the gauges named so). */
export interface AllianceCounters {
  readonly depositsSeen: number;
  readonly votesSent: number;
  readonly votesConfirmed: number;
  readonly votesFailed: number;
  readonly depositsRejected: Readonly<Record<string, number>>;
  readonly depositReorgAlerts: number;
  readonly withdrawalsSeen: number;
  readonly withdrawalsSigned: number;
  readonly withdrawalRefusals: Readonly<Record<string, number>>;
  readonly multiSignsConfirmed: number;
  readonly eventsSkipped: number;
  readonly pollErrors: number;
}

/**
 * The alliance worker: observer, deposit voter and withdrawal signer with its own store. Every method is async;
 * the same class runs in-process (tests) or behind comlink.
 */
export interface AllianceApi {
  /** Resolves once the store is open and the keys are loaded; rejects with the typed error otherwise. */
  ready(): Promise<AllianceStatus>;
  status(): Promise<AllianceStatus>;
  counters(): Promise<AllianceCounters>;
  /** Deposits in txid order, at most `limit`, after `after` (a txid) when given. */
  deposits(limit: number, after?: string): Promise<DepositRecord[]>;
  deposit(txid: string): Promise<DepositRecord | null>;
  withdrawals(limit: number, after?: string): Promise<WithdrawalRecord[]>;
  withdrawal(id: string): Promise<WithdrawalRecord | null>;
  /** Runs one poll now (tests, and REST-triggered refresh); resolves when it is done. */
  pollNow(): Promise<void>;
  close(): Promise<void>;
}

export interface AllianceWorkerApi extends AllianceApi {
  /** A port to the chain worker (a ChainApi served by its attachClient). */
  setChainPort(port: MessagePort): Promise<void>;
}
