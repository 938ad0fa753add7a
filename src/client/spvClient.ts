import { EventEmitter, on } from 'node:events';
import type { ChainParams } from '../chain/params.js';
import { paramsFor } from '../chain/params.js';
import { loadConfig, parseConfig } from '../config/loadConfig.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { SpvError } from '../errors/spvError.js';
import { createLogger, levelName, silentLogger } from '../log/logger.js';
import type { LogLevelName, Logger } from '../log/logger.js';
import type { ChainApi, StartSpec } from '../protocol/chain.js';
import type { AuditReport, ConnectResult, HeaderInfo, RollbackResult, StoreStats } from '../protocol/chainTypes.js';
import type { NodeEventName, NodeEvents } from '../protocol/events.js';
import type { BanInfo, BroadcastResult, NetApi, NetCounters, PeerInfo, SyncStatus } from '../protocol/net.js';
import type { ProofResult } from '../protocol/proof.js';
import type { AllianceApi, AllianceCounters, AllianceStatus } from '../protocol/alliance.js';
import type { DepositRecord, WithdrawalRecord } from '../protocol/allianceRecords.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { transferBytes } from '../supervisor/transfer.js';
import { childKey } from './childKey.js';
import type { ChildKey } from './childKey.js';
import { isDust } from './dust.js';

export interface SpvClientOptions {
  /** Proof-of-work pool threads (the CLI's --gomaxprocs). Default 4. */
  readonly gomaxprocs?: number;
  /** Overrides conf.json's logLevel: a name or the original's 0-6. */
  readonly logLevel?: LogLevelName | number;
  /** Where logs go: 1 stdout, 2 stderr (default), or a pino logger of your own for the main thread. */
  readonly logFd?: number;
  readonly logger?: Logger;
  /** Folder relative paths in an object config are resolved against (default: the working directory). */
  readonly baseDir?: string;
}

export interface StartOptions {
  /** Connect to the Bitcoin network (default true). False: the header store only (import, status). */
  readonly network?: boolean;
  /** Overrides conf.json's chain.start for an empty store. */
  readonly start?: StartSpec;
  /** Start the alliance worker when conf.json enables it (default: same as `network`). */
  readonly alliance?: boolean;
  /** The wallet password, when conf.json has no alliance.walletPasswordFile (the CLI asks on the terminal). */
  readonly walletPassword?: string;
}

export interface ChainTip {
  readonly height: number;
  /** Display hex. */
  readonly hash: string;
  /** 256-bit cumulative work, 64 hex digits. */
  readonly chainwork: string;
  readonly time: number;
}

export interface ResyncResult extends RollbackResult {
  /** False when the rollback happened but the network could not be asked to sync again. */
  readonly resynced: boolean;
}

/** Worker events, plus `fatal`: a worker that cannot be restarted (e.g. its store is locked or corrupt). */
type EventArgs = { [K in NodeEventName]: [NodeEvents[K]] } & { fatal: [SpvError] };

/**
 * spvclient as a library: `await SpvClient.create(config)`, `start()`, then ask it. The CLI daemon and
 * the REST server use only this class. Config is the conf.json schema (validated the same way). Every
 * method is async and fails with a typed `SpvError` (a `code`), never anything else.
 *
 * Events (EventEmitter, or `for await (const e of client.events('tip'))`): `tip`, `reorg` (with the
 * disconnected and connected hashes), `peer` (connected/disconnected), `synced`.
 */
export class SpvClient extends EventEmitter<EventArgs> {
  #supervisor: Supervisor | null = null;
  #chain: ChainApi | null = null;
  #net: NetApi | null = null;
  #alliance: AllianceApi | null = null;
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  readonly #log: Logger;
  /** Aborted by close(): ends every events() iterator. */
  readonly #closed = new AbortController();
  readonly #options: SpvClientOptions;
  readonly config: Readonly<Config>;
  readonly params: ChainParams;

  private constructor(config: Readonly<Config>, options: SpvClientOptions) {
    super();
    this.config = config;
    this.params = paramsFor(config.network);
    this.#options = options;
    this.#log = options.logger ?? silentLogger();
  }

  /**
   * Validates `config` (a conf.json object, or a path to one) and returns a client that is not started.
   * Throws CONFIG_INVALID (naming the key), CONFIG_NOT_FOUND or CONFIG_PARSE.
   */
  static async create(config: ConfigInput | string = {}, options: SpvClientOptions = {}): Promise<SpvClient> {
    const parsed =
      typeof config === 'string'
        ? loadConfig(config, true).config
        : parseConfig(config, options.baseDir ?? process.cwd(), 'config');
    return new SpvClient(parsed, options);
  }

  /**
   * A client over APIs you already run in this thread (tests, embedding): the same class, no workers.
   * `net` may be null for an offline store.
   */
  static attach(config: Readonly<Config>, chain: ChainApi, net: NetApi | null): SpvClient {
    const c = new SpvClient(config, {});
    c.#chain = chain;
    c.#net = net;
    c.#starting = Promise.resolve();
    return c;
  }

  get started(): boolean {
    return this.#chain !== null && this.#closing === null;
  }

  /** Spawns the workers (header store, pow pool, and unless `network: false` the P2P worker). */
  start(opts: StartOptions = {}): Promise<void> {
    if (this.#closing !== null) return Promise.reject(new SpvError('CLIENT_CLOSED', 'the client is closed', {}));
    this.#starting ??= (async () => {
      const level = this.#options.logLevel;
      const logLevel = typeof level === 'number' ? levelName(level) : (level ?? levelName(this.config.logLevel));
      const logFd = this.#options.logFd ?? 2;
      const log = this.#options.logger ?? createLogger({ level: logLevel, name: 'main', fd: logFd });
      const sup = await Supervisor.start({
        config: this.config,
        powThreads: this.#options.gomaxprocs ?? 4,
        logLevel,
        logFd,
        log,
        net: opts.network ?? true,
        alliance: opts.alliance ?? opts.network ?? true,
        walletPassword: opts.walletPassword ?? null,
        ...(opts.start !== undefined ? { start: opts.start } : {}),
      });
      this.#supervisor = sup;
      this.#chain = sup.chain;
      this.#net = opts.network === false ? null : sup.net;
      this.#alliance = sup.alliance;
      for (const name of ['tip', 'reorg', 'peer', 'synced', 'deposit', 'withdrawal'] as const) this.#forward(sup, name);
      for (const host of [sup.chainHost, sup.netWorker, sup.allianceWorker]) host?.on('fatal', (err: SpvError) => this.emit('fatal', err));
    })();
    this.#starting.catch(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  /** Re-emits a supervisor event on this client (both emitters carry the same NodeEvents payloads). */
  #forward(sup: Supervisor, name: NodeEventName): void {
    (sup.events as EventEmitter).on(name, (data: unknown) => (this as EventEmitter).emit(name, data));
  }

  /** Ordered shutdown (network, then the store is flushed and closed). Idempotent; nothing is left open. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#starting?.catch(() => undefined);
      await this.#supervisor?.shutdown();
      this.#chain = null;
      this.#net = null;
      this.#alliance = null;
      this.#closed.abort();
      this.removeAllListeners();
      this.#log.debug({}, 'client closed');
    })();
    return this.#closing;
  }

  private chain(): ChainApi {
    if (this.#closing !== null) throw new SpvError('CLIENT_CLOSED', 'the client is closed', {});
    if (this.#chain === null) throw new SpvError('CLIENT_NOT_STARTED', 'call start() first', {});
    return this.#chain;
  }

  private net(): NetApi {
    this.chain(); // the same not-started / closed checks
    if (this.#net === null) throw new SpvError('CLIENT_NOT_STARTED', 'the client was started without the network', {});
    return this.#net;
  }

  private alliance(): AllianceApi {
    this.chain();
    if (this.#alliance === null) throw new SpvError('ALLIANCE_DISABLED', 'the alliance worker is not running (alliance.enabled)', {});
    return this.#alliance;
  }

  /** Whether the alliance worker (observer, voter, signer) runs in this client. */
  get allianceEnabled(): boolean {
    return this.#alliance !== null;
  }

  // ------------------------------------------------------------------ facts

  /** 'btc' on mainnet, 'tbtc' on every test network (the original's CurrencyCode). */
  currencyCode(): 'btc' | 'tbtc' {
    return this.params.name === 'mainnet' ? 'btc' : 'tbtc';
  }

  /** Bitcoin Core's dust rule at 3,000 sat/kvB; `script` is the output script or its length (default 25, P2PKH). */
  isDust(amountSats: bigint | number, script?: Uint8Array | number): boolean {
    return isDust(amountSats, script);
  }

  /** BIP32 child 0 of the extended key made of these parts (the original's ChildKey). */
  childKey(keyBytes: Uint8Array, chainCode: Uint8Array, isPrivate: boolean): ChildKey {
    return childKey(keyBytes, chainCode, isPrivate);
  }

  // ------------------------------------------------------------------ chain

  async chainTip(): Promise<ChainTip> {
    const t = await this.chain().tip();
    return { height: t.height, hash: t.hashHex, chainwork: t.chainworkHex, time: t.time };
  }

  /** Best-chain header at a height, or null. */
  headerByHeight(height: number): Promise<HeaderInfo | null> {
    return this.chain().headerByHeight(height);
  }

  /** Any stored header (any branch) by display hash, or null. */
  headerByHash(hash: string): Promise<HeaderInfo | null> {
    return this.chain().headerByHash(hash);
  }

  /** Confirmations of a block on the best chain; 0 off it or when unknown. */
  confirmations(blockHash: string): Promise<number> {
    return this.chain().confirmations(blockHash);
  }

  /**
   * Checks that `tx` is proven by `proof` (a merkleblock / gettxoutproof) in a block on OUR best chain.
   * Fails with a MERKLE_* code, PROOF_BLOCK_UNKNOWN or PROOF_NOT_ON_BEST_CHAIN.
   */
  verifyProof(tx: Uint8Array, proof: Uint8Array): Promise<ProofResult> {
    return this.chain().verifyProof(tx, proof);
  }

  stats(): Promise<StoreStats> {
    return this.chain().stats();
  }

  audit(): Promise<AuditReport> {
    return this.chain().audit();
  }

  /** Feeds a batch of raw 80-byte headers through the same validation as P2P sync (importers). */
  connectHeaders(headers: Uint8Array): Promise<ConnectResult> {
    return this.chain().connectHeaders(this.#supervisor !== null ? transferBytes(headers) : headers);
  }

  // ------------------------------------------------------------------ network

  /** Announces a raw transaction to every peer; resolves with its txid and how many peers fetched it. */
  broadcast(rawTx: Uint8Array): Promise<BroadcastResult> {
    return this.net().broadcastTx(rawTx);
  }

  peers(): Promise<PeerInfo[]> {
    return this.net().peers();
  }

  syncStatus(): Promise<SyncStatus> {
    return this.net().syncStatus();
  }

  bans(): Promise<BanInfo[]> {
    return this.net().bans();
  }

  /** The net worker's bookkeeping sizes, buffered bytes and their peaks, misbehaviour points by code. */
  netCounters(): Promise<NetCounters> {
    return this.net().netCounters();
  }

  /** Sync again from the store's locator (the original's ReSync). */
  resync(): Promise<void> {
    return this.net().resync();
  }

  /**
   * The original's ReSyncBlockchain(fromDate): roll the store back to the newest best-chain header older
   * than `date` (never below the anchor; every branch above it is deleted), then sync again.
   */
  async resyncFrom(date: Date): Promise<ResyncResult> {
    const time = date.getTime();
    if (!Number.isFinite(time)) throw new SpvError('CLI_BAD_ARGS', 'invalid date', {});
    const r = await this.chain().rollbackToTime(Math.floor(time / 1000));
    let resynced = false;
    if (this.#net !== null) {
      try {
        await this.#net.resync();
        resynced = true;
      } catch (err) {
        this.#log.warn({ err }, 'resync after rollback failed');
      }
    }
    return { ...r, resynced };
  }

  // ------------------------------------------------------------------ alliance (bridge)

  allianceStatus(): Promise<AllianceStatus> {
    return this.alliance().status();
  }

  allianceCounters(): Promise<AllianceCounters> {
    return this.alliance().counters();
  }

  /** Deposits in txid order (paged: at most `limit`, after the txid `after`). */
  deposits(limit = 100, after?: string): Promise<DepositRecord[]> {
    return this.alliance().deposits(limit, after);
  }

  deposit(txid: string): Promise<DepositRecord | null> {
    return this.alliance().deposit(txid);
  }

  withdrawals(limit = 100, after?: string): Promise<WithdrawalRecord[]> {
    return this.alliance().withdrawals(limit, after);
  }

  withdrawal(id: string): Promise<WithdrawalRecord | null> {
    return this.alliance().withdrawal(id);
  }

  /** Poll the alliance chain now (instead of waiting for pollIntervalMs). */
  pollAlliance(): Promise<void> {
    return this.alliance().pollNow();
  }

  /** Events as an async iterator; it ends when `signal` aborts or the client closes. */
  events<K extends NodeEventName>(name: K, opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<NodeEvents[K]> {
    const signal = opts.signal !== undefined ? AbortSignal.any([opts.signal, this.#closed.signal]) : this.#closed.signal;
    const inner = on(this as EventEmitter, name, { signal });
    return (async function* () {
      try {
        for await (const [data] of inner) yield data as NodeEvents[K];
      } catch (err) {
        if ((err as { name?: string }).name !== 'AbortError') throw err;
      }
    })();
  }
}
