// The real daemon (`node dist/main.js`) as a child process for the benchmarks: a temp conf.json, a free REST port,
// readiness by polling GET /api/v1/tip, SIGTERM to stop. Every wait is bounded; the child is killed if this process
// exits first.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../test/helpers/ports.js';
import { sleep } from './measure.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MAIN_JS = join(ROOT, 'dist', 'main.js');

export interface DaemonTip {
  readonly height: number;
  readonly hash: string;
}

export interface DaemonOptions {
  readonly dir: string;
  readonly network: string;
  /** host:port peers (conf peers.connect); none = no peers at all (DNS seeds off). */
  readonly connect?: readonly string[];
  readonly gomaxprocs?: number;
  /** 0-6; default 3 (warn): logging stays off the measured path. */
  readonly logLevel?: number;
  /** Extra conf.json keys, merged at the top level. */
  readonly conf?: Record<string, unknown>;
  /** Extra node flags for the daemon process, e.g. ['--cpu-prof', '--cpu-prof-dir=D']. */
  readonly nodeFlags?: readonly string[];
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** One pino log line of the daemon (JSON), with its ISO `time` and constant `msg`. */
export interface LogLine {
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export class Daemon {
  private output = '';
  private partial = '';
  /** Log lines seen so far whose msg is in `watched` (bounded: only those messages are kept). */
  private readonly seen: LogLine[] = [];
  private readonly watched = new Set<string>();

  private constructor(
    readonly child: ChildProcess,
    readonly restPort: number,
  ) {
    const keep = (d: Buffer): void => {
      const text = d.toString();
      this.output = (this.output + text).slice(-8000);
      const lines = (this.partial + text).split('\n');
      this.partial = (lines.pop() ?? '').slice(-100_000);
      for (const l of lines) this.onLine(l);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => live.delete(child));
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const restPort = await freePort();
    const confPath = join(opts.dir, 'conf.json');
    const conf = {
      network: opts.network,
      dataDir: join(opts.dir, 'data'),
      logLevel: opts.logLevel ?? 3,
      peers: { connect: [...(opts.connect ?? [])], dnsSeeds: false },
      rest: { port: restPort },
      ...opts.conf,
    };
    writeFileSync(confPath, JSON.stringify(conf, null, 2));
    const args = [...(opts.nodeFlags ?? []), MAIN_JS, '--config', confPath, '--gomaxprocs', String(opts.gomaxprocs ?? 2)];
    const child = spawn(process.execPath, args, { cwd: opts.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    return new Daemon(child, restPort);
  }

  private onLine(line: string): void {
    if (this.watched.size === 0 || !line.startsWith('{')) return;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (this.watched.has(parsed.msg)) this.seen.push(parsed);
    } catch {
      // not a log line
    }
  }

  /** Keep the log lines with these messages (call before they can appear, i.e. right after start). */
  watch(...msgs: string[]): void {
    for (const m of msgs) this.watched.add(m);
  }

  /** How many watched log lines with this message were seen so far. */
  logCount(msg: string): number {
    return this.seen.filter((l) => l.msg === msg).length;
  }

  /** The first watched log line with this message, waiting (bounded) for it; null on timeout or exit. */
  async logLine(msg: string, timeoutMs: number): Promise<LogLine | null> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 1_000_000; round++) {
      const hit = this.seen.find((l) => l.msg === msg);
      if (hit !== undefined) return hit;
      if (this.exited || Date.now() >= deadline) return null;
      await sleep(10);
    }
    return null;
  }

  get url(): string {
    return `http://127.0.0.1:${this.restPort}`;
  }

  get recentOutput(): string {
    return this.output;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** GET /api/v1/tip, or null while the daemon is not answering. */
  async tip(): Promise<DaemonTip | null> {
    try {
      const res = await fetch(`${this.url}/api/v1/tip`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return null;
      const body = (await res.json()) as { result?: DaemonTip | null };
      return body.result ?? null;
    } catch {
      return null;
    }
  }

  /** Polls the tip every `pollMs` until `done(tip)` or the timeout; returns the last tip seen (null if none). */
  async waitTip(done: (tip: DaemonTip) => boolean, opts: { timeoutMs: number; pollMs?: number }): Promise<DaemonTip | null> {
    const deadline = Date.now() + opts.timeoutMs;
    let last: DaemonTip | null = null;
    for (let round = 0; round < 1_000_000; round++) {
      if (this.exited) throw new Error(`daemon exited (${this.child.exitCode ?? this.child.signalCode}): ${this.output.slice(-2000)}`);
      last = (await this.tip()) ?? last;
      if (last !== null && done(last)) return last;
      if (Date.now() >= deadline) return last;
      await sleep(opts.pollMs ?? 20);
    }
    return last;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
