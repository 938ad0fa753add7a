// Import throughput through the real CLI path (chain worker + pow pool + LevelDB), on synthetic regtest
// headers mined here. Prints human lines, then ONE JSON line last. Never asserts.
//   npm run bench:import -- --headers 200000 --gomaxprocs 2
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REGTEST } from '../src/chain/params.js';
import { ChainBuilder } from '../test/helpers/chainBuilder.js';

const { values } = parseArgs({ options: { headers: { type: 'string' }, gomaxprocs: { type: 'string' } } });
const count = Number(values.headers ?? 200_000);
const threads = Number(values.gomaxprocs ?? 2);
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'spv-bench-'));

function dirSize(p: string): number {
  let total = 0;
  for (const name of readdirSync(p)) {
    const q = join(p, name);
    const s = statSync(q);
    total += s.isDirectory() ? dirSize(q) : s.size;
  }
  return total;
}

/** Resident set of the whole process (all threads), sampled from /proc while it runs. */
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the built CLI, sampling the whole process's RSS; resolves with its stdout, exit code, time and peak. */
async function runMeasured(args: string[]): Promise<{ out: string; code: number | null; ms: number; peakKb: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js'), ...args, '--loglevel', '6'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let peakKb = 0;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, rssKb(child.pid!))), 20);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  return { out, code, ms: performance.now() - began, peakKb };
}

try {
  const b = new ChainBuilder(REGTEST);
  const file = join(dir, 'headers.bin');
  // 120 s spacing keeps a million headers from regtest's 2011 genesis inside the 2-hour future limit.
  writeFileSync(file, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(b.extend(count, { spacing: 120 }).raw)]));
  const dataDir = join(dir, 'data');
  const began = performance.now();
  const imp = await runMeasured(['import', file, '--json', '--network', 'regtest', '--datadir', dataDir, '--gomaxprocs', String(threads)]);
  const wallMs = performance.now() - began;
  const report = JSON.parse(imp.out.trim()) as { imported: number; ms: number };
  // Restart cost: a new process opens the store and loads the best chain into memory, then answers.
  const reopen = await runMeasured(['status', '--json', '--network', 'regtest', '--datadir', dataDir]);
  const result = {
    bench: 'import',
    network: 'regtest (synthetic)',
    headers: count,
    gomaxprocs: threads,
    cores: availableParallelism(),
    exitCode: imp.code,
    wallMs: Math.round(wallMs),
    importMs: report.ms,
    headersPerSecond: Math.round((report.imported / report.ms) * 1000),
    peakRssMb: Math.round(imp.peakKb / 1024),
    reopenMs: Math.round(reopen.ms),
    reopenPeakRssMb: Math.round(reopen.peakKb / 1024),
    storeMb: Math.round((dirSize(dataDir) / 1024 / 1024) * 10) / 10,
  };
  console.log(`imported ${report.imported} headers in ${report.ms} ms (${result.headersPerSecond} headers/s), wall ${result.wallMs} ms`);
  console.log(`peak RSS ${result.peakRssMb} MB, store ${result.storeMb} MB`);
  console.log(`reopen (status) ${result.reopenMs} ms, peak RSS ${result.reopenPeakRssMb} MB`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
