/**
 * Shared pieces of the crash trials (test/crash, `npm run test:crash`): the trial count and seed from the
 * environment, a ledger that COUNTS inconsistencies (so a run reports every one it found, then fails), the
 * store audit through the CLI's own `status --json --verify` (src/store/audit.ts, not a re-implementation), and
 * daemons (`node dist/main.js`) run as child processes that can be SIGKILLed and restarted on the same data.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditReport } from '../../src/protocol/chainTypes.js';
import { MAIN_JS, exitOf, runCli } from './cli.js';
import { REPO_ROOT } from './fixtures.js';

/** Total trials (CRASH_TRIALS, default 50) and the seed every random choice derives from (CRASH_SEED). */
export function crashSettings(): { trials: number; seed: number } {
  const trials = Number(process.env.CRASH_TRIALS ?? 50);
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000_000);
  if (!Number.isSafeInteger(trials) || trials < 0 || trials > 10_000) throw new RangeError(`CRASH_TRIALS must be 0..10000, got ${process.env.CRASH_TRIALS}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`CRASH_SEED must be a non-negative integer, got ${process.env.CRASH_SEED}`);
  return { trials, seed };
}

/** Splits `total` trials by `weights` (largest remainders), e.g. 50 by [2, 2, 1] -> [20, 20, 10]. */
export function splitTrials(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = total - out.reduce((a, b) => a + b, 0); k < left; k++) out[order[k]!.i]!++;
  return out;
}

export interface Inconsistency {
  readonly kind: string;
  readonly trial: number;
  readonly what: string;
}

/**
 * Counts trials and inconsistencies. A failed invariant is recorded (and logged with the trial and the seed),
 * not thrown, so one run reports everything it found; the suite asserts the count is zero at the end.
 */
export class CrashLedger {
  trials = 0;
  readonly found: Inconsistency[] = [];
  readonly perKind = new Map<string, number>();

  constructor(readonly seed: number) {}

  startTrial(kind: string): void {
    this.trials++;
    this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + 1);
  }

  /** Records an inconsistency unless `ok`; returns `ok`. */
  check(ok: boolean, kind: string, trial: number, what: string): boolean {
    if (!ok) {
      this.found.push({ kind, trial, what });
      console.log(`INCONSISTENCY ${kind} trial ${trial} (CRASH_SEED=${this.seed}): ${what}`);
    }
    return ok;
  }

  /** One line per trial with CRASH_VERBOSE=1 (what was done and where the kill landed). */
  note(kind: string, trial: number, text: string): void {
    if (process.env.CRASH_VERBOSE === '1') console.log(`${kind} #${trial}: ${text}`);
  }

  summary(): string {
    return `trials: ${this.trials}, inconsistencies: ${this.found.length}`;
  }
}

export interface StoreStatus {
  readonly tip: { readonly height: number; readonly hash: string; readonly chainwork: string };
  readonly headers: number;
  readonly anchor: { readonly height: number; readonly hash: string };
  readonly audit: AuditReport;
}

/**
 * The store's own audit (`status --json --verify`): tip = most-work stored header, best chain links back to the
 * anchor, height indexes match. null when there is no store at all (a kill before it was created wrote nothing).
 * Anything else that is not a status report (a store that does not open, garbage output) is an inconsistency,
 * returned as `error`.
 */
export function auditStore(args: readonly string[]): { status: StoreStatus | null; error: string | null } {
  const r = runCli(['status', '--json', '--verify', '--loglevel', '6', ...args], { timeoutMs: 60_000 });
  let out: StoreStatus | { error: { code: string; message: string } };
  try {
    out = JSON.parse(r.stdout) as typeof out;
  } catch {
    return { status: null, error: `status printed no JSON (exit ${r.status}, signal ${r.signal}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}` };
  }
  if ('error' in out) {
    return out.error.code === 'STORE_NOT_FOUND' ? { status: null, error: null } : { status: null, error: `status failed: ${out.error.code} ${out.error.message}` };
  }
  return { status: out, error: null };
}

/** Writes a conf.json into `dir` and returns its path. */
export function writeConf(dir: string, conf: Record<string, unknown>, name = 'conf.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(conf, null, 2));
  return path;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** A daemon left running when the test process dies would hold its store lock and ports: kill it. */
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/**
 * `node dist/main.js --config FILE` as a child process, its log (pino JSON on stdout) kept in a bounded buffer.
 * The REST port (rest.port 0 in the conf) is read from the `rest listening` log line.
 */
export class DaemonProcess {
  private out = '';
  private readonly lineWaiters = new Set<{ re: RegExp; resolve: (line: string) => void }>();

  private constructor(readonly child: ChildProcess) {
    installExitHook();
    live.add(child);
    child.once('exit', () => {
      live.delete(child);
    });
    const keep = (d: Buffer): void => {
      const text = d.toString('utf8');
      this.out = (this.out + text).slice(-64 * 1024);
      for (const w of [...this.lineWaiters]) {
        // Whole lines only (a line may arrive in two chunks).
        const line = this.out.split('\n').slice(0, -1).find((l) => w.re.test(l));
        if (line !== undefined) {
          this.lineWaiters.delete(w);
          w.resolve(line);
        }
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(confPath: string, extraArgs: readonly string[] = []): DaemonProcess {
    const child = spawn(process.execPath, [MAIN_JS, '--config', confPath, '--gomaxprocs', '1', ...extraArgs], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last 64 KiB of its output. */
  get output(): string {
    return this.out;
  }

  /** Resolves with the first later output line matching `re`; rejects on timeout or exit. */
  waitLine(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const past = this.out.split('\n').slice(0, -1).find((l) => re.test(l));
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = {
        re,
        resolve: (line: string): void => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(line);
        },
      };
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(w);
        this.child.off('exit', onExit);
        reject(new Error(`${why} waiting for ${re}; output:\n${this.out.slice(-3000)}`));
      };
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      const onExit = (): void => fail('daemon exited');
      this.child.once('exit', onExit);
      this.lineWaiters.add(w);
    });
  }

  /** The REST port from the `rest listening` log line. */
  async restPort(timeoutMs = 30_000): Promise<number> {
    const line = await this.waitLine(/"msg":"rest listening"/, timeoutMs);
    const port = (JSON.parse(line) as { port?: unknown }).port;
    if (typeof port !== 'number') throw new Error(`no port in ${line}`);
    return port;
  }

  /** SIGKILL, and wait (bounded) until it is gone. */
  async kill(): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exited) this.child.kill('SIGKILL');
    return exitOf(this.child, 10_000);
  }

  /** SIGTERM (orderly shutdown), SIGKILL after `graceMs`; returns how it ended. */
  async stop(graceMs = 15_000): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exited) this.child.kill('SIGTERM');
    try {
      return await exitOf(this.child, graceMs);
    } catch {
      return exitOf(this.child, 5_000);
    }
  }
}

/** GET/POST JSON from a daemon's REST API: the `result` of a success envelope, or null (bounded by `timeoutMs`). */
export async function restResult<T>(port: number, path: string, timeoutMs = 5_000): Promise<T | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { error: number; result: T };
    return body.error === 0 ? body.result : null;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` every `intervalMs` until it returns a value, or returns null after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | null | undefined>, timeoutMs: number, intervalMs = 100): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < timeoutMs / intervalMs + 5; round++) {
    const v = await check();
    if (v !== null && v !== undefined) return v;
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  return null;
}
