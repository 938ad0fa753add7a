import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DepositRecord, WithdrawalRecord } from '../../src/protocol/allianceRecords.js';
import { stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Bridge, rpc, waitFor } from '../helpers/bridgeHarness.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Alliance fault injection with three real validators (bcoin regtest + devnet): the alliance node refusing
 * connections, dropping them, timing out, answering HTTP 500, non-JSON, another request's id, `result: null`, and
 * events of the wrong types; validators restarted at every step of the deposit and withdrawal state machines.
 * Throughout: no deposit or withdrawal is lost, no validator votes twice for one txid or signs a withdrawal twice.
 */
describe('alliance faults and restarts at every step (bcoin regtest + devnet + 3 validators)', { timeout: 420_000 }, () => {
  const dir = tempDir('spv-bridge-faults-');
  let bridge: Bridge;

  before(async () => {
    bridge = await Bridge.start({ dir: dir.path, minConfirmations: 2, changeKind: 'p2sh', seed: 23 });
    await bridge.bcoin.mine(140); // matured coinbases for every payment below (paying never has to mine)
    await bridge.waitForTip(await bridge.bcoin.height(), 60_000);
  });

  after(async () => {
    await bridge?.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  const fault = (mode: string, count: number, extra: { delayMs?: number; methods?: string[] } = {}) =>
    rpc(bridge.devnet.url, 'devnet_fault', [{ mode, count, ...extra }]);

  /** A deposit with two confirmations (enough), relayed (after `beforeRelay`); resolves once it is in the devnet. */
  async function confirmedDeposit(beforeRelay?: () => Promise<unknown>): Promise<{ txid: string }> {
    const d = await bridge.deposit('p2sh', 5_000_000);
    await bridge.bcoin.mine(1);
    await bridge.waitForTip(await bridge.bcoin.height());
    await beforeRelay?.();
    await bridge.relayDeposit(d);
    return d;
  }

  async function votedOnceByAll(txid: string, what: string, timeoutMs = 60_000): Promise<DepositRecord[]> {
    let last: unknown = null;
    const recs = await waitFor(`${what}: voteConfirmed everywhere`, async () => {
      const s = await bridge.depositStates(txid);
      last = s.map((r) => [r?.state, r?.reason?.code]);
      return s.every((r) => r?.state === 'voteConfirmed') ? (s as DepositRecord[]) : undefined;
    }, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
    const dev = bridge.devnetState().deposits.find((x) => x.txid === txid)!;
    assert.equal(dev.voteCount, 3, `${what}: each validator voted exactly once`);
    assert.equal(dev.executed, true);
    return recs;
  }

  function noDuplicates(): void {
    const byReason = bridge.devnetState().rejected.byReason;
    assert.equal(byReason['DUPLICATE_VOTE'] ?? 0, 0, 'no second vote for a txid reached the chain');
    assert.equal(byReason['ALREADY_SIGNED'] ?? 0, 0, 'no second MultiSign for a withdrawal reached the chain');
  }

  const transportFaults: { mode: string; count: number; delayMs?: number }[] = [
    { mode: 'refuse', count: 1, delayMs: 2_500 },
    { mode: 'down', count: 10 },
    { mode: 'http500', count: 10 },
    { mode: 'garbage', count: 10 },
    { mode: 'wrongId', count: 10 },
    { mode: 'nullResult', count: 10 },
    { mode: 'slow', count: 3, delayMs: 6_000 }, // beyond the 5 s RPC timeout: executed, answer lost
  ];
  for (const f of transportFaults) {
    it(`alliance RPC fault '${f.mode}': retried, the deposit is voted once by each validator`, async () => {
      const errorsBefore = (await Promise.all(bridge.validators.map((v) => v.client.allianceCounters()))).reduce((s, c) => s + c.pollErrors, 0);
      const setFault = () => fault(f.mode, f.count, f.delayMs === undefined ? {} : { delayMs: f.delayMs });
      // 'refuse' closes the listener for everyone, the relayer too: it goes down right after the relay.
      const d = f.mode === 'refuse' ? await confirmedDeposit() : await confirmedDeposit(setFault);
      if (f.mode === 'refuse') await setFault();
      await votedOnceByAll(d.txid, f.mode);
      assert.equal(bridge.devnetState().fault.remaining, 0, 'every fault was hit');
      if (f.mode !== 'slow') {
        const errorsAfter = (await Promise.all(bridge.validators.map((v) => v.client.allianceCounters()))).reduce((s, c) => s + c.pollErrors, 0);
        assert.ok(errorsAfter > errorsBefore, `${f.mode}: the failures were seen and counted (${errorsBefore} → ${errorsAfter})`);
      }
      noDuplicates();
    });
  }

  it('events of the wrong types are skipped and counted; the next good deposit is still voted', async () => {
    const before = await Promise.all(bridge.validators.map((v) => v.client.allianceCounters()));
    const bad: unknown[] = [
      42,
      'notifyBtcProof',
      ['notifyBtcProof'],
      ['notifyBtcProof', 5, null],
      ['notifyBtcProof', 'ab'.repeat(32), 'not hex'],
      ['notifyBtcProof', 'ab'.repeat(32), 'abcd'],
      ['makeBtcTx', 'zz', 7],
      ['makeBtcTx', '00', '00'],
      ['btcTxToRelay', { a: 1 }],
      { method: 'notifyBtcProof' },
    ];
    let last = 0;
    for (const states of bad) last = await bridge.injectNotify(states);
    await bridge.observedPast(last);
    const afterCounters = await Promise.all(bridge.validators.map((v) => v.client.allianceCounters()));
    for (const [i, c] of afterCounters.entries()) {
      assert.ok(c.eventsSkipped >= before[i]!.eventsSkipped + 6, `validator ${i} skipped the malformed events (${before[i]!.eventsSkipped} → ${c.eventsSkipped})`);
    }
    const d = await confirmedDeposit();
    await votedOnceByAll(d.txid, 'after malformed events');
  });

  it('deposit: restarts while waiting, while voting (vote signed, not sent) and after the vote is confirmed — one vote each', async () => {
    // waiting: one confirmation of two.
    const d = await bridge.deposit('p2sh', 7_000_000);
    await bridge.waitForTip(await bridge.bcoin.height());
    await bridge.relayDeposit(d);
    await waitFor('waiting everywhere', async () => ((await bridge.depositStates(d.txid)).every((r) => r?.state === 'waiting') ? true : undefined));
    await bridge.restart(0);
    // voting: the vote is signed and persisted, but sendrawtransaction is down for everyone.
    await fault('down', 100_000, { methods: ['sendrawtransaction'] });
    await bridge.bcoin.mine(1);
    await bridge.waitForTip(await bridge.bcoin.height());
    const voting = await waitFor('voting (signed, not sent) everywhere', async () => {
      const s = await bridge.depositStates(d.txid);
      return s.every((r) => r?.state === 'voting' && r.vote !== null) ? (s as DepositRecord[]) : undefined;
    });
    await bridge.restart(0);
    await bridge.restart(1);
    await fault('none', 0);
    const done = await votedOnceByAll(d.txid, 'after restarts');
    for (const [i, r] of done.entries()) assert.equal(r.vote?.txHash, voting[i]!.vote?.txHash, `validator ${i} sent the vote it had signed, not a new one`);
    // After the vote is confirmed a restart changes nothing (restart between "sent" and "confirmed": bridgeE2e).
    await bridge.restart(2);
    await bridge.bcoin.mine(1);
    await bridge.waitForTip(await bridge.bcoin.height());
    const again = await bridge.validators[2]!.client.deposit(d.txid);
    assert.equal(again?.state, 'voteConfirmed');
    assert.equal(again?.vote?.txHash, voting[2]!.vote?.txHash);
    noDuplicates();
  });

  it('withdrawal: restarts while signing (MultiSign signed, not sent) and right after sending — one signature each, mined', async () => {
    const d = await confirmedDeposit();
    await votedOnceByAll(d.txid, 'funding deposit');
    await fault('down', 100_000, { methods: ['sendrawtransaction'] });
    const id = await bridge.requestWithdrawal(3_000_000);
    const signing = await waitFor('signing (signed, not sent) everywhere', async () => {
      const s = await bridge.withdrawalStates(id);
      return s.every((r) => r?.state === 'signing' && r.multiSign !== null) ? (s as WithdrawalRecord[]) : undefined;
    });
    await bridge.restart(0);
    await bridge.restart(1);
    await bridge.restart(2);
    await fault('none', 0);
    // Restart validator 0 again as soon as it has sent (submitted, or already seen executed).
    await waitFor('validator 0 sent its MultiSign', async () => {
      const r = await bridge.validators[0]!.client.withdrawal(id);
      return r !== null && r.state !== 'signing' ? true : undefined;
    });
    await bridge.restart(0);
    const done = await waitFor('withdrawal finished everywhere', async () => {
      const s = await bridge.withdrawalStates(id);
      return s.every((r) => r !== null && ['confirmed', 'relayed'].includes(r.state)) ? (s as WithdrawalRecord[]) : undefined;
    }, 60_000);
    for (const [i, r] of done.entries()) {
      if (r.state === 'confirmed') assert.equal(r.multiSign?.txHash, signing[i]!.multiSign?.txHash, `validator ${i} sent what it had signed`);
    }
    const relayed = await waitFor('assembled by the devnet', async () => bridge.devnetState().relayed.find((r) => r.withdrawalId === id));
    await bridge.bcoin.sendRawTransaction(relayed.txHex);
    const [blockHash] = await bridge.bcoin.mine(1);
    const block = await bridge.bcoin.rpc<{ tx: string[] }>('getblock', [blockHash, true]);
    assert.ok(block.tx.includes(relayed.txid), 'bcoin accepted and mined the co-signed withdrawal');
    noDuplicates();
  });
});
