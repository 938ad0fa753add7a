import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Bridge, rpc, waitFor } from '../helpers/bridgeHarness.js';
import type { MultisigKind } from '../helpers/bridgeHarness.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The bridge end to end on loopback: a real bcoin regtest node, the alliance devnet, three spvclient validators
 * (2-of-3 multisig). Deposit: too few confirmations → waiting, one more block → every validator votes once, quorum.
 * Withdrawal: every validator checks and co-signs, the devnet assembles, the signed tx goes out through spvclient's
 * REST broadcasttx and bcoin — the independent judge of our signatures — accepts and mines it. P2SH and P2WSH.
 */
describe('bridge end to end (bcoin regtest + devnet + 3 validators)', { timeout: 240_000 }, () => {
  const dir = tempDir('spv-bridge-');
  let bridge: Bridge;

  before(async () => {
    bridge = await Bridge.start({ dir: dir.path, rest: true, minConfirmations: 2, changeKind: 'p2wsh' });
    const height = await bridge.activateSegwit();
    await bridge.waitForTip(height, 60_000);
  });

  after(async () => {
    await bridge?.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  async function depositFlow(kind: MultisigKind, value: number): Promise<string> {
    const d = await bridge.deposit(kind, value);
    const height = await bridge.bcoin.height();
    await bridge.waitForTip(height);
    await bridge.relayDeposit(d);
    // One confirmation, two required: every validator holds it as waiting, nobody votes.
    const waiting = await waitFor('deposit waiting everywhere', async () => {
      const s = await bridge.depositStates(d.txid);
      return s.every((r) => r?.state === 'waiting' && r.reason?.code === 'DEPOSIT_TOO_FEW_CONFIRMATIONS') ? s : undefined;
    });
    assert.equal(waiting.length, 3);
    assert.equal(bridge.devnetState().deposits.find((x) => x.txid === d.txid)?.voteCount, 0);

    await bridge.bcoin.mine(1);
    const states = await waitFor('votes confirmed', async () => {
      const s = await bridge.depositStates(d.txid);
      return s.every((r) => r?.state === 'voteConfirmed') ? s : undefined;
    });
    for (const r of states) {
      assert.equal(r!.verified?.scriptKind, kind);
      assert.equal(r!.verified?.value, String(value));
      assert.equal(r!.verified?.blockHash, d.blockHash);
    }
    const dev = bridge.devnetState().deposits.find((x) => x.txid === d.txid)!;
    assert.equal(dev.executed, true);
    assert.equal(dev.problem, null);
    assert.equal(dev.voteCount, 3, 'each validator voted exactly once');
    return d.txid;
  }

  async function withdrawalFlow(value: number): Promise<{ id: string; txid: string }> {
    const id = await bridge.requestWithdrawal(value);
    const relayed = await waitFor('withdrawal assembled by the devnet', async () => bridge.devnetState().relayed.find((r) => r.withdrawalId === id));
    let last: unknown = null;
    const signed = await waitFor('validators signed', async () => {
      const s = await bridge.withdrawalStates(id);
      last = s.map((r) => [r?.state, r?.reason]);
      return s.filter((r) => r !== null && ['confirmed', 'failed', 'relayed'].includes(r.state)).length === 3 ? s : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}; devnet: ${JSON.stringify(bridge.devnetState().rejected)}`);
    });
    assert.ok(signed.filter((r) => r?.state === 'confirmed').length >= bridge.m, JSON.stringify(signed.map((r) => [r?.state, r?.reason])));
    // The signed tx goes to the Bitcoin network through spvclient's REST (net worker → bcoin).
    const res = await fetch(`${bridge.restUrl!}/api/v1/broadcasttx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: relayed.txHex }) });
    const body = (await res.json()) as { error: number; desc: string };
    assert.equal(body.error, 0, body.desc);
    await bridge.bcoin.waitForMempool(relayed.txid, { timeoutMs: 10_000 });
    const [blockHash] = await bridge.bcoin.mine(1);
    const block = await bridge.bcoin.rpc<{ tx: string[] }>('getblock', [blockHash, true]);
    assert.ok(block.tx.includes(relayed.txid), 'bcoin mined the withdrawal');
    return { id, txid: relayed.txid };
  }

  it('a P2SH deposit is voted once by each validator after enough confirmations, and its withdrawal is mined', async () => {
    await depositFlow('p2sh', 50_000_000);
    const w = await withdrawalFlow(20_000_000);
    const tx = Transaction.fromHex(bridge.devnetState().relayed.find((r) => r.withdrawalId === w.id)!.txHex);
    assert.ok(tx.ins.some((i) => i.script.length > 0), 'a P2SH input carries its scriptSig');
    // The validators learned the change output (final txid) from btcTxToRelay.
    const rec = await waitFor('finalTxid recorded', async () => {
      const r = await bridge.validators[0]!.client.withdrawal(w.id);
      return r?.finalTxid !== null ? r : undefined;
    });
    assert.equal(rec?.finalTxid, w.txid);
  });

  it('a P2WSH deposit and a withdrawal spending it (and the earlier change) are mined', async () => {
    await depositFlow('p2wsh', 80_000_000);
    const w = await withdrawalFlow(90_000_000);
    const tx = Transaction.fromHex(bridge.devnetState().relayed.find((r) => r.withdrawalId === w.id)!.txHex);
    assert.ok(tx.ins.some((i) => i.witness.length > 0), 'a P2WSH input carries its witness');
  });

  it('alliance RPC down or answering garbage: nothing is lost, the deposit is voted once the node is back', async () => {
    const d = await bridge.deposit('p2sh', 10_000_000);
    await bridge.bcoin.mine(1);
    await bridge.waitForTip(await bridge.bcoin.height());
    await rpc(bridge.devnet.url, 'devnet_fault', [{ mode: 'garbage', count: 12 }]);
    await bridge.relayDeposit(d);
    const states = await waitFor('votes confirmed after the faults', async () => {
      const s = await bridge.depositStates(d.txid);
      return s.every((r) => r?.state === 'voteConfirmed') ? s : undefined;
    }, 60_000);
    assert.equal(states.length, 3);
    assert.equal(bridge.devnetState().fault.remaining, 0, 'the faults were hit');
    const counters = await bridge.validators[0]!.client.allianceCounters();
    assert.equal(counters.votesConfirmed, 3);
    assert.equal(bridge.devnetState().deposits.find((x) => x.txid === d.txid)?.voteCount, 3);
  });

  it('a validator restarted between "vote sent" and "vote confirmed" does not vote twice', async () => {
    const d = await bridge.deposit('p2wsh', 10_000_000);
    await bridge.bcoin.mine(1);
    await bridge.waitForTip(await bridge.bcoin.height());
    // v2 sends its vote, then is stopped before it can see it executed.
    await bridge.relayDeposit(d);
    const sent = await waitFor('v2 vote sent', async () => {
      const r = await bridge.validators[2]!.client.deposit(d.txid);
      return r !== null && r.vote !== null && r.vote.sentAt !== null ? r : undefined;
    });
    await bridge.restart(2);
    const after = await waitFor('v2 vote confirmed after restart', async () => {
      const r = await bridge.validators[2]!.client.deposit(d.txid);
      return r?.state === 'voteConfirmed' ? r : undefined;
    }, 60_000);
    assert.equal(after.vote?.txHash, sent.vote?.txHash, 'the same vote transaction, never a new one');
    const dev = bridge.devnetState();
    assert.equal(dev.deposits.find((x) => x.txid === d.txid)?.votes[bridge.validators[2]!.polyAddress], true);
    assert.equal(dev.rejected.byReason['DUPLICATE_VOTE'] ?? 0, 0, 'no second vote reached the chain');
  });

  it('REST: verifyproof, deposits and withdrawals', async () => {
    const v0 = bridge.validators[0]!.client;
    const deposits = await v0.deposits(100);
    assert.equal(deposits.length, 4);
    const d = deposits[0]!;
    const ok = await (await fetch(`${bridge.restUrl!}/api/v1/verifyproof`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: d.txHex, proof: d.proofHex }) })).json() as { error: number; result: { valid: boolean; txid: string; confirmations: number } };
    assert.equal(ok.error, 0);
    assert.equal(ok.result.valid, true);
    assert.equal(ok.result.txid, d.txid);
    assert.ok(ok.result.confirmations >= 2);
    const bad = await (await fetch(`${bridge.restUrl!}/api/v1/verifyproof`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: d.txHex, proof: `${d.proofHex.slice(0, -2)}00` }) })).json() as { error: number; result: { valid: boolean; code: string } };
    assert.equal(bad.result.valid, false);
    assert.match(bad.result.code, /^MERKLE_/);
    const list = await (await fetch(`${bridge.restUrl!}/api/v1/deposits`)).json() as { result: { txid: string; state: string }[] };
    assert.deepEqual(list.result.map((r) => r.state), ['voteConfirmed', 'voteConfirmed', 'voteConfirmed', 'voteConfirmed']);
    const one = await fetch(`${bridge.restUrl!}/api/v1/deposits/${'0'.repeat(64)}`);
    assert.equal(one.status, 404);
    const ws = await (await fetch(`${bridge.restUrl!}/api/v1/withdrawals`)).json() as { result: { id: string }[] };
    assert.equal(ws.result.length, 2);
    const status = await rpc<{ height: number }>(bridge.devnet.url, 'devnet_state', []);
    assert.ok(status.height > 0);
  });
});
