/**
 * Crash trials, kind (c): SIGKILL of a validator's daemon (`node dist/main.js --config`, alliance enabled) at a
 * random moment while deposits are verified and voted. One bcoin regtest node, one alliance devnet and one bridge
 * (test/helpers/bridgeHarness.ts) serve every trial. The devnet has three voters (quorum 2): v0 runs in-process,
 * v1 is stopped, and v2 — the victim — runs as a daemon, so no deposit reaches quorum unless the victim votes.
 *
 * Each trial relays two deposits (one with enough confirmations, one a block short, whose missing block is mined at
 * a random moment), watches the victim's records over REST, and SIGKILLs it at a random moment. Then: the victim's
 * header store passes its own audit; the victim restarts on the same data; no deposit it had recorded is lost or
 * goes back to an earlier state; a vote it had prepared is the one that executes (same Poly tx hash); both
 * deposits reach voteConfirmed and the devnet executes them (quorum) with exactly one vote from the victim, and the
 * devnet never saw a second vote from it (its DUPLICATE_VOTE rejections stay 0).
 */
import { mkdirSync } from 'node:fs';
import { stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Bridge } from '../helpers/bridgeHarness.js';
import type { CrashLedger } from '../helpers/crashTrials.js';
import { DaemonProcess, auditStore, pollUntil, restResult, sleep, writeConf } from '../helpers/crashTrials.js';
import type { DepositRecord, DepositState } from '../../src/protocol/allianceRecords.js';

const KIND = 'voting';
const VICTIM = 2;
const RESUME_TIMEOUT_MS = 30_000;
const DEPOSIT_SATS = 10_000_000;

/** How far a deposit got; a restart may only move it forward. */
const RANK: Readonly<Record<DepositState, number>> = { waiting: 0, voting: 1, voteSent: 2, voteConfirmed: 3, voteFailed: 4, rejected: 4 };

type Snapshot = Map<string, DepositRecord>;

class Victim {
  daemon: DaemonProcess | null = null;
  port = 0;

  constructor(readonly conf: string) {}

  async start(): Promise<void> {
    this.daemon = DaemonProcess.start(this.conf);
    this.port = await this.daemon.restPort();
  }

  async records(txids: readonly string[]): Promise<Snapshot> {
    const out: Snapshot = new Map();
    for (const txid of txids) {
      const r = await restResult<DepositRecord>(this.port, `/api/v1/deposits/${txid}`, 2_000);
      if (r !== null) out.set(txid, r);
    }
    return out;
  }
}

function duplicateVotesBy(bridge: Bridge, address: string): number {
  return bridge.devnetState().rejected.entries.filter((e) => e.reason === 'DUPLICATE_VOTE' && e.detail.includes(address)).length;
}

export interface VotingTrialsResult {
  readonly deposits: number;
  /** Warm-up: relaying a deposit to the victim's confirmed vote (ms). */
  readonly voteMs: number;
  /** The victim's last seen state of each trial's deposits when it was killed ("none": not yet observed). */
  readonly killStates: Record<string, number>;
}

export async function runVotingTrials(ledger: CrashLedger, count: number, rand: () => number, dir: string): Promise<VotingTrialsResult> {
  if (count === 0) return { deposits: 0, voteMs: 0, killStates: {} };
  mkdirSync(dir, { recursive: true });
  const bridge = await Bridge.start({ dir, validators: 3, m: 2, minConfirmations: 2, pollIntervalMs: 200, seed: 11 });
  const killStates: Record<string, number> = {};
  let deposits = 0;
  let voteMs = 0;
  let victim: Victim | null = null;
  try {
    // v1 stays down for good; v2 moves from in-process to a daemon on the same data, wallet and keys.
    await bridge.validators[1]!.client.close();
    const v = bridge.validators[VICTIM]!;
    await v.client.close();
    const victimAddress = v.polyAddress;
    const conf = writeConf(v.dataDir, { ...v.config, logLevel: 2, rest: { enabled: true, port: 0 } });
    victim = new Victim(conf);
    await victim.start();

    const waitConfirmed = async (v2: Victim, txids: readonly string[], timeoutMs: number): Promise<Snapshot | null> =>
      pollUntil(async () => {
        const s = await v2.records(txids);
        return txids.every((t) => s.get(t)?.state === 'voteConfirmed') ? s : null;
      }, timeoutMs, 100);

    // Warm-up (mines the coins the deposits spend) and calibration: relay to the victim's confirmed vote.
    const warm = await bridge.deposit('p2sh', DEPOSIT_SATS);
    await bridge.bcoin.mine(1);
    const relayAt = Date.now();
    await bridge.relayDeposit(warm);
    if ((await waitConfirmed(victim, [warm.txid], 60_000)) === null) throw new Error(`warm-up deposit never confirmed by the victim: ${victim.daemon?.output.slice(-3000)}`);
    voteMs = Date.now() - relayAt;
    deposits++;

    for (let trial = 0; trial < count; trial++) {
      ledger.startTrial(KIND);
      // `ready` has its confirmations when relayed; `short` is one block short until the block mined at `mineMs`.
      const ready = await bridge.deposit(trial % 2 === 0 ? 'p2sh' : 'p2wsh', DEPOSIT_SATS);
      const short = await bridge.deposit('p2sh', DEPOSIT_SATS);
      const txids = [ready.txid, short.txid];
      deposits += 2;
      // The short deposit can be voted once its block is mined and seen: the kill is drawn over that whole span.
      const mineMs = Math.floor(voteMs * rand());
      const killMs = Math.floor((mineMs + voteMs) * rand());
      const label = `mine at ${mineMs} ms, SIGKILL at ${killMs} ms`;
      await bridge.relayDeposit(ready);
      await bridge.relayDeposit(short);
      const started = Date.now();
      let mined: Promise<unknown> | null = null;
      let last: Snapshot = new Map();
      // Watch the victim's records until the kill (they are what it has acknowledged).
      for (let round = 0; Date.now() - started < killMs && round < 10_000; round++) {
        if (mined === null && Date.now() - started >= mineMs) mined = bridge.bcoin.mine(1);
        const s = await victim.records(txids);
        if (Date.now() - started < killMs) last = s;
        await sleep(20);
      }
      const daemon = victim.daemon!;
      const killed = await daemon.kill();
      ledger.check(killed.signal === 'SIGKILL', KIND, trial, `${label}: the daemon had exited before the kill ${JSON.stringify(killed)}: ${daemon.output.slice(-1500)}`);
      const stateKey = txids.map((t) => last.get(t)?.state ?? 'none').join('/');
      killStates[stateKey] = (killStates[stateKey] ?? 0) + 1;
      ledger.note(KIND, trial, `${label}: victim's states ${stateKey}`);
      await (mined ?? bridge.bcoin.mine(1));

      // The header store of the killed validator.
      const audit = auditStore(['--config', conf]);
      if (ledger.check(audit.status !== null, KIND, trial, `${label}: header store after SIGKILL: ${audit.error ?? 'missing'}`) && audit.status !== null) {
        ledger.check(audit.status.audit.ok, KIND, trial, `${label}: audit after SIGKILL ${JSON.stringify(audit.status.audit.problems)}`);
      }

      await victim.start();
      // Nothing the victim had recorded is lost or moves back.
      const first = await victim.records(txids);
      for (const [txid, before] of last) {
        const now = first.get(txid);
        if (!ledger.check(now !== undefined, KIND, trial, `${label}: deposit ${txid} (${before.state} before the kill) lost after restart`) || now === undefined) continue;
        ledger.check(RANK[now.state] >= RANK[before.state], KIND, trial, `${label}: deposit ${txid} went back from ${before.state} to ${now.state}`);
        if (before.vote !== null) {
          ledger.check(now.vote?.txHash === before.vote.txHash, KIND, trial, `${label}: deposit ${txid} vote changed from ${before.vote.txHash} to ${now.vote?.txHash}`);
        }
      }
      // Voting resumes and reaches quorum, with exactly one vote from the victim.
      const done = await waitConfirmed(victim, txids, RESUME_TIMEOUT_MS);
      ledger.check(done !== null, KIND, trial, `${label}: votes not confirmed after restart: ${JSON.stringify([...(await victim.records(txids)).values()].map((r) => [r.txid, r.state, r.reason]))}`);
      const executed = await pollUntil(async () => {
        const st = bridge.devnetState();
        const ds = txids.map((t) => st.deposits.find((d) => d.txid === t));
        return ds.every((d) => d?.executed === true) ? ds : null;
      }, RESUME_TIMEOUT_MS, 100);
      if (ledger.check(executed !== null, KIND, trial, `${label}: quorum not reached on the devnet: ${JSON.stringify(bridge.devnetState().deposits.filter((d) => txids.includes(d.txid)))}`) && executed !== null) {
        for (const d of executed) {
          ledger.check(d?.votes[victimAddress] === true, KIND, trial, `${label}: the devnet has no vote from the victim for ${d?.txid}`);
          ledger.check(d?.voteCount === 2, KIND, trial, `${label}: ${d?.txid} has ${d?.voteCount} votes from 2 running validators`);
          ledger.check(d?.problem === null, KIND, trial, `${label}: ${d?.txid} executed with a problem: ${d?.problem}`);
        }
        for (const [txid, rec] of done ?? new Map<string, DepositRecord>()) {
          const before = last.get(txid)?.vote?.txHash;
          if (before !== undefined) ledger.check(rec.vote?.txHash === before, KIND, trial, `${label}: ${txid} confirmed with vote ${rec.vote?.txHash}, prepared ${before} before the kill`);
        }
      }
      ledger.check(duplicateVotesBy(bridge, victimAddress) === 0, KIND, trial, `${label}: the victim voted twice: ${JSON.stringify(bridge.devnetState().rejected.entries.filter((e) => e.reason === 'DUPLICATE_VOTE'))}`);
    }

    // After the last trial: an orderly stop, and the victim's header store audited once more.
    const stopped = await victim.daemon!.stop();
    victim.daemon = null;
    ledger.check(stopped.code === 0, KIND, count, `final stop of the victim: ${JSON.stringify(stopped)}`);
    const final = auditStore(['--config', conf]);
    ledger.check(final.status?.audit.ok === true, KIND, count, `final audit of the victim's header store: ${final.error ?? JSON.stringify(final.status?.audit.problems)}`);
    ledger.check(bridge.devnetState().rejected.byReason['DUPLICATE_VOTE'] === undefined, KIND, count, 'a validator voted twice');
  } finally {
    await victim?.daemon?.kill();
    await bridge.stop();
    await stopAllBcoinNodes();
  }
  return { deposits, voteMs, killStates };
}
