// `npm run demo`: a tour of what spvclient does today, through the built CLI, in a temporary directory.
// 1. real mainnet headers 0-9999 (from ../shared/fixtures, when present) imported and audited;
// 2. a synthetic regtest chain and a longer competing branch: the store follows the most-work chain;
// 3. a header that breaks a consensus rule, rejected with its code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REGTEST } from '../src/chain/params.js';
import { ChainBuilder } from '../test/helpers/chainBuilder.js';

const root = resolve(import.meta.dirname, '..');
const main = join(root, 'dist', 'main.js');
const fixtures = resolve(process.env.SPV_FIXTURES ?? join(root, '..', 'shared', 'fixtures'));
const dir = mkdtempSync(join(tmpdir(), 'spv-demo-'));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [main, ...args, '--loglevel', '6'], { encoding: 'utf8' });
  console.log(`$ spvclient ${args.join(' ').replaceAll(dir, '$DEMO')}`);
  console.log((r.stdout + r.stderr).trim().replaceAll(dir, '$DEMO').replace(/^/gm, '  '));
  console.log(`  (exit ${r.status})\n`);
  return r.stdout;
}

try {
  const real = join(fixtures, 'mainnet', 'headers', 'mainnet-headers-0-9999.bin');
  if (existsSync(real)) {
    console.log('== 1. Real mainnet headers 0-9999, full validation, crash-safe store ==\n');
    cli(['import', real, '--datadir', join(dir, 'mainnet')]);
    cli(['status', '--verify', '--datadir', join(dir, 'mainnet')]);
  } else {
    console.log(`== 1. skipped: fixtures not found at ${fixtures} ==\n`);
  }

  console.log('== 2. Forks: the most-work chain wins (regtest, synthetic headers mined here) ==\n');
  const b = new ChainBuilder(REGTEST);
  const a = b.extend(3000);
  const forkBuilder = b.fork(2000);
  const fork = forkBuilder.extend(1100, { tag: 1 });
  writeFileSync(join(dir, 'a.bin'), Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(a.raw)]));
  writeFileSync(join(dir, 'fork.bin'), Buffer.from(fork.raw));
  const rg = ['--network', 'regtest', '--datadir', join(dir, 'regtest')];
  cli(['import', join(dir, 'a.bin'), ...rg]);
  console.log('A competing branch from height 2000, 100 blocks longer: it reorganises the best chain.\n');
  cli(['import', join(dir, 'fork.bin'), '--height', '2001', ...rg]);
  cli(['status', '--verify', ...rg]);

  console.log('== 3. A header timestamped before the median of the previous 11 is rejected ==\n');
  const bad = forkBuilder.next({ time: forkBuilder.tipTime - 3600 });
  writeFileSync(join(dir, 'bad.bin'), Buffer.from(bad.raw));
  cli(['import', join(dir, 'bad.bin'), '--height', '3101', '--json', ...rg]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
