import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { MAIN_JS } from '../helpers/cli.js';
import { CrashLedger, crashSettings, splitTrials } from '../helpers/crashTrials.js';
import { mulberry32 } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';
import { runImportTrials } from './importTrials.js';
import { runSyncTrials } from './syncTrials.js';
import { runVotingTrials } from './votingTrials.js';

/**
 * Crash trials (`npm run test:crash`, not part of `npm test`): CRASH_TRIALS (default 50) SIGKILLs at random
 * moments, split 2:2:1 between import, P2P sync with a reorg, and alliance voting. Every random choice derives
 * from CRASH_SEED (printed), so a run can be replayed. Invariant violations are counted, not thrown, and the
 * last test prints `trials: N, inconsistencies: M` and fails unless M is 0.
 */
// The trials run the built CLI and daemon (CI builds it in `npm test` first).
if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build before npm run test:crash`);
const { trials, seed } = crashSettings();
const only = new Set((process.env.CRASH_KINDS ?? 'import,sync,voting').split(','));
const [nImport, nSync, nVoting] = splitTrials(trials, [only.has('import') ? 2 : 0, only.has('sync') ? 2 : 0, only.has('voting') ? 1 : 0]);
const ledger = new CrashLedger(seed);
/** One generator per kind, so each kind replays alone with the same seed. */
const rand = (kind: number): (() => number) => mulberry32((seed ^ Math.imul(kind + 1, 0x9e3779b1)) >>> 0);

console.log(`crash trials: ${trials} (import ${nImport}, sync ${nSync}, voting ${nVoting}), seed ${seed} (replay with CRASH_SEED=${seed})`);

describe(`crash trials (seed ${seed})`, () => {
  const dir = tempDir('spv-crash-');
  after(() => dir.cleanup());

  it(`${nImport} SIGKILLs during import (with reorgs)`, { timeout: 300_000 }, async () => {
    const r = await runImportTrials(ledger, nImport!, rand(0), dir.path + '/import');
    console.log(`import: ${nImport} trials, ${r.killedMidway} killed mid-import; clean import ${r.mainMs} ms, reorg import ${r.forkMs} ms`);
    // A loaded machine stretches or squeezes the calibrated window, and some kills are aimed at start-up: most, not all.
    assert.ok(r.killedMidway >= Math.ceil(nImport! * 0.5), `kills must land mid-import (${r.killedMidway}/${nImport})`);
  });

  it(`${nSync} SIGKILLs of the daemon during P2P sync with a reorg`, { timeout: 300_000 }, async () => {
    const r = await runSyncTrials(ledger, nSync!, rand(1), dir.path + '/sync');
    console.log(`sync: ${nSync} trials, store at the kills ${JSON.stringify(r.killPoints)}; clean run: sync ${r.calibration.syncMs} ms, reorg ${r.calibration.reorgMs} ms`);
  });

  it(`${nVoting} SIGKILLs of a validator's daemon during deposit voting`, { timeout: 300_000 }, async () => {
    const r = await runVotingTrials(ledger, nVoting!, rand(2), dir.path + '/voting');
    console.log(`voting: ${nVoting} trials, ${r.deposits} deposits, victim's states at the kills ${JSON.stringify(r.killStates)}; clean vote ${r.voteMs} ms`);
  });

  it('no inconsistencies', () => {
    console.log(ledger.summary());
    assert.equal(ledger.found.length, 0, ledger.found.map((f) => `${f.kind} #${f.trial}: ${f.what}`).join('\n'));
  });
});
