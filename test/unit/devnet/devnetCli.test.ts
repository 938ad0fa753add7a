import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDevnetConfig } from '../../../scripts/devnet/devnetConfig.js';
import { toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/tmp.js';
import { btcKey, call, multisigRedeem, polyKey } from './devnetKit.js';

const config = {
  voters: [polyKey('P-256', 'cli0').address, polyKey('secp256k1', 'cli1').address],
  redeemScript: toHex(multisigRedeem(1, [btcKey('cli')])),
  btcNetwork: 'regtest',
  blocksToWait: 3,
  changeKind: 'p2wsh',
  feeRate: 1,
};

function runCli(args: string[]): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'devnet.ts'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.once('exit', () => reject(new Error(`exited before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { child, firstLine, exit };
}

describe('scripts/devnet.ts CLI', () => {
  const dir = tempDir('spv-devnet-cli-');
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    dir.cleanup();
  });

  it('prints {"url"} once listening, serves JSON-RPC, exits 0 on SIGTERM', async () => {
    const cfg = join(dir.path, 'devnet.json');
    writeFileSync(cfg, JSON.stringify(config));
    const run = runCli(['--config', cfg, '--port', '0']);
    children.push(run.child);
    const line = await run.firstLine;
    const { url } = JSON.parse(line) as { url: string };
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await call(url, 'getblockcount', []), 1);
    const st = await call<{ quorum: number; voters: string[] }>(url, 'devnet_state', []);
    assert.deepEqual([st.quorum, st.voters], [2, config.voters]);
    run.child.kill('SIGTERM');
    assert.equal((await run.exit).code, 0);
  });

  it('exits 1 with a JSON error on a bad config', async () => {
    const cfg = join(dir.path, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ ...config, extra: 1 }));
    const run = runCli(['--config', cfg]);
    children.push(run.child);
    const { code, stderr } = await run.exit;
    assert.equal(code, 1);
    assert.equal((JSON.parse(stderr.trim()) as { error: string }).error, 'CONFIG_INVALID');
  });

  it('parseDevnetConfig maps the JSON to DevnetOptions and rejects bad shapes', () => {
    const o = parseDevnetConfig({ ...config, port: 5, ccmAddressHex: '03'.padEnd(40, '0') });
    assert.equal(toHex(o.redeemScript), config.redeemScript);
    assert.deepEqual([o.port, o.ccmAddressHex, o.host], [5, '03'.padEnd(40, '0'), undefined]);
    assert.throws(() => parseDevnetConfig([]), hasCode('CONFIG_INVALID'));
    assert.throws(() => parseDevnetConfig({ ...config, redeemScript: 'zz' }), hasCode('CONFIG_INVALID'));
    assert.throws(() => parseDevnetConfig({ ...config, voters: 'A' }), hasCode('CONFIG_INVALID'));
    assert.throws(() => parseDevnetConfig({ ...config, feeRate: '1' }), hasCode('CONFIG_INVALID'));
  });
});
