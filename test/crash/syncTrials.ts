/**
 * Crash trials, kind (b): SIGKILL of the real daemon (`node dist/main.js --config`) at a random moment while it
 * syncs headers over P2P from two scripted peers, with a reorg in the middle of it. Peer A serves chain A; peer B
 * first serves only the common prefix, then, at a random moment, switches to a heavier fork B (branching well below
 * A's tip) and announces B's tip, as a node does after a reorg: the daemon fetches B from the fork point and
 * reorganises. After the kill the store's own audit must be clean; the daemon is restarted on the same data and must
 * sync to the most-work tip (B's), and after an orderly stop the audit must be clean again.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REGTEST } from '../../src/chain/params.js';
import { hashToHex } from '../../src/util/bytes.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import type { CrashLedger, StoreStatus } from '../helpers/crashTrials.js';
import { DaemonProcess, auditStore, pollUntil, restResult, sleep, writeConf } from '../helpers/crashTrials.js';
import { HeaderChain } from '../helpers/headerChain.js';
import { ScriptedPeer } from '../helpers/scriptedPeer.js';

const A_LEN = 8_100;
const FORK_AT = 2_000;
/** B's length above the fork: B's tip is 1,000 headers above A's (regtest headers all carry the same work). */
const B_LEN = A_LEN - FORK_AT + 1_000;
const KIND = 'sync';
const RESUME_TIMEOUT_MS = 30_000;

interface TipResult {
  readonly height: number;
  readonly hash: string;
}

interface Chains {
  /** Display hashes of A's and B's own headers (B: above the fork point). */
  readonly onA: ReadonlySet<string>;
  readonly onB: ReadonlySet<string>;
  readonly a: HeaderChain;
  readonly prefix: HeaderChain;
  readonly b: HeaderChain;
  readonly aTip: string;
  readonly bTip: string;
  readonly bTipHeight: number;
}

function buildChains(): Chains {
  const builder = new ChainBuilder(REGTEST);
  const a = builder.extend(A_LEN);
  const b = builder.fork(FORK_AT).extend(B_LEN, { tag: 2 });
  const bAll = new Uint8Array((FORK_AT + B_LEN) * 80);
  bAll.set(a.raw.subarray(0, FORK_AT * 80), 0);
  bAll.set(b.raw, FORK_AT * 80);
  const bChain = new HeaderChain(bAll);
  return {
    onA: new Set(a.headers.map((h) => h.hashHex)),
    onB: new Set(b.headers.map((h) => h.hashHex)),
    a: new HeaderChain(a.raw),
    prefix: new HeaderChain(a.raw.slice(0, FORK_AT * 80)),
    b: bChain,
    aTip: a.headers[A_LEN - 1]!.hashHex,
    bTip: hashToHex(bChain.tipHash),
    bTipHeight: FORK_AT + B_LEN,
  };
}

interface Trial {
  readonly peerA: ScriptedPeer;
  readonly peerB: ScriptedPeer;
  readonly conf: string;
  /** B switches to the heavier fork and announces its tip (idempotent). */
  readonly reorg: () => void;
  /** Resolves when the switch happened. */
  readonly switched: Promise<void>;
  /** Resolves when B has received its n-th getheaders since the switch (the daemon fetching the fork, batch by batch). */
  readonly bRequest: (n: number) => Promise<void>;
  /** getheaders B received since the switch. */
  readonly bRequests: () => number;
  readonly close: () => Promise<void>;
}

/**
 * Two scripted peers and a daemon conf for one trial. With `switchAfter`, B switches to the fork when A receives
 * its switchAfter-th getheaders, i.e. after A has served that many 2000-header batches (A has 5: the 5th is
 * its last 100), so the reorg overlaps A's sync at a chosen point.
 */
async function setUp(dir: string, chains: Chains, switchAfter: number | null = null): Promise<Trial> {
  mkdirSync(dir, { recursive: true });
  let requests = 0;
  let reorg: () => void = () => undefined;
  const peerA = await ScriptedPeer.start({
    chain: chains.a,
    onGetHeaders: () => {
      if (++requests === switchAfter) setImmediate(reorg);
      return undefined; // serve chain A
    },
  });
  let done = false;
  let bCount = 0;
  const bWaiters: Array<{ n: number; resolve: () => void }> = [];
  const peerB = await ScriptedPeer.start({
    chain: chains.prefix,
    onGetHeaders: () => {
      if (!done) return undefined; // before the switch: the common prefix, not part of the reorg
      bCount++;
      for (const w of bWaiters.filter((x) => x.n <= bCount)) {
        bWaiters.splice(bWaiters.indexOf(w), 1);
        w.resolve();
      }
      return undefined; // serve B's current chain
    },
  });
  const bRequest = (n: number): Promise<void> =>
    n <= bCount ? Promise.resolve() : new Promise<void>((resolve) => bWaiters.push({ n, resolve }));
  const conf = writeConf(dir, {
    network: 'regtest',
    dataDir: join(dir, 'data'),
    logLevel: 2,
    peers: { connect: [`127.0.0.1:${peerA.port}`, `127.0.0.1:${peerB.port}`], dnsSeeds: false },
    rest: { port: 0 },
  });
  let onSwitch: () => void = () => undefined;
  const switched = new Promise<void>((resolve) => {
    onSwitch = resolve;
  });
  reorg = (): void => {
    if (done) return;
    done = true;
    peerB.setChain(chains.b);
    // Only B's tip, like bcoin after a reorg: it does not connect, so the daemon asks B from its locator.
    if (peerB.open.length > 0) peerB.announceTip();
    onSwitch();
  };
  return { peerA, peerB, conf, reorg: () => reorg(), switched, bRequest, bRequests: () => bCount, close: async () => Promise.all([peerA.close(), peerB.close()]).then(() => undefined) };
}

async function waitTip(port: number, hash: string, timeoutMs: number): Promise<{ reached: boolean; last: TipResult | null }> {
  let last: TipResult | null = null;
  const hit = await pollUntil(async () => {
    last = await restResult<TipResult>(port, '/api/v1/tip');
    return last?.hash === hash ? true : null;
  }, timeoutMs, 50);
  return { reached: hit !== null, last };
}

export interface SyncTrialsResult {
  /** Clean run: daemon start to A's tip, and B's announcement to B's tip (ms). */
  readonly calibration: { readonly syncMs: number; readonly reorgMs: number; readonly reorgBatches: number };
  /** What the store held at each kill (see killPoint). */
  readonly killPoints: Record<string, number>;
}

/** Where a kill landed, read from the audited store: how far A's sync, the fork and the reorg had got. */
function killPoint(s: StoreStatus | null, chains: Chains): string {
  if (s === null) return 'no store yet';
  if (s.tip.hash === chains.bTip) return 'at B tip';
  if (chains.onB.has(s.tip.hash)) return 'reorganised, syncing B';
  const forkStored = s.headers > s.tip.height + 1;
  if (s.tip.hash === chains.aTip) return forkStored ? 'at A tip, fork stored' : 'at A tip';
  if (s.tip.height === 0) return 'genesis only';
  return forkStored ? 'syncing A, fork stored' : 'syncing A';
}

export async function runSyncTrials(ledger: CrashLedger, count: number, rand: () => number, dir: string): Promise<SyncTrialsResult> {
  if (count === 0) return { calibration: { syncMs: 0, reorgMs: 0, reorgBatches: 0 }, killPoints: {} };
  const chains = buildChains();
  const args = (conf: string): string[] => ['--config', conf];

  // Calibration: one uninterrupted run sets the windows the kills and the reorg are drawn from.
  const cal = await setUp(join(dir, 'calibration'), chains);
  let calibration: { syncMs: number; reorgMs: number; reorgBatches: number };
  try {
    const started = Date.now();
    const d = DaemonProcess.start(cal.conf);
    try {
      const port = await d.restPort();
      const a = await waitTip(port, chains.aTip, RESUME_TIMEOUT_MS);
      if (!a.reached) throw new Error(`calibration: daemon did not sync chain A (tip ${JSON.stringify(a.last)})`);
      const syncMs = Date.now() - started;
      const switchAt = Date.now();
      cal.reorg();
      const b = await waitTip(port, chains.bTip, RESUME_TIMEOUT_MS);
      if (!b.reached) throw new Error(`calibration: daemon did not reorganise to chain B (tip ${JSON.stringify(b.last)}; peer B open ${cal.peerB.open.length}): ${d.output.slice(-4000)}`);
      calibration = { syncMs, reorgMs: Date.now() - switchAt, reorgBatches: Math.max(1, cal.bRequests()) };
    } finally {
      await d.stop();
    }
    const s = auditStore(args(cal.conf));
    if (s.status === null || !s.status.audit.ok || s.status.tip.hash !== chains.bTip) throw new Error(`calibration: store ${JSON.stringify(s)}`);
  } finally {
    await cal.close();
  }

  const killPoints: Record<string, number> = {};
  for (let trial = 0; trial < count; trial++) {
    ledger.startTrial(KIND);
    // A quarter of the kills land at a random moment of start-up and A's sync; the rest at a random moment of
    // the reorg (which starts after a random number of A's batches): while B's k-th batch is fetched and stored.
    const early = rand() < 0.25;
    const fraction = rand();
    const switchAfter = 1 + Math.floor(rand() * 5);
    // Half of them around B's last batch, whose storing moves the tip to B (the reorg's commit).
    const batch = rand() < 0.5 ? calibration.reorgBatches : 1 + Math.floor(rand() * calibration.reorgBatches);
    const t = await setUp(join(dir, `t${trial}`), chains, switchAfter);
    try {
      let killMs: number;
      const d = DaemonProcess.start(t.conf);
      const started = Date.now();
      if (early) {
        await sleep(Math.floor(calibration.syncMs * (0.1 + 0.9 * fraction)));
        killMs = Date.now() - started;
      } else {
        // An early switch may need one request fewer: then the kill falls after the reorg, bounded here.
        await Promise.race([t.bRequest(batch), sleep(Math.max(2_000, calibration.syncMs * 2))]);
        // At B's k-th request, batch k-1 is being validated and stored (sync pipelines: it asks before it stores).
        const perBatchMs = Math.max(300, (4 * calibration.reorgMs) / calibration.reorgBatches);
        await sleep(Math.floor(perBatchMs * fraction));
        killMs = Date.now() - started;
      }
      const label = early
        ? `SIGKILL at ${killMs} ms (during A's sync)`
        : `reorg after A's batch ${switchAfter}, SIGKILL at ${killMs} ms while B's batch ${batch} is fetched`;
      const killed = await d.kill();
      ledger.check(killed.signal === 'SIGKILL', KIND, trial, `${label}: the daemon had exited before the kill (${JSON.stringify(killed)}): ${d.output.slice(-1500)}`);

      const afterKill = auditStore(args(t.conf));
      ledger.check(afterKill.error === null, KIND, trial, `${label}: ${afterKill.error}`);
      const point = killPoint(afterKill.status, chains);
      killPoints[point] = (killPoints[point] ?? 0) + 1;
      ledger.note(KIND, trial, `${label}: ${point} (B served ${t.bRequests()} requests)`);
      if (afterKill.status !== null) {
        ledger.check(afterKill.status.audit.ok, KIND, trial, `${label}: audit after SIGKILL ${JSON.stringify(afterKill.status.audit.problems)}`);
      }

      // Restart on the same data with B served: sync must resume and end at the most-work tip.
      t.reorg();
      const again = DaemonProcess.start(t.conf);
      try {
        const port = await again.restPort();
        const r = await waitTip(port, chains.bTip, RESUME_TIMEOUT_MS);
        ledger.check(r.reached, KIND, trial, `${label}: after restart sync did not reach the most-work tip ${chains.bTipHeight} ${chains.bTip} in ${RESUME_TIMEOUT_MS} ms (tip ${JSON.stringify(r.last)})`);
      } finally {
        const stopped = await again.stop();
        ledger.check(stopped.code === 0, KIND, trial, `${label}: restarted daemon did not stop cleanly ${JSON.stringify(stopped)}: ${again.output.slice(-1500)}`);
      }
      const final = auditStore(args(t.conf));
      if (ledger.check(final.status !== null, KIND, trial, `${label}: no store after the restart (${final.error})`) && final.status !== null) {
        ledger.check(final.status.audit.ok, KIND, trial, `${label}: audit after restart ${JSON.stringify(final.status.audit.problems)}`);
        ledger.check(final.status.tip.hash === chains.bTip, KIND, trial, `${label}: stored tip ${final.status.tip.height} ${final.status.tip.hash} after restart, expected ${chains.bTipHeight} ${chains.bTip}`);
      }
    } finally {
      await t.close();
    }
  }
  return { calibration, killPoints };
}
