import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `npm pack` gives a package a fresh project can import: its entry loads, and its type declarations
 * type-check a consumer. The project gets our dependencies by symlink (no registry access in tests).
 */
describe('npm pack: a fresh project imports the entry and the types', () => {
  const dir = tempDir('spv-pack-');
  after(() => dir.cleanup());

  it('packs dist/index.js, dist/types and the bin; a consumer imports and type-checks', () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    for (const f of ['dist/index.js', 'dist/types/index.d.ts', 'dist/main.js', 'dist/workers/chain.worker.js', 'package.json', 'README.md']) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no sources or tests shipped');

    const project = join(dir.path, 'consumer');
    const pkgDir = join(project, 'node_modules', 'spvclient');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir.path, packed[0]!.filename), '-C', pkgDir, '--strip-components=1']);
    for (const dep of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (dep === '.bin' || dep === 'spvclient') continue;
      symlinkSync(join(REPO_ROOT, 'node_modules', dep), join(project, 'node_modules', dep));
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(
      join(project, 'index.ts'),
      [
        "import { SpvClient, SpvError, isDust } from 'spvclient';",
        "import type { ChainTip, NodeEvents } from 'spvclient';",
        'const client: SpvClient = await SpvClient.create({ network: "regtest" });',
        'const code: "btc" | "tbtc" = client.currencyCode();',
        'const dust: boolean = isDust(100);',
        'const onTip = (t: NodeEvents["tip"]): number => t.height;',
        'let tip: ChainTip | null = null;',
        'console.log(code, dust, typeof onTip, tip, SpvError.name);',
        'tip = null;',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['index.ts'] }),
    );
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `the package's types check a consumer:\n${tsc.stdout}${tsc.stderr}`);

    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import('spvclient').then(async (m) => { const c = await m.SpvClient.create({ network: 'regtest' }); console.log(c.currencyCode(), m.isDust(100)); })"],
      { cwd: project, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'tbtc true');
  });
});
