import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import { wrap } from 'comlink/dist/esm/comlink.mjs';
import type { Remote } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { SpvError, isSpvError } from '../errors/spvError.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Logger } from '../log/logger.js';
import { installErrorTransfer } from '../protocol/errorTransfer.js';

/** Every worker API can report readiness and close in order. */
export interface ManagedApi {
  ready(): Promise<unknown>;
  close(): Promise<void>;
}

export interface WorkerHostOptions {
  readonly name: string;
  readonly url: URL;
  /** Called at every (re)spawn: a restart may need fresh ports. */
  readonly spawnData: () => { workerData: unknown; transferList?: TransferListItem[] };
  readonly log: Logger;
  readonly restartDelaysMs?: readonly number[];
  /** Uptime after which a worker counts as healthy again and the backoff resets. */
  readonly stableAfterMs?: number;
  /** V8 heap limits of the worker's isolate (e.g. a small young generation for a memory budget). */
  readonly resourceLimits?: ResourceLimits;
}

/** Open errors that a restart cannot fix: the supervisor gives up instead of looping. */
const FATAL_READY_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'STORE_LOCKED',
  'STORE_WRONG_NETWORK',
  'STORE_CORRUPT',
  'ANCHOR_INVALID',
  'CONFIG_INVALID',
]);

/**
 * One supervised worker thread: spawn, ready handshake, comlink API, crash detection with restart and
 * exponential backoff, ordered stop. Calls made while the worker is down fail fast with
 * WORKER_UNAVAILABLE; calls in flight when it dies fail with WORKER_CRASHED instead of hanging (comlink
 * alone would never settle them).
 */
export class WorkerHost<T extends ManagedApi> extends EventEmitter {
  private worker: Worker | null = null;
  private remote: Remote<T> | null = null;
  private death: Promise<never> | null = null;
  private stopping = false;
  private restarts = 0;
  private spawnedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  /** The last uncaught error of the current worker thread, reported with WORKER_CRASHED. */
  private lastError: string | null = null;
  /** The API as seen by callers; stable across restarts. */
  readonly api: T;

  constructor(private readonly opts: WorkerHostOptions) {
    super();
    installErrorTransfer();
    this.api = new Proxy({} as T, {
      get: (_t, prop) => {
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return (...args: unknown[]) => this.call(prop, args);
      },
    });
  }

  get running(): boolean {
    return this.worker !== null;
  }

  get restartCount(): number {
    return this.restarts;
  }

  private call(method: string, args: unknown[]): Promise<unknown> {
    const remote = this.remote;
    const death = this.death;
    if (remote === null || death === null) {
      return Promise.reject(new SpvError('WORKER_UNAVAILABLE', `${this.opts.name} worker is not running`, { method }));
    }
    const fn = (remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    if (fn === undefined) return Promise.reject(new SpvError('INVARIANT', 'no such worker method', { method }));
    return Promise.race([fn(...args), death]);
  }

  /**
   * Spawns the worker and waits for its ready handshake; rejects with the worker's typed error. A worker
   * that dies during the handshake is restarted (with the usual backoff) up to twice before giving up,
   * unless it reported an error no restart can fix.
   */
  async start(): Promise<unknown> {
    this.spawn();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.api.ready();
      } catch (err) {
        if (!isSpvError(err) || err.code !== 'WORKER_CRASHED' || attempt >= 2 || this.stopping) throw err;
        this.opts.log.warn({ err, worker: this.opts.name, attempt: attempt + 1 }, 'worker died while starting');
        // Wait for the next spawn (the exit handler schedules it), then ask that one for readiness.
        await new Promise<void>((resolve, reject) => {
          const onRespawned = (): void => {
            this.off('fatal', onFatal);
            resolve();
          };
          const onFatal = (e: unknown): void => {
            this.off('respawned', onRespawned);
            reject(e instanceof Error ? e : new SpvError('WORKER_CRASHED', 'worker cannot restart', {}));
          };
          this.once('respawned', onRespawned);
          this.once('fatal', onFatal);
        });
      }
    }
  }

  private spawn(): void {
    const { workerData, transferList } = this.opts.spawnData();
    const worker = new Worker(this.opts.url, {
      workerData,
      ...(transferList ? { transferList } : {}),
      ...(this.opts.resourceLimits ? { resourceLimits: this.opts.resourceLimits } : {}),
    });
    let rejectDeath: (e: SpvError) => void = () => undefined;
    const death = new Promise<never>((_, reject) => {
      rejectDeath = reject;
    });
    death.catch(() => undefined);
    this.worker = worker;
    this.remote = wrap<T>(nodeEndpoint(worker));
    this.death = death;
    this.spawnedAt = Date.now();
    this.lastError = null;
    worker.on('error', (err) => {
      this.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.opts.log.error({ err, worker: this.opts.name }, 'worker crashed');
    });
    worker.once('exit', (code) => {
      rejectDeath(
        new SpvError('WORKER_CRASHED', `${this.opts.name} worker exited`, { exitCode: code, reason: this.lastError }),
      );
      if (this.worker === worker) {
        this.worker = null;
        this.remote = null;
        this.death = null;
      }
      if (this.stopping) return;
      this.opts.log.warn({ worker: this.opts.name, exitCode: code }, 'worker exited unexpectedly');
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const delays = this.opts.restartDelaysMs ?? [250, 500, 1000, 2000, 5000, 10000, 30000];
    if (Date.now() - this.spawnedAt > (this.opts.stableAfterMs ?? 60_000)) this.restarts = 0;
    const delay = delays[Math.min(this.restarts, delays.length - 1)]!;
    this.restarts++;
    this.opts.log.warn({ worker: this.opts.name, delayMs: delay, attempt: this.restarts }, 'restarting worker');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn();
      this.emit('respawned');
      this.api.ready().then(
        () => {
          this.opts.log.info({ worker: this.opts.name, attempt: this.restarts }, 'worker restarted');
          this.emit('restarted');
        },
        (err: unknown) => {
          if (isSpvError(err) && FATAL_READY_CODES.has(err.code)) {
            this.opts.log.fatal({ err, worker: this.opts.name }, 'worker cannot restart');
            this.stopping = true;
            void this.worker?.terminate();
            this.emit('fatal', err);
          }
          // Anything else: the exit handler schedules the next attempt.
        },
      );
    }, delay);
    // Not unref'd: while a worker is down, its pending restart is what keeps a daemon alive.
  }

  /** Closes the worker's API (flush) and then ends the thread. Idempotent. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker === null) return;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const closed = this.api.close().then(
      () => 'closed' as const,
      (err: unknown) => {
        this.opts.log.warn({ err, worker: this.opts.name }, 'worker close failed');
        return 'failed' as const;
      },
    );
    const how = await Promise.race([closed, timeout]);
    if (how === 'timeout') this.opts.log.warn({ worker: this.opts.name }, 'worker close timed out');
    await worker.terminate();
  }

  /** Ends the thread abruptly, as a crash would (for tests of the restart path). */
  async crashForTest(): Promise<void> {
    await this.worker?.terminate();
  }
}
