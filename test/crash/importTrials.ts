/**
 * Crash trials, kind (a): SIGKILL at a random moment during `spvclient import`. Even trials import a chain into an
 * empty store; odd trials start from a store holding the complete main chain and import a longer competing branch,
 * so kills land before, during and after the reorg. After each kill the store's own audit must be clean (and a
 * copied store must still hold the main chain: nothing acknowledged is lost); then the import is resumed to
 * completion and must end, audited, at the most-work tip.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { REGTEST } from '../../src/chain/params.js';
import { BEST_INDEX_END, KEY_COUNT } from '../../src/store/keys.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { exitOf, runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import type { CrashLedger } from '../helpers/crashTrials.js';
import { auditStore, sleep } from '../helpers/crashTrials.js';

const MAIN = 12_000;
const FORK_AT = 1_000;
const FORK = MAIN - FORK_AT + 1_000;
const KIND = 'import';
/** 'I': the best-chain index records (src/store/keys.ts). */
const BEST_INDEX_PREFIX = 0x49;

/** Deletes the middle record of the best-chain index ('I' keys; per header or per chunk, whatever the layout). */
async function deleteBestIndexRecord(db: Level<Uint8Array, Uint8Array>): Promise<void> {
  const keys: Uint8Array[] = [];
  for await (const key of db.keys({ gt: Uint8Array.of(BEST_INDEX_PREFIX), lt: BEST_INDEX_END, limit: 100_000 })) keys.push(key);
  const victim = keys[Math.floor(keys.length / 2)];
  if (keys.length < 3 || victim === undefined) throw new Error(`control: the store layout changed (${keys.length} best-chain index records)`);
  await db.del(victim);
}

/**
 * The checks must be able to see damage, or every trial would pass whatever happened: copies of the base store
 * with a best-chain index record deleted, and with a wrong header count (what a torn write could leave), must each
 * be refused at open or fail the audit — either is counted as an inconsistency in a trial.
 */
async function controlTrials(baseDir: string, dir: string, args: (dataDir: string) => string[]): Promise<void> {
  const damages: Array<[string, (db: Level<Uint8Array, Uint8Array>) => Promise<void>]> = [
    ['deleted best-chain index record', deleteBestIndexRecord],
    ['wrong header count', (db) => db.put(KEY_COUNT, Uint8Array.of(0, 0, 0, 7))],
  ];
  for (const [i, [what, damage]] of damages.entries()) {
    const controlDir = join(dir, `control${i}`);
    cpSync(baseDir, controlDir, { recursive: true });
    const db = new Level<Uint8Array, Uint8Array>(join(controlDir, 'regtest', 'headers'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    try {
      await damage(db);
    } finally {
      await db.close();
    }
    const damaged = auditStore(args(controlDir));
    if (damaged.error === null && damaged.status?.audit.ok !== false) {
      throw new Error(`control: the checks did not notice a ${what}: ${JSON.stringify(damaged)}`);
    }
  }
}

/** The chain worker's log line once the store is open (the import proper starts right after). */
const STORE_OPEN = /"msg":"header store (opened|created)"/;

/** Runs an import to completion; returns the time from the store opening to the process exit (ms). */
async function timedImport(importArgs: readonly string[]): Promise<number> {
  const child = spawnCli([...importArgs, '--loglevel', '2']);
  await waitForLine(child, STORE_OPEN, 60_000);
  const opened = Date.now();
  const { code } = await exitOf(child, 120_000);
  if (code !== 0) throw new Error(`calibration import failed (exit ${code}): ${importArgs.join(' ')}`);
  return Date.now() - opened;
}

export interface ImportTrialsResult {
  /** Kills that landed while the import was still running (not after it finished). */
  readonly killedMidway: number;
  /** Calibration: import of the main chain and of the heavier fork over it, from the store opening to exit (ms). */
  readonly mainMs: number;
  readonly forkMs: number;
}

export async function runImportTrials(ledger: CrashLedger, count: number, rand: () => number, dir: string): Promise<ImportTrialsResult> {
  if (count === 0) return { killedMidway: 0, mainMs: 0, forkMs: 0 };
  mkdirSync(dir, { recursive: true });
  const b = new ChainBuilder(REGTEST);
  const main = b.extend(MAIN);
  const fork = b.fork(FORK_AT).extend(FORK, { tag: 1 });
  const mainFile = join(dir, 'main.bin');
  const forkFile = join(dir, 'fork.bin');
  writeFileSync(mainFile, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(main.raw)]));
  writeFileSync(forkFile, Buffer.from(fork.raw));
  const args = (dataDir: string): string[] => ['--network', 'regtest', '--datadir', dataDir, '--loglevel', '6'];
  const mainArgs = (dataDir: string): string[] => ['import', mainFile, ...args(dataDir)];
  const forkArgs = (dataDir: string): string[] => ['import', forkFile, '--height', String(FORK_AT + 1), ...args(dataDir)];

  // A store holding the complete main chain, copied as the start of the reorg trials. The time each import takes
  // once its store is open sets the kill windows (start-up time varies most on a loaded machine, so it is left out).
  const baseDir = join(dir, 'base');
  const mainMs = await timedImport(mainArgs(baseDir));
  const forkProbe = join(dir, 'fork-probe');
  cpSync(baseDir, forkProbe, { recursive: true });
  const forkMs = await timedImport(forkArgs(forkProbe));

  await controlTrials(baseDir, dir, args);

  let killedMidway = 0;
  for (let trial = 0; trial < count; trial++) {
    ledger.startTrial(KIND);
    const reorg = trial % 2 === 1;
    const dataDir = join(dir, `t${trial}`);
    if (reorg) cpSync(baseDir, dataDir, { recursive: true });
    const importArgs = reorg ? forkArgs(dataDir) : mainArgs(dataDir);
    // One trial in eight is killed at a random moment of start-up (before or while the store opens).
    const atStartUp = rand() < 0.125;
    const fraction = rand();
    const child = spawnCli([...importArgs, '--loglevel', '2']);
    let delayMs: number;
    if (atStartUp) {
      delayMs = Math.floor(400 * fraction);
      await sleep(delayMs);
    } else {
      await waitForLine(child, STORE_OPEN, 60_000).catch(() => undefined);
      delayMs = Math.floor((reorg ? forkMs : mainMs) * 0.95 * fraction);
      await sleep(delayMs);
    }
    child.kill('SIGKILL');
    const { signal } = await exitOf(child);
    if (signal === 'SIGKILL') killedMidway++;
    const label = `${reorg ? 'reorg import' : 'import'}, SIGKILL ${delayMs} ms after ${atStartUp ? 'spawn' : 'the store opened'}`;

    const killed = auditStore(args(dataDir));
    ledger.note(KIND, trial, `${label}: ${signal === 'SIGKILL' ? 'killed' : 'had finished'}, tip ${killed.status?.tip.height ?? 'no store'}`);
    ledger.check(killed.error === null, KIND, trial, `${label}: ${killed.error}`);
    if (killed.status === null) {
      // No store at all is consistent (killed before it was created), but never for a copied store.
      ledger.check(!reorg || killed.error !== null, KIND, trial, `${label}: the copied store vanished`);
    } else {
      ledger.check(killed.status.audit.ok, KIND, trial, `${label}: audit ${JSON.stringify(killed.status.audit.problems)}`);
      if (reorg) {
        ledger.check(killed.status.headers >= MAIN + 1, KIND, trial, `${label}: stored main chain lost (${killed.status.headers} headers)`);
        // The tip never loses work: it is the main tip or a fork header with more work.
        ledger.check(killed.status.tip.height >= MAIN, KIND, trial, `${label}: tip fell to ${killed.status.tip.height}`);
      }
    }

    const resumed = runCli(['import', ...importArgs.slice(1), '--json'], { timeoutMs: 120_000 });
    ledger.check(resumed.status === 0, KIND, trial, `${label}: the resumed import failed (exit ${resumed.status}): ${resumed.stdout.slice(0, 300)} ${resumed.stderr.slice(0, 300)}`);
    const done = auditStore(args(dataDir));
    const tip = reorg ? fork.headers[FORK - 1]! : main.headers[MAIN - 1]!;
    if (ledger.check(done.status !== null, KIND, trial, `${label}: no store after resuming (${done.error})`) && done.status !== null) {
      ledger.check(done.status.audit.ok, KIND, trial, `${label}: audit after resuming ${JSON.stringify(done.status.audit.problems)}`);
      ledger.check(done.status.tip.hash === tip.hashHex && done.status.tip.height === tip.height, KIND, trial, `${label}: resumed tip ${done.status.tip.height} ${done.status.tip.hash}, expected the most-work ${tip.height} ${tip.hashHex}`);
    }
  }
  return { killedMidway, mainMs, forkMs };
}
