/**
 * Smoke test of the benchmark scripts (issue 5): each one runs with tiny sizes, exits 0 and prints a JSON object
 * with its expected keys as its LAST stdout line. No figure is checked (benchmarks never assert, and timing belongs
 * in no test). The scripts that need the daemon use dist/ (npm test builds it first).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const SCRIPTS = join(REPO_ROOT, 'scripts');
const MAIN_JS = join(REPO_ROOT, 'dist', 'main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly last: Record<string, unknown>;
}

/** Runs `node --import tsx scripts/<script> ...args` (bounded), and parses its last stdout line. */
async function runScript(script: string, args: string[], timeoutMs: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(SCRIPTS, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-100_000)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearTimeout(timer);
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  let last: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(lastLine);
    assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), 'the last line is a JSON object');
    last = parsed as Record<string, unknown>;
  } catch (err) {
    assert.fail(`${script}: last stdout line is not JSON (exit ${code}): ${lastLine.slice(0, 300)}\n${stderr.slice(-2000)} ${String(err)}`);
  }
  return { code, stdout, stderr, last };
}

function expectKeys(run: Run, script: string, keys: readonly string[]): void {
  assert.equal(run.code, 0, `${script} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  for (const k of keys) assert.ok(k in run.last, `${script}: key ${k} missing from ${JSON.stringify(run.last).slice(0, 500)}`);
  // Human lines come first: the JSON line is the last of several.
  assert.ok(run.stdout.trim().split('\n').length >= 2, `${script}: human lines before the JSON line`);
}

const skipUnlessScript = (name: string): string | false =>
  existsSync(join(SCRIPTS, name)) ? false : `scripts/${name} is not in this tree: skipping`;
const skipUnlessBuilt = (): string | false => (existsSync(MAIN_JS) ? false : `${MAIN_JS} not built (npm run build): skipping`);

describe('benchmark scripts run with tiny sizes and end with one JSON line', { concurrency: 1 }, () => {
  const dir = tempDir('spv-bench-smoke-');
  const chainFile = join(dir.path, 'chain.bin');
  after(() => dir.cleanup());

  it('gen-chain', { skip: skipUnlessScript('gen-chain.ts'), timeout: 60_000 }, async () => {
    const run = await runScript('gen-chain.ts', ['--headers', '2500', '--seed', 'smoke', '--out', chainFile], 50_000);
    expectKeys(run, 'gen-chain.ts', ['file', 'network', 'headers']);
    assert.ok(existsSync(chainFile), 'the chain file was written');
  });

  it('bench-validate', { skip: skipUnlessScript('bench-validate.ts') || skipUnlessBuilt(), timeout: 120_000 }, async () => {
    const source = existsSync(chainFile) ? ['--file', chainFile] : ['--headers', '2500', '--seed', 'smoke'];
    const run = await runScript(
      'bench-validate.ts',
      [...source, '--gomaxprocs', '1,2', '--repeat', '1', '--bitcoinjs-headers', '2000', '--hash-headers', '2000'],
      110_000,
    );
    expectKeys(run, 'bench-validate.ts', ['bench', 'headers', 'pipeline', 'bitcoinjs']);
  });

  it('bench-import', { skip: skipUnlessBuilt(), timeout: 120_000 }, async () => {
    const run = await runScript('bench-import.ts', ['--headers', '3000', '--gomaxprocs', '1'], 110_000);
    expectKeys(run, 'bench-import.ts', ['bench', 'headers', 'headersPerSecond', 'peakRssMb', 'statusRestartMs', 'daemonRestartMs']);
    assert.equal(run.last.exitCode, 0, 'the import itself succeeded');
  });

  it('bench-sync (bcoin, bcoin SPV, bare getheaders client, scripted server)', { skip: skipUnlessBuilt(), timeout: 240_000 }, async () => {
    const run = await runScript('bench-sync.ts', ['--blocks', '300', '--headers', '4001', '--gomaxprocs', '1'], 230_000);
    expectKeys(run, 'bench-sync.ts', ['bench', 'cores', 'bcoin', 'scripted']);
    const bcoin = run.last.bcoin as Record<string, unknown>;
    for (const k of ['servingHeadersPerSecond', 'spvclient', 'bcoinSpv', 'ratioVsBcoinSpv', 'cpuUsPerHeader']) assert.ok(k in bcoin, `bcoin.${k}`);
    assert.equal((bcoin.spvclient as { height: number }).height, 300, 'spvclient synced every bcoin block');
    assert.equal((bcoin.bcoinSpv as { height: number } | null)?.height, 300, 'bcoin SPV synced every block');
    const scripted = run.last.scripted as { headers: number; spvclient: { height: number } };
    assert.equal(scripted.spvclient.height, scripted.headers, 'spvclient synced every scripted header');
  });

  it('bench-proof', { timeout: 120_000 }, async () => {
    const run = await runScript('bench-proof.ts', ['--seconds', '0.2', '--txs', '300', '--proofs', '8'], 110_000);
    expectKeys(run, 'bench-proof.ts', ['bench', 'realPerSecond', 'syntheticPerSecond', 'syntheticBlockTxs']);
    assert.equal(run.last.syntheticBlockTxs, 300);
  });

  it('bench-rest', { skip: skipUnlessBuilt(), timeout: 120_000 }, async () => {
    const run = await runScript('bench-rest.ts', ['--headers', '300', '--seconds', '1', '--connections', '4', '--gomaxprocs', '1'], 110_000);
    expectKeys(run, 'bench-rest.ts', ['bench', 'getcurrentheight', 'queryheaderbyheight']);
    for (const k of ['getcurrentheight', 'queryheaderbyheight'] as const) {
      const r = run.last[k] as { requestsPerSecond: number; non2xx: number; latencyMs: { p99: number } };
      assert.ok(r.requestsPerSecond > 0, `${k}: some requests were answered`);
      assert.equal(r.non2xx, 0, `${k}: every answer was a 2xx`);
    }
  });

  it('bench (the suite runner) lists every script, missing ones as "missing"', { timeout: 60_000 }, async () => {
    const run = await runScript('bench.ts', ['--only', 'proof'], 55_000);
    expectKeys(run, 'bench.ts', ['bench', 'cores', 'cpu', 'node', 'results']);
    const results = run.last.results as Record<string, { status?: string }>;
    assert.deepEqual(Object.keys(results).sort(), ['gen-chain', 'import', 'proof', 'rest', 'sync', 'validate']);
    assert.match(run.stdout, /\| Benchmark \| Script \| Result \| Time \(s\) \|/);
    for (const [name, file] of [['gen-chain', 'gen-chain.ts'], ['validate', 'bench-validate.ts']] as const) {
      const expected = existsSync(join(SCRIPTS, file)) ? 'skipped' : 'missing';
      assert.equal(results[name]?.status, expected, `${name}: ${expected}`);
    }
  });
});
