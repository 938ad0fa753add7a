// `npm run bench`: every benchmark script, one after the other, each as a child process with defaults small enough
// for about 5 minutes in all on 2 cores; each one's LAST stdout line is parsed as JSON, and a markdown table of the
// figures is printed with the machine it ran on. A script that is not there is shown as "missing", one that fails
// as "failed (exit N)": nothing is made up. Prints the table, then ONE JSON line last (every script's own JSON).
// Never asserts.
//   npm run bench [-- --only proof,rest] [--full]   (--full: the scripts' own defaults, e.g. 1M headers; much longer)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './bench/daemon.js';
import { machine } from './bench/measure.js';

const { values } = parseArgs({ options: { only: { type: 'string' }, full: { type: 'boolean' } } });
const only = values.only === undefined ? null : new Set(values.only.split(',').map((s) => s.trim()));
const full = values.full === true;
const work = mkdtempSync(join(tmpdir(), 'spv-bench-all-'));
const chainFile = join(work, 'benchnet.bin');
/** Per script: a hard bound so one hung benchmark cannot hang the suite. */
const SCRIPT_TIMEOUT_MS = full ? 1_800_000 : 600_000;

type Json = Record<string, unknown>;

interface Row {
  readonly name: string;
  readonly script: string;
  readonly status: 'ok' | 'missing' | 'failed' | 'skipped';
  readonly detail: string;
  readonly seconds: number | null;
  readonly json: Json | null;
}

interface Step {
  readonly name: string;
  readonly script: string;
  /** Arguments, given the rows so far (bench-sync uses gen-chain's file when there is one). */
  readonly args: (rows: readonly Row[]) => string[];
  /** The figures that go in the table, from the script's JSON. */
  readonly summary: (j: Json) => string;
}

const num = (v: unknown): string => (typeof v === 'number' ? v.toLocaleString('en-US') : v === null || v === undefined ? '–' : String(v));
const get = (j: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Json)[k] : undefined), j);

/** The top-level numbers of a JSON result, for scripts whose shape this file does not know. */
function genericSummary(j: Json): string {
  return Object.entries(j)
    .filter(([, v]) => typeof v === 'number')
    .slice(0, 6)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
}

const genChainOk = (rows: readonly Row[]): boolean => rows.some((r) => r.name === 'gen-chain' && r.status === 'ok' && existsSync(chainFile));

const STEPS: Step[] = [
  {
    name: 'gen-chain',
    script: 'gen-chain.ts',
    args: () => ['--headers', full ? '1000000' : '200000', '--seed', 'bench', '--out', chainFile],
    summary: (j) => `${num(j.headers)} benchnet headers, ${num(j.retargets)} retargets, written in ${num(j.ms)} ms`,
  },
  {
    name: 'validate',
    script: 'bench-validate.ts',
    args: (rows) => [...(genChainOk(rows) ? ['--file', chainFile] : []), '--gomaxprocs', '1,2,4', ...(full ? [] : ['--repeat', '1'])],
    summary: (j) => {
      const pipeline = Array.isArray(j.pipeline) ? (j.pipeline as Json[]) : [];
      const runs = pipeline.map((p) => `${num(p.headersPerSec)}/s @${num(p.gomaxprocs)}`).join(', ');
      return `${runs}; bitcoinjs-lib ${num(get(j, 'bitcoinjs', 'headersPerSec'))}/s; ratio ${num(j.ratioVsBitcoinjs)}x`;
    },
  },
  {
    name: 'import',
    script: 'bench-import.ts',
    args: (rows) => [...(genChainOk(rows) ? ['--file', chainFile, '--network', 'benchnet'] : ['--headers', full ? '1000000' : '200000']), '--gomaxprocs', '2'],
    summary: (j) =>
      `${num(j.headers)} headers: ${num(j.headersPerSecond)} headers/s (${num(j.importMs)} ms), peak RSS ${num(j.peakRssMb)} MB, ` +
      `store ${num(j.storeMb)} MB, restart: status ${num(j.statusRestartMs)} ms, daemon serving /tip ${num(j.daemonRestartMs)} ms`,
  },
  {
    name: 'sync',
    script: 'bench-sync.ts',
    args: (rows) => [
      '--blocks',
      full ? '20000' : '10000',
      ...(genChainOk(rows) ? ['--file', chainFile, '--network', 'benchnet'] : ['--headers', full ? '1000000' : '200000']),
    ],
    summary: (j) =>
      `from bcoin (${num(get(j, 'bcoin', 'blocks'))} blocks): spvclient ${num(get(j, 'bcoin', 'spvclient', 'headersPerSecond'))}/s, ` +
      `bcoin SPV ${num(get(j, 'bcoin', 'bcoinSpv', 'headersPerSecond'))}/s (${num(get(j, 'bcoin', 'ratioVsBcoinSpv'))}x), ` +
      `bcoin serves ${num(get(j, 'bcoin', 'servingHeadersPerSecond'))}/s; CPU per header ${num(get(j, 'bcoin', 'cpuUsPerHeader', 'spvclient'))} µs ` +
      `vs bcoin SPV ${num(get(j, 'bcoin', 'cpuUsPerHeader', 'bcoinSpv'))} µs; ` +
      `scripted server ${num(get(j, 'scripted', 'headers'))} headers in ${num(get(j, 'scripted', 'spvclient', 'syncMs'))} ms ` +
      `(${num(get(j, 'scripted', 'spvclient', 'headersPerSecond'))}/s; import ${num(get(j, 'scripted', 'importHeadersPerSecond'))}/s)`,
  },
  {
    name: 'proof',
    script: 'bench-proof.ts',
    args: () => ['--seconds', full ? '5' : '2'],
    summary: (j) =>
      `real txoutproofs ${num(j.realPerSecond)}/s (tree only ${num(j.realTreeOnlyPerSecond)}/s); ` +
      `${num(j.syntheticBlockTxs)}-tx blocks ${num(j.syntheticPerSecond)}/s (tree only ${num(j.syntheticTreeOnlyPerSecond)}/s); 1 thread`,
  },
  {
    name: 'rest',
    script: 'bench-rest.ts',
    args: () => ['--headers', '10000', '--seconds', full ? '10' : '5'],
    summary: (j) =>
      `getcurrentheight ${num(get(j, 'getcurrentheight', 'requestsPerSecond'))} req/s p99 ${num(get(j, 'getcurrentheight', 'latencyMs', 'p99'))} ms; ` +
      `queryheaderbyheight ${num(get(j, 'queryheaderbyheight', 'requestsPerSecond'))} req/s p99 ${num(get(j, 'queryheaderbyheight', 'latencyMs', 'p99'))} ms ` +
      `(${num(j.connections)} connections)`,
  },
];

/** Runs one script (tsx), streaming its human lines to stderr; resolves with its exit code and last stdout line. */
function runScript(script: string, args: string[]): Promise<{ code: number | null; last: string; seconds: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
    process.stderr.write(d);
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const timer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      resolve({ code, last, seconds: Math.round((performance.now() - began) / 100) / 10 });
    });
  });
}

const rows: Row[] = [];
try {
  for (const step of STEPS) {
    if (!existsSync(join(ROOT, 'scripts', step.script))) {
      rows.push({ name: step.name, script: step.script, status: 'missing', detail: `scripts/${step.script} is not in this tree`, seconds: null, json: null });
      continue;
    }
    if (only !== null && !only.has(step.name)) {
      rows.push({ name: step.name, script: step.script, status: 'skipped', detail: 'not in --only', seconds: null, json: null });
      continue;
    }
    const args = step.args(rows);
    process.stderr.write(`\n=== ${step.script} ${args.join(' ')}\n`);
    const r = await runScript(step.script, args);
    let json: Json | null = null;
    try {
      const parsed: unknown = JSON.parse(r.last);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Json;
    } catch {
      json = null;
    }
    if (r.code !== 0 || json === null) {
      const why = r.code !== 0 ? `exit ${r.code ?? 'killed'}` : 'last line is not JSON';
      rows.push({ name: step.name, script: step.script, status: 'failed', detail: `failed (${why})`, seconds: r.seconds, json });
      continue;
    }
    let detail: string;
    try {
      detail = step.summary(json);
    } catch {
      detail = genericSummary(json);
    }
    rows.push({ name: step.name, script: step.script, status: 'ok', detail, seconds: r.seconds, json });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const m = machine();
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
console.log('');
console.log(`Machine: ${m.cores} cores, ${m.cpu}, Node ${m.node} (${m.platform}); load average at the end ${load}${full ? '; --full sizes' : ''}`);
console.log('');
console.log('| Benchmark | Script | Result | Time (s) |');
console.log('|---|---|---|---|');
for (const r of rows) {
  const result = r.status === 'ok' ? r.detail : r.status === 'failed' ? r.detail : r.status;
  console.log(`| ${r.name} | \`scripts/${r.script}\` | ${result.replace(/\|/g, '\\|')} | ${r.seconds ?? '–'} |`);
}
console.log('');
console.log(
  JSON.stringify({
    bench: 'all',
    ...m,
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    full,
    results: Object.fromEntries(rows.map((r) => [r.name, r.status === 'ok' ? r.json : { status: r.status, detail: r.detail }])),
  }),
);
