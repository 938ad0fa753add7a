import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { LogLevelName, Logger } from '../log/logger.js';
import type { ChainApi, ChainWorkerData, StartSpec } from '../protocol/chain.js';
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
}

/** Where a network's header database lives under the data directory. */
export function storePathFor(config: Readonly<Config>): string {
  return join(config.dataDir, config.network, 'headers');
}

export function startSpecFromConfig(config: Readonly<Config>): StartSpec {
  const s = config.chain.start;
  if (s === 'builtin' || s === 'genesis') return { kind: s };
  return { kind: 'anchor', height: s.height, header: fromHex(s.header), chainwork: BigInt(`0x${s.chainwork}`) };
}

/**
 * The main thread's supervisor: spawns the workers in order (the chain worker first: everything else
 * asks it), waits for each one's ready handshake, restarts crashed ones with backoff, and shuts them down
 * in reverse order so the database is flushed and closed last.
 */
export class Supervisor {
  private stopped: Promise<void> | null = null;

  private constructor(
    readonly chainHost: WorkerHost<ChainApi>,
    readonly initialStats: StoreStats,
    private readonly log: Logger,
  ) {}

  get chain(): ChainApi {
    return this.chainHost.api;
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
    const chainHost = new WorkerHost<ChainApi>({
      name: 'chain',
      url: workerUrl('chain'),
      spawnData: () => ({ workerData: data }),
      log: opts.log,
      ...(opts.restartDelaysMs !== undefined ? { restartDelaysMs: opts.restartDelaysMs } : {}),
    });
    let stats: StoreStats;
    try {
      stats = (await chainHost.start()) as StoreStats;
    } catch (err) {
      await chainHost.stop(2000);
      throw err;
    }
    opts.log.info({ network: stats.network, height: stats.tip.height, hashHex: stats.tip.hashHex }, 'chain worker ready');
    return new Supervisor(chainHost, stats, opts.log);
  }

  /** Ordered shutdown; idempotent. */
  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.log.info({}, 'shutting down');
      await this.chainHost.stop();
      this.log.info({}, 'stopped');
    })();
    return this.stopped;
  }
}
