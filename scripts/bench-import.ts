// Import throughput through the real CLI path (chain worker + pow pool + LevelDB), then the restart cost:
// `status` (open + load the best chain) and the daemon until it answers GET /api/v1/tip.
// Headers come from a file (`--file F --network NET`, e.g. one written by scripts/gen-chain.ts: raw
// 80-byte headers, genesis first) or are mined here on regtest (`--headers N`).
// Prints human lines, then ONE JSON line last. Never asserts.
//   npm run bench:import -- --headers 1000000 --gomaxprocs 2
//   npm run bench:import -- --file chain.bin --network benchnet --gomaxprocs 2
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REGTEST } from '../src/chain/params.js';
import { ChainBuilder } from '../test/helpers/chainBuilder.js';

const { values } = parseArgs({
  options: {
    headers: { type: 'string' },
    gomaxprocs: { type: 'string' },
    file: { type: 'string' },
    network: { type: 'string' },
    'keep-store': { type: 'boolean' },
  },
});
const threads = Number(values.gomaxprocs ?? 2);
const network = values.network ?? 'regtest';
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'spv-bench-'));
/** Longest the daemon may take to answer before the measurement is reported as a timeout. */
const DAEMON_TIMEOUT_MS = 60_000;

function dirSize(p: string): number {
  let total = 0;
  for (const name of readdirSync(p)) {
    const q = join(p, name);
    const s = statSync(q);
    total += s.isDirectory() ? dirSize(q) : s.size;
  }
  return total;
}

interface Rss {
  /** VmRSS: the whole process, all threads, anonymous and file-backed (mapped LevelDB tables) pages. */
  total: number;
  anon: number;
  file: number;
  /** VmHWM: the kernel's own high-water mark of VmRSS, exact even between two samples. */
  hwm: number;
}

/** Resident set of the whole process (all threads), from /proc, in kB. */
function rssKb(pid: number): Rss {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
    return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM') };
  } catch {
    return { total: 0, anon: 0, file: 0, hwm: 0 };
  }
}

/**
 * Samples a child's RSS every 20 ms. `stop()` returns the sample with the highest VmRSS (for its anon/file
 * split) with `hwm` = the last VmHWM read: the true peak, which a 20 ms sample of a spike can miss.
 */
function sampleRss(child: ChildProcess): { stop(): Rss } {
  let peak: Rss = { total: 0, anon: 0, file: 0, hwm: 0 };
  let hwm = 0;
  const timer = setInterval(() => {
    const r = rssKb(child.pid!);
    hwm = Math.max(hwm, r.hwm);
    if (r.total > peak.total) peak = r;
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return { ...peak, hwm: Math.max(hwm, peak.total) };
    },
  };
}

const mb = (kb: number): number => Math.round(kb / 1024);

/** Runs the built CLI, sampling the whole process's RSS; resolves with its stdout, exit code, time and peak. */
async function runMeasured(args: string[]): Promise<{ out: string; err: string; code: number | null; ms: number; peak: Rss }> {
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js'), ...args, '--loglevel', '6'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sampleRss(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { out, err, code, ms: performance.now() - began, peak: sampler.stop() };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/**
 * Starts the daemon on the imported store (no peers, no DNS seeds: only the restart is measured) and
 * polls GET /api/v1/tip until it answers 200 with the imported height; then stops it with SIGTERM.
 */
async function daemonRestart(dataDir: string, height: number): Promise<{ ms: number | null; peak: Rss; error: string | null }> {
  const port = await freePort();
  const conf = join(dir, 'bench-conf.json');
  writeFileSync(
    conf,
    JSON.stringify({
      network,
      dataDir,
      logLevel: 6,
      chain: { start: 'genesis' },
      peers: { connect: [], dnsSeeds: false },
      rest: { port },
    }),
  );
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js'), '--config', conf, '--gomaxprocs', String(threads)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  let gone = false;
  void exited.then(() => (gone = true));
  const sampler = sampleRss(child);
  let ms: number | null = null;
  let error: string | null = null;
  while (!gone && performance.now() - began < DAEMON_TIMEOUT_MS) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/tip`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        const body = (await res.json()) as { result?: { height?: number } };
        const h = body.result?.height;
        if (h === height) {
          ms = performance.now() - began;
          break;
        }
        error = `tip answered height ${String(h)}, expected ${height}`;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  if (ms === null && error === null) error = gone ? `daemon exited: ${stderr.slice(-500)}` : 'daemon did not answer in time';
  if (!gone) child.kill('SIGTERM');
  await exited;
  return { ms, peak: sampler.stop(), error };
}

try {
  let file: string;
  let source: string;
  if (values.file !== undefined) {
    file = resolve(values.file);
    source = `file ${values.file}`;
  } else {
    const count = Number(values.headers ?? 200_000);
    const b = new ChainBuilder(REGTEST);
    file = join(dir, 'headers.bin');
    // 120 s spacing keeps a million headers from regtest's 2011 genesis inside the 2-hour future limit.
    writeFileSync(file, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(b.extend(count, { spacing: 120 }).raw)]));
    source = 'regtest (synthetic, mined here)';
  }
  const fileHeaders = statSync(file).size / 80;
  const dataDir = join(dir, 'data');
  const imp = await runMeasured(['import', file, '--json', '--network', network, '--datadir', dataDir, '--gomaxprocs', String(threads)]);
  interface ImportOut {
    imported: number;
    ms: number;
    tip: { height: number };
  }
  const parsed = ((): ImportOut | null => {
    try {
      return JSON.parse(imp.out.trim()) as ImportOut;
    } catch {
      console.log(`import failed (exit ${imp.code}): ${imp.err.slice(-1000)}`);
      return null;
    }
  })();
  const report = parsed;
  if (report !== null) {
    // Restart cost 1: a new `status` process opens the store, loads the best chain and answers.
    const reopen = await runMeasured(['status', '--json', '--network', network, '--datadir', dataDir]);
    // Restart cost 2: the daemon, until its REST API serves the tip.
    const daemon = await daemonRestart(dataDir, report.tip.height);
    const result = {
      bench: 'import',
      network,
      source,
      headers: fileHeaders,
      gomaxprocs: threads,
      cores: availableParallelism(),
      exitCode: imp.code,
      wallMs: Math.round(imp.ms),
      importMs: report.ms,
      headersPerSecond: Math.round((report.imported / report.ms) * 1000),
      peakRssMb: mb(imp.peak.hwm),
      peakRssAnonMb: mb(imp.peak.anon),
      peakRssFileMb: mb(imp.peak.file),
      storeMb: Math.round((dirSize(dataDir) / 1024 / 1024) * 10) / 10,
      statusRestartMs: Math.round(reopen.ms),
      statusPeakRssMb: mb(reopen.peak.hwm),
      daemonRestartMs: daemon.ms === null ? null : Math.round(daemon.ms),
      daemonPeakRssMb: mb(daemon.peak.hwm),
      daemonError: daemon.error,
    };
    console.log(
      `imported ${report.imported} headers in ${report.ms} ms (${result.headersPerSecond} headers/s), process wall ${result.wallMs} ms`,
    );
    console.log(
      `peak RSS ${result.peakRssMb} MB (VmHWM; the highest 20 ms sample: anon ${result.peakRssAnonMb} MB, file-backed ${result.peakRssFileMb} MB), store ${result.storeMb} MB`,
    );
    console.log(`restart: status ${result.statusRestartMs} ms (peak RSS ${result.statusPeakRssMb} MB)`);
    console.log(
      daemon.ms !== null
        ? `restart: daemon serving GET /api/v1/tip after ${result.daemonRestartMs} ms (peak RSS ${result.daemonPeakRssMb} MB)`
        : `restart: daemon not measured: ${daemon.error}`,
    );
    if (values['keep-store']) console.log(`store kept in ${dataDir}`);
    console.log(JSON.stringify(result));
  } else {
    console.log(JSON.stringify({ bench: 'import', network, source, headers: fileHeaders, exitCode: imp.code, error: imp.err.slice(-500) }));
  }
} finally {
  if (!values['keep-store']) rmSync(dir, { recursive: true, force: true });
}
