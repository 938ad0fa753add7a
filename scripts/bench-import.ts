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

try {
  const b = new ChainBuilder(REGTEST);
  const file = join(dir, 'headers.bin');
  writeFileSync(file, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(b.extend(count).raw)]));
  const dataDir = join(dir, 'data');
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'dist', 'main.js'), 'import', file, '--json', '--network', 'regtest', '--datadir', dataDir, '--gomaxprocs', String(threads), '--loglevel', '6'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let peakKb = 0;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, rssKb(child.pid!))), 20);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  const wallMs = performance.now() - began;
  const report = JSON.parse(out.trim()) as { imported: number; ms: number };
  const result = {
    bench: 'import',
    network: 'regtest (synthetic)',
    headers: count,
    gomaxprocs: threads,
    cores: availableParallelism(),
    exitCode: code,
    wallMs: Math.round(wallMs),
    importMs: report.ms,
    headersPerSecond: Math.round((report.imported / report.ms) * 1000),
    peakRssMb: Math.round(peakKb / 1024),
    storeMb: Math.round((dirSize(dataDir) / 1024 / 1024) * 10) / 10,
  };
  console.log(`imported ${report.imported} headers in ${report.ms} ms (${result.headersPerSecond} headers/s), wall ${result.wallMs} ms`);
  console.log(`peak RSS ${result.peakRssMb} MB, store ${result.storeMb} MB`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
