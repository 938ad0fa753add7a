import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { transfer } from 'comlink/dist/esm/comlink.mjs';
import type { Config } from '../config/schema.js';
import type { LogLevelName, Logger } from '../log/logger.js';
import type { ChainApi, ChainWorkerApi, ChainWorkerData, StartSpec } from '../protocol/chain.js';
import type { NetApi, NetConfig, NetWorkerData } from '../protocol/net.js';
import type { AllianceApi, AllianceWorkerApi, AllianceWorkerData } from '../protocol/alliance.js';
import { isEventMessage } from '../protocol/events.js';
import type { NodeEvents } from '../protocol/events.js';
import type { StoreStats } from '../protocol/chainTypes.js';
import { fromHex } from '../util/bytes.js';
import { WorkerHost } from './workerHost.js';
import { workerUrl } from './workerPath.js';

export interface SupervisorOptions {
  readonly config: Readonly<Config>;
  /** Pow pool size (--gomaxprocs). */
  readonly powThreads: number;
  readonly logLevel: LogLevelName;
  readonly logFd: number;
  readonly log: Logger;
  /** Overrides conf.json's chain.start (import --trust-anchor, import from genesis). */
  readonly start?: StartSpec;
  readonly restartDelaysMs?: readonly number[];
  /** Start the net worker too (the daemon; not import/status). */
  readonly net?: boolean;
  /** Start the alliance worker when conf.json enables it (the daemon). */
  readonly alliance?: boolean;
  /** The wallet password typed at the terminal (alliance.walletPasswordFile null). */
  readonly walletPassword?: string | null;
}

/** Where a network's header database lives under the data directory. */
export function storePathFor(config: Readonly<Config>): string {
  return join(config.dataDir, config.network, 'headers');
}

/** The net worker's slice of the configuration. */
/** Where a network's alliance database lives (separate from the header store). */
export function allianceStorePathFor(config: Readonly<Config>): string {
  return join(config.dataDir, config.network, 'alliance');
}

export function netConfigFrom(config: Readonly<Config>): NetConfig {
  return { ...config.peers, ...config.sync };
}

export function startSpecFromConfig(config: Readonly<Config>): StartSpec {
  const s = config.chain.start;
  if (s === 'builtin' || s === 'genesis') return { kind: s };
  return { kind: 'anchor', height: s.height, header: fromHex(s.header), chainwork: BigInt(`0x${s.chainwork}`) };
}

/**
 * The chain worker allocates short-lived objects per header batch at a high rate; left alone V8 grows its
 * young generation to ~48 MB for little gain. 4 MB (two 1 MB semi-spaces plus V8's share) keeps scavenges
 * cheap: compared with 8 MB, the import's whole-process peak RSS is ~4 MB lower for ~3% more import time
 * (scripts/bench-import.ts, interleaved runs).
 */
const CHAIN_WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 } as const;

/**
 * The main thread's supervisor: spawns the workers in order (the chain worker first: everything else
 * asks it), waits for each one's ready handshake, restarts crashed ones with backoff, and shuts them down
 * in reverse order so the database is flushed and closed last.
 */
/** A fresh events channel for a (re)spawned worker: its end goes in workerData, ours feeds `events`. */
function eventsChannel(events: EventEmitter<{ [K in keyof NodeEvents]: [NodeEvents[K]] }>): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (m: unknown) => {
    if (isEventMessage(m)) events.emit(m.event, m.data as never);
  });
  port2.unref();
  return port1;
}

export class Supervisor {
  private stopped: Promise<void> | null = null;
  /** Events from the workers (tip, reorg, peer, synced), re-emitted on the main thread. */
  readonly events: EventEmitter<{ [K in keyof NodeEvents]: [NodeEvents[K]] }>;
  private netHost: WorkerHost<NetApi> | null = null;
  private allianceHost: WorkerHost<AllianceWorkerApi> | null = null;

  private constructor(
    readonly chainHost: WorkerHost<ChainWorkerApi>,
    readonly initialStats: StoreStats,
    private readonly log: Logger,
    events: EventEmitter<{ [K in keyof NodeEvents]: [NodeEvents[K]] }>,
  ) {
    this.events = events;
  }

  get chain(): ChainApi {
    return this.chainHost.api;
  }

  /** The net worker's API (daemon only). */
  get net(): NetApi {
    if (this.netHost === null) throw new Error('the net worker is not running');
    return this.netHost.api;
  }

  get netWorker(): WorkerHost<NetApi> | null {
    return this.netHost;
  }

  /** The alliance worker's API, or null when the alliance part is not enabled. */
  get alliance(): AllianceApi | null {
    return this.allianceHost?.api ?? null;
  }

  get allianceWorker(): WorkerHost<AllianceWorkerApi> | null {
    return this.allianceHost;
  }

  /** A fresh channel between the alliance and chain workers: at start and after either one restarts. */
  private async wireAlliance(): Promise<void> {
    if (this.allianceHost === null) return;
    const { port1, port2 } = new MessageChannel();
    try {
      await this.chainHost.api.attachClient(transfer(port1, [port1]));
      await this.allianceHost.api.setChainPort(transfer(port2, [port2]));
    } catch (err) {
      port1.close();
      this.log.warn({ err }, 'wiring alliance to chain failed');
    }
  }

  private async startAlliance(opts: SupervisorOptions): Promise<void> {
    const data: AllianceWorkerData = {
      network: opts.config.network,
      storePath: allianceStorePathFor(opts.config),
      config: opts.config.alliance,
      walletPassword: opts.walletPassword ?? null,
      logLevel: opts.logLevel,
      logFd: opts.logFd,
    };
    this.allianceHost = new WorkerHost<AllianceWorkerApi>({
      name: 'alliance',
      url: workerUrl('alliance'),
      spawnData: () => {
        const port = eventsChannel(this.events);
        return { workerData: { ...data, events: port }, transferList: [port] };
      },
      log: opts.log,
      ...(opts.restartDelaysMs !== undefined ? { restartDelaysMs: opts.restartDelaysMs } : {}),
    });
    await this.allianceHost.start();
    await this.wireAlliance();
    this.chainHost.on('restarted', () => void this.wireAlliance());
    this.allianceHost.on('restarted', () => void this.wireAlliance());
  }

  /** A fresh channel between the net and chain workers: at start and after either one restarts. */
  private async wireNet(): Promise<void> {
    if (this.netHost === null) return;
    const { port1, port2 } = new MessageChannel();
    try {
      await this.chainHost.api.attachClient(transfer(port1, [port1]));
      await this.netHost.api.setChainPort(transfer(port2, [port2]));
    } catch (err) {
      port1.close();
      this.log.warn({ err }, 'wiring net to chain failed');
    }
  }

  private async startNet(opts: SupervisorOptions): Promise<void> {
    const data: NetWorkerData = {
      network: opts.config.network,
      dataDir: join(opts.config.dataDir, opts.config.network),
      config: netConfigFrom(opts.config),
      logLevel: opts.logLevel,
      logFd: opts.logFd,
    };
    this.netHost = new WorkerHost<NetApi>({
      name: 'net',
      url: workerUrl('net'),
      spawnData: () => {
        const port = eventsChannel(this.events);
        return { workerData: { ...data, events: port }, transferList: [port] };
      },
      log: opts.log,
      ...(opts.restartDelaysMs !== undefined ? { restartDelaysMs: opts.restartDelaysMs } : {}),
    });
    await this.netHost.start();
    await this.wireNet();
    this.chainHost.on('restarted', () => void this.wireNet());
    this.netHost.on('restarted', () => void this.wireNet());
  }

  static async start(opts: SupervisorOptions): Promise<Supervisor> {
    const data: ChainWorkerData = {
      network: opts.config.network,
      storePath: storePathFor(opts.config),
      start: opts.start ?? startSpecFromConfig(opts.config),
      powThreads: opts.powThreads,
      logLevel: opts.logLevel,
      logFd: opts.logFd,
    };
    const events = new EventEmitter<{ [K in keyof NodeEvents]: [NodeEvents[K]] }>();
    const chainHost = new WorkerHost<ChainWorkerApi>({
      name: 'chain',
      url: workerUrl('chain'),
      spawnData: () => {
        const port = eventsChannel(events);
        return { workerData: { ...data, events: port }, transferList: [port] };
      },
      log: opts.log,
      ...(opts.restartDelaysMs !== undefined ? { restartDelaysMs: opts.restartDelaysMs } : {}),
      resourceLimits: CHAIN_WORKER_LIMITS,
    });
    let stats: StoreStats;
    try {
      stats = (await chainHost.start()) as StoreStats;
    } catch (err) {
      await chainHost.stop(2000);
      throw err;
    }
    opts.log.info({ network: stats.network, height: stats.tip.height, hashHex: stats.tip.hashHex }, 'chain worker ready');
    const sup = new Supervisor(chainHost, stats, opts.log, events);
    try {
      if (opts.net === true) await sup.startNet(opts);
      if (opts.alliance === true && opts.config.alliance.enabled) await sup.startAlliance(opts);
    } catch (err) {
      await sup.shutdown();
      throw err;
    }
    return sup;
  }

  /** Ordered shutdown; idempotent. */
  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.log.info({}, 'shutting down');
      // Reverse start order: the alliance and the network first (no new work), the database last (flush and close).
      await this.allianceHost?.stop();
      await this.netHost?.stop();
      await this.chainHost.stop();
      this.log.info({}, 'stopped');
    })();
    return this.stopped;
  }
}
