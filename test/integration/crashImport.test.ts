import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REGTEST } from '../../src/chain/params.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * SIGKILL at a random moment during a long import, restart, and audit the store's invariants: the tip is
 * the most-work header stored, every best-chain header links to its parent, the height index matches the
 * best chain, no acknowledged header is lost. Even trials import a chain into an empty store; odd trials
 * start from a complete chain and import a longer competing branch, so kills land before, during and
 * after the reorg. Each killed import is then resumed to completion and audited again.
 */
const TRIALS = Number(process.env.CRASH_TRIALS ?? 10);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const MAIN = 20_000;
const FORK_AT = 1_000;
const FORK = MAIN - FORK_AT + 1_000;

interface Status {
  tip: { height: number; hash: string };
  headers: number;
  audit: { ok: boolean; problems: string[] };
}

describe(`crash safety: ${TRIALS} SIGKILLs during import (seed ${SEED}; replay with CRASH_SEED)`, () => {
  const dir = tempDir('spv-crash-');
  after(() => dir.cleanup());
  const b = new ChainBuilder(REGTEST);
  const main = b.extend(MAIN);
  const fork = b.fork(FORK_AT).extend(FORK, { tag: 1 });
  const mainFile = join(dir.path, 'main.bin');
  const forkFile = join(dir.path, 'fork.bin');
  writeFileSync(mainFile, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(main.raw)]));
  writeFileSync(forkFile, Buffer.from(fork.raw));
  const rand = mulberry32(SEED);
  const args = (dataDir: string): string[] => ['--network', 'regtest', '--datadir', dataDir, '--loglevel', '6'];

  /** The audited status, or null when the kill came before the store was created (nothing written). */
  function status(dataDir: string): Status | null {
    const r = runCli(['status', '--json', '--verify', ...args(dataDir)]);
    let out: Status | { error: { code: string; message: string; details?: unknown } };
    try {
      out = JSON.parse(r.stdout) as typeof out;
    } catch {
      assert.fail(`status printed no JSON (exit ${r.status}, signal ${r.signal}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    if ('error' in out) {
      assert.equal(out.error.code, 'STORE_NOT_FOUND', `${r.stdout}\n${r.stderr}`);
      return null;
    }
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return out;
  }

  // A store holding the complete main chain, copied as the starting point of the reorg trials.
  // Its wall time (process start to exit) sets the kill window, so kills land mid-import on any machine.
  const baseDir = join(dir.path, 'base');
  const baseStart = Date.now();
  const base = runCli(['import', mainFile, '--json', ...args(baseDir)], { timeoutMs: 120_000 });
  const importWallMs = Date.now() - baseStart;
  assert.equal(base.status, 0, base.stderr);

  it('every restart finds a consistent store, and the resumed import reaches the most-work tip', async () => {
    let killedMidway = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const reorg = trial % 2 === 1;
      const dataDir = join(dir.path, `t${trial}`);
      if (reorg) cpSync(baseDir, dataDir, { recursive: true });
      const importArgs = reorg
        ? ['import', forkFile, '--height', String(FORK_AT + 1), ...args(dataDir)]
        : ['import', mainFile, ...args(dataDir)];
      const child = spawnCli(importArgs);
      const delayMs = Math.floor(importWallMs * (0.25 + 0.7 * rand()));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      const { signal } = await exitOf(child);
      if (signal === 'SIGKILL') killedMidway++;

      const s = status(dataDir);
      // No store at all is consistent too (killed before it was created), but not for a copied store.
      if (s !== null || reorg) {
        assert.ok(s !== null, `trial ${trial}: the copied store vanished`);
        assert.deepEqual(s.audit.problems, [], `trial ${trial} (${reorg ? 'reorg' : 'import'}, kill after ${delayMs} ms)`);
        if (reorg) assert.ok(s.headers >= MAIN + 1, 'the stored main chain is never lost');
      }

      const resumed = runCli(['import', ...importArgs.slice(1), '--json'], { timeoutMs: 120_000 });
      assert.equal(resumed.status, 0, `trial ${trial}: exit ${resumed.status}, signal ${resumed.signal}\n${resumed.stderr}`);
      const done = status(dataDir);
      assert.ok(done !== null);
      assert.deepEqual(done.audit.problems, [], `trial ${trial} after resuming`);
      const tip = reorg ? fork.headers[FORK - 1]! : main.headers[MAIN - 1]!;
      assert.equal(done.tip.height, tip.height);
      assert.equal(done.tip.hash, tip.hashHex);
    }
    // Start-up takes part of the window, and a loaded machine stretches or squeezes it: most, not all.
    assert.ok(killedMidway >= Math.ceil(TRIALS * 0.6), `kills must land mid-import (${killedMidway}/${TRIALS})`);
  });
});
