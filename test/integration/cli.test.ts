import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REGTEST } from '../../src/chain/params.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { exitOf, runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { FX, fixturePath, skipUnlessFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('spv-cli-');
after(() => dir.cleanup());

function json<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

interface ImportJson {
  tip: { height: number; hash: string };
  imported: number;
  duplicates: number;
  rejected: null | { height: number; hash: string; code: string };
  ms: number;
}

describe('spvclient import / status (built CLI, real worker threads and LevelDB)', () => {
  it('imports mainnet 0-9999 from genesis: tip 9999 00000000fbc9…c3a7', { skip: skipUnlessFixture(FX.mainnet0) }, () => {
    const dataDir = join(dir.path, 'm0');
    const r = runCli(['import', fixturePath(FX.mainnet0), '--json', '--datadir', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const out = json<ImportJson>(r.stdout);
    assert.deepEqual(out.tip, { height: 9999, hash: '00000000fbc97cc6c599ce9c24dd4a2243e2bfd518eda56e1d5e47d29e29c3a7' });
    assert.equal(out.imported + out.duplicates, 10000);
    assert.equal(out.rejected, null);
    assert.equal(typeof out.ms, 'number');

    const again = runCli(['import', fixturePath(FX.mainnet0), '--json', '--datadir', dataDir]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(json<ImportJson>(again.stdout).imported, 0);
    assert.equal(json<ImportJson>(again.stdout).duplicates, 10000);

    const st = runCli(['status', '--json', '--verify', '--datadir', dataDir]);
    assert.equal(st.status, 0, st.stderr);
    const s = json<{ tip: { height: number; chainwork: string }; headers: number; audit: { ok: boolean } }>(st.stdout);
    assert.equal(s.tip.height, 9999);
    assert.equal(s.tip.chainwork, '0000000000000000000000000000000000000000000000000000271027102710');
    assert.equal(s.headers, 10000);
    assert.equal(s.audit.ok, true);

    const text = runCli(['status', '--datadir', dataDir]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /tip\s+9999 00000000fbc97cc6/);
  });

  it('imports from a trusted anchor at 822528 through 4 retargets', { skip: skipUnlessFixture(FX.mainnet822528) }, () => {
    const dataDir = join(dir.path, 'm822528');
    const r = runCli(['import', fixturePath(FX.mainnet822528), '--height', '822528', '--trust-anchor', '--json', '--datadir', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const out = json<ImportJson>(r.stdout);
    assert.equal(out.tip.height, 830592);
    assert.equal(out.rejected, null);
    // A second, different anchor is refused.
    const other = runCli(['import', fixturePath(FX.mainnet0), '--height', '0', '--trust-anchor', '--json', '--datadir', dataDir]);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /ANCHOR_STORE_NOT_EMPTY/);
  });

  it('prints height, hash and code of the first rejected header and exits 1', () => {
    const b = new ChainBuilder(REGTEST);
    const good = b.extend(30);
    const bad = b.next({ time: b.tipTime - 5000 }); // before the median time past
    const file = join(dir.path, 'bad.bin');
    writeFileSync(file, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(good.raw), Buffer.from(bad.raw)]));
    const dataDir = join(dir.path, 'rg');
    const r = runCli(['import', file, '--json', '--network', 'regtest', '--datadir', dataDir]);
    assert.equal(r.status, 1);
    const out = json<ImportJson>(r.stdout);
    assert.equal(out.rejected?.height, 31);
    assert.equal(out.rejected?.hash, bad.hashHex);
    assert.equal(out.rejected?.code, 'HEADER_TIME_TOO_OLD');
    assert.equal(out.tip.height, 30);
    const text = runCli(['import', file, '--network', 'regtest', '--datadir', dataDir]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, new RegExp(`rejected header at height 31 ${bad.hashHex}: HEADER_TIME_TOO_OLD`));
  });

  it('rejects a file that is not whole headers, or whose first header is not genesis at height 0', () => {
    const file = join(dir.path, 'short.bin');
    writeFileSync(file, Buffer.alloc(81));
    const r = runCli(['import', file, '--network', 'regtest', '--datadir', join(dir.path, 'x')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /IMPORT_FILE_INVALID/);
    const nongen = join(dir.path, 'nongen.bin');
    writeFileSync(nongen, Buffer.from(new ChainBuilder(REGTEST).next().raw));
    const r2 = runCli(['import', nongen, '--network', 'regtest', '--datadir', join(dir.path, 'x')]);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /IMPORT_FILE_INVALID/);
    assert.equal(existsSync(join(dir.path, 'x')), false, 'nothing written');
  });

  it('status without a store fails with STORE_NOT_FOUND and creates nothing', () => {
    const r = runCli(['status', '--datadir', join(dir.path, 'none'), '--json']);
    assert.equal(r.status, 1);
    assert.equal(json<{ error: { code: string } }>(r.stdout).error.code, 'STORE_NOT_FOUND');
    assert.equal(existsSync(join(dir.path, 'none')), false);
  });
});

describe('bad flags and bad conf.json: exit code 2, a message naming the problem, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flag', ['--bogus'], /bogus/],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['loglevel out of range', ['--loglevel', '9'], /--loglevel/],
    ['loglevel not a number', ['--loglevel', 'x'], /--loglevel/],
    ['gomaxprocs 0', ['--gomaxprocs', '0'], /--gomaxprocs/],
    ['unknown network', ['--network', 'litecoin'], /--network/],
    ['import without file', ['import'], /exactly one FILE/],
    ['trust-anchor off a retarget height', ['import', 'x.bin', '--trust-anchor', '--height', '5'], /multiple of 2016/],
    ['anchor-chainwork without trust-anchor', ['import', 'x.bin', '--anchor-chainwork', 'ff'], /--trust-anchor/],
    ['missing explicit config', ['status', '--config', '/nonexistent/conf.json'], /CONFIG_NOT_FOUND/],
  ];
  for (const [name, args, re] of cases) {
    it(name, () => {
      const r = runCli([...args, '--datadir', join(dir.path, 'never')]);
      assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(existsSync(join(dir.path, 'never')), false);
    });
  }

  const configs: Array<[string, unknown, RegExp]> = [
    ['unknown top-level key', { network: 'regtest', bogus: 1 }, /unknown key "bogus"/],
    ['unknown nested key', { chain: { start: 'genesis', extra: true } }, /unknown key "chain.extra"/],
    ['bad network', { network: 'litecoin' }, /"network"/],
    ['bad logLevel', { logLevel: 9 }, /"logLevel"/],
    ['anchor off a retarget height', { chain: { start: { height: 5, header: '00'.repeat(80), chainwork: '01' } } }, /"chain.start/],
  ];
  for (const [name, conf, re] of configs) {
    it(`conf.json: ${name}`, () => {
      const file = join(dir.path, `conf-${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify({ dataDir: join(dir.path, 'never'), ...(conf as object) }));
      const r = runCli(['status', '--config', file]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /CONFIG_INVALID/);
      assert.match(r.stderr, re);
      assert.equal(existsSync(join(dir.path, 'never')), false);
    });
  }

  it('conf.json that is not JSON -> CONFIG_PARSE', () => {
    const file = join(dir.path, 'broken.json');
    writeFileSync(file, '{ "network": ');
    const r = runCli(['status', '--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /CONFIG_PARSE/);
  });

  it('--help for each command exits 0', () => {
    for (const args of [['--help'], ['import', '--help'], ['status', '-h']]) {
      const r = runCli(args);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Usage: spvclient/);
    }
  });
});

describe('daemon', () => {
  it('starts, opens the store, and on SIGTERM shuts down in order and exits 0', async () => {
    const dataDir = join(dir.path, 'daemon');
    const child = spawnCli(['--network', 'regtest', '--datadir', dataDir, '--loglevel', '2', '--rest-port', '0']);
    try {
      await waitForLine(child, /chain worker ready/);
      child.kill('SIGTERM');
      const line = waitForLine(child, /"msg":"stopped"/);
      const { code } = await exitOf(child);
      await line;
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
    // The store was closed cleanly: it opens again at once.
    const st0 = runCli(['status', '--json', '--network', 'regtest', '--datadir', dataDir]);
    assert.equal(st0.status, 0, st0.stderr);
  });

  it('a REST port already in use: REST_LISTEN_FAILED, exit 1, workers shut down', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = join(dir.path, 'daemon-busy');
    try {
      const r = runCli(['--network', 'regtest', '--datadir', dataDir, '--rest-port', String(port), '--loglevel', '6'], { timeoutMs: 20_000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /REST_LISTEN_FAILED/);
    } finally {
      blocker.close();
    }
    // The workers were shut down in order: the store is not left locked.
    const st = runCli(['status', '--json', '--network', 'regtest', '--datadir', dataDir]);
    assert.equal(st.status, 0, st.stderr);
  });
});
