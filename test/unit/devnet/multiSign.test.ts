import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { payments, Transaction } from 'bitcoinjs-lib';
import { CcmContract } from '../../../scripts/devnet/ccmContract.js';
import { CCM_ADDRESS_ERA_A, decodeBlockEvents } from '../../../src/alliance/rpc/index.js';
import { polyAddressToBase58 } from '../../../src/alliance/poly/index.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import type { DevnetWithdrawal } from '../../../scripts/devnet/devnetState.js';
import type { Kind, Kit } from './devnetKit.js';
import {
  CCM_RAW,
  REGTEST_NET,
  bcoinAccepts,
  bcoinVerify,
  btcKey,
  call,
  fund,
  lockScriptOf,
  multiSignTxHex,
  rpc,
  seedBytes,
  send,
  signInputs,
  startKit,
  statesOf,
} from './devnetKit.js';

function payee(label: string): string {
  return payments.p2wpkh({ pubkey: secp256k1.getPublicKey(seedBytes(`payee/${label}`), true), network: REGTEST_NET }).address!;
}

async function request(kit: Kit, outputs: Array<{ address: string; value: number }>): Promise<DevnetWithdrawal> {
  const before = await call<number>(kit.url, 'getblockcount', []);
  const r = await call<{ id: string; txHex: string }>(kit.url, 'devnet_requestWithdrawal', [outputs]);
  // the makeBtcTx notify, as the validators' observer decodes it
  const events = await call<unknown>(kit.url, 'getsmartcodeevent', [before]);
  const decoded = decodeBlockEvents(events, { ccmAddressHex: CCM_ADDRESS_ERA_A });
  assert.equal(decoded.withdrawals.length, 1);
  assert.equal(toHex(decoded.withdrawals[0]!.unsignedTx), r.txHex);
  assert.equal(toHex(decoded.withdrawals[0]!.redeemScript), toHex(kit.redeem));
  const w = kit.devnet.state().withdrawals.find((x) => x.id === r.id)!;
  assert.equal(w.unsignedTxHex, r.txHex);
  return w;
}

function coins(kit: Kit, w: DevnetWithdrawal): Array<{ script: Uint8Array; value: number }> {
  return w.inputs.map((i) => ({ script: lockScriptOf(kit.redeem, i.kind as Kind), value: i.value }));
}

async function multiSign(kit: Kit, w: DevnetWithdrawal, signer: number, sigs?: Uint8Array[]) {
  const key = kit.btcKeys[signer]!;
  const s = sigs ?? signInputs(w.unsignedTxHex, w.inputs.map((i) => ({ kind: i.kind as Kind, value: i.value })), kit.redeem, key);
  return send(kit.url, multiSignTxHex(kit.outsider, w.id, key.address, s));
}

/** Signs with keys `a` then `b`; returns the final tx hex from btcTxToRelay. */
async function complete(kit: Kit, w: DevnetWithdrawal, a: number, b: number): Promise<string> {
  const first = await multiSign(kit, w, a);
  assert.equal(first.State, 1);
  assert.deepEqual(statesOf(first).map((s) => s[0]), ['btcTxMultiSign']);
  const second = await multiSign(kit, w, b);
  assert.equal(second.State, 1);
  const states = statesOf(second);
  assert.deepEqual(states.map((s) => s[0]), ['btcTxMultiSign', 'btcTxToRelay']);
  assert.equal(states[0]![1], w.id);
  assert.deepEqual(Object.keys(states[0]![2] as object).sort(), [kit.btcKeys[a]!.address, kit.btcKeys[b]!.address].sort());
  return states[1]![1] as string;
}

describe('devnet MultiSign with P2SH inputs and P2SH change', () => {
  let kit: Kit;
  before(async () => {
    kit = await startKit({ changeKind: 'p2sh', feeRate: 3 });
  });
  after(() => kit.devnet.close());

  it('builds the withdrawal, assembles at m=2 signers, and the final tx passes bcoin script checks', async () => {
    const d1 = await fund(kit, 'p2sh', 60_000, 'sh1');
    const d2 = await fund(kit, 'p2sh', 40_000, 'sh2');
    const to = payee('a');
    const w = await request(kit, [{ address: to, value: 70_000 }]);

    // largest first: both deposits needed; payment first, change last
    assert.deepEqual(w.inputs.map((i) => i.txid), [d1, d2]);
    const unsigned = Transaction.fromHex(w.unsignedTxHex);
    assert.equal(unsigned.version, 2);
    assert.equal(unsigned.locktime, 0);
    assert.ok(unsigned.ins.every((i) => i.sequence === 0xffffffff && i.script.length === 0 && i.witness.length === 0));
    assert.equal(unsigned.outs.length, 2);
    assert.equal(Number(unsigned.outs[0]!.value), 70_000);
    assert.equal(toHex(unsigned.outs[1]!.script), toHex(lockScriptOf(kit.redeem, 'p2sh')));
    assert.equal(w.fee, Math.ceil(3 * w.estimatedVsize));
    assert.equal(Number(unsigned.outs[1]!.value), 100_000 - 70_000 - w.fee);
    assert.deepEqual(
      kit.devnet.state().utxos.filter((u) => u.txid === d1 || u.txid === d2).map((u) => [u.status, u.withdrawalId]),
      [
        ['reserved', w.id],
        ['reserved', w.id],
      ],
    );

    // getstorage: btctx ‖ txHash (internal) → the unsigned tx; other keys / contracts → null
    assert.equal(await call(kit.url, 'getstorage', [CCM_ADDRESS_ERA_A, CcmContract.storageKeyHex(w.id)]), w.unsignedTxHex);
    assert.equal(await call(kit.url, 'getstorage', [polyAddressToBase58(CCM_RAW), CcmContract.storageKeyHex(w.id)]), w.unsignedTxHex);
    assert.equal(await call(kit.url, 'getstorage', [CCM_ADDRESS_ERA_A, CcmContract.storageKeyHex('00'.repeat(32))]), null);
    assert.equal(await call(kit.url, 'getstorage', ['0300000000000000000000000000000000000000', CcmContract.storageKeyHex(w.id)]), null);
    assert.equal((await rpc(kit.url, 'getstorage', [CCM_ADDRESS_ERA_A, 'xyz'])).error, 42002);

    const finalHex = await complete(kit, w, 2, 0); // out of key order on purpose
    const { vsize } = bcoinVerify(finalHex, coins(kit, w));
    assert.ok(vsize <= w.estimatedVsize, `vsize ${vsize} <= estimate ${w.estimatedVsize}`);

    // the interpreter is a real judge: a changed output invalidates the signatures
    const final = Transaction.fromHex(finalHex);
    const tampered = final.clone();
    tampered.outs[0]!.value -= 1n;
    assert.equal(bcoinAccepts(tampered.toHex(), coins(kit, w)), false);

    const st = kit.devnet.state();
    const done = st.withdrawals.find((x) => x.id === w.id)!;
    assert.equal(done.complete, true);
    assert.equal(done.finalTxHex, finalHex);
    assert.equal(done.finalTxid, final.getId());
    assert.deepEqual(done.signers, [kit.btcKeys[2]!.address, kit.btcKeys[0]!.address]);
    assert.deepEqual(st.relayed.at(-1), { withdrawalId: w.id, txid: final.getId(), txHex: finalHex, height: st.height });
    assert.deepEqual(
      st.utxos.filter((u) => u.txid === d1 || u.txid === d2).map((u) => u.status),
      ['spent', 'spent'],
    );
    const change = st.utxos.filter((u) => u.txid === final.getId());
    assert.deepEqual(change, [
      { txid: final.getId(), vout: 1, value: Number(final.outs[1]!.value), kind: 'p2sh', origin: 'change', status: 'available', withdrawalId: null },
    ]);

    // late signer: the withdrawal is complete
    const late = await multiSign(kit, w, 1);
    assert.equal(late.State, 0);
    assert.equal(kit.devnet.state().rejected.entries.at(-1)!.reason, 'WITHDRAWAL_COMPLETE');
  });

  it('spends the change of a previous withdrawal in the next one', async () => {
    const before = kit.devnet.state().utxos.filter((u) => u.status === 'available');
    assert.equal(before.length, 1);
    const w = await request(kit, [{ address: payee('b'), value: 10_000 }]);
    assert.deepEqual(w.inputs.map((i) => [i.txid, i.vout]), [[before[0]!.txid, before[0]!.vout]]);
    const finalHex = await complete(kit, w, 0, 1);
    bcoinVerify(finalHex, coins(kit, w));
  });

  it('refuses a withdrawal the multisig cannot pay (INSUFFICIENT_FUNDS) and bad requests (42002)', async () => {
    const r = await rpc(kit.url, 'devnet_requestWithdrawal', [[{ address: payee('c'), value: 10_000_000 }]]);
    assert.equal(r.error, 47001);
    assert.equal((r.result as { reason: string }).reason, 'INSUFFICIENT_FUNDS');
    for (const bad of [[], [[]], [[{ address: 'bc1qnotregtest', value: 1000 }]], [[{ address: payee('d'), value: 0 }]], [[{ address: payee('d'), value: 1.5 }]]]) {
      const reply = await rpc(kit.url, 'devnet_requestWithdrawal', bad);
      assert.equal(reply.error, 42002, JSON.stringify(bad));
    }
  });
});

describe('devnet MultiSign with P2WSH inputs', () => {
  let kit: Kit;
  before(async () => {
    kit = await startKit({ changeKind: 'p2wsh', feeRate: 1.5 });
  });
  after(() => kit.devnet.close());

  it('P2WSH inputs (BIP143) and P2WSH change: final tx verifies, change recorded as p2wsh', async () => {
    const d1 = await fund(kit, 'p2wsh', 80_000, 'wsh1');
    const w = await request(kit, [
      { address: payee('x'), value: 20_000 },
      { address: btcKey('someone').address, value: 15_000 },
    ]);
    assert.deepEqual(w.inputs.map((i) => [i.txid, i.kind]), [[d1, 'p2wsh']]);
    const finalHex = await complete(kit, w, 0, 1);
    const final = Transaction.fromHex(finalHex);
    assert.equal(final.getId(), Transaction.fromHex(w.unsignedTxHex).getId(), 'segwit: txid unchanged by signing');
    assert.equal(final.ins[0]!.witness.length, 4); // empty, 2 sigs, redeem
    const { vsize } = bcoinVerify(finalHex, coins(kit, w));
    assert.ok(vsize <= w.estimatedVsize);
    const change = kit.devnet.state().utxos.find((u) => u.txid === final.getId())!;
    assert.equal(change.kind, 'p2wsh');
    assert.equal(change.vout, 2);
    assert.equal(change.value, 80_000 - 35_000 - w.fee);
  });

  it('mixed bare + P2SH + P2WSH inputs in one withdrawal', async () => {
    const a = await fund(kit, 'bare', 30_000, 'mix-bare');
    const b = await fund(kit, 'p2sh', 31_000, 'mix-sh');
    const c = await fund(kit, 'p2wsh', 32_000, 'mix-wsh');
    const available = kit.devnet.state().utxos.filter((u) => u.status === 'available');
    const total = available.reduce((s, u) => s + u.value, 0);
    const w = await request(kit, [{ address: payee('mix'), value: total - 5_000 }]);
    assert.equal(w.inputs.length, available.length);
    for (const t of [a, b, c]) assert.ok(w.inputs.some((i) => i.txid === t));
    const finalHex = await complete(kit, w, 1, 2);
    const { vsize } = bcoinVerify(finalHex, coins(kit, w));
    assert.ok(vsize <= w.estimatedVsize);
  });

  it('refuses bad MultiSign transactions with State 0 and the reason', async () => {
    await fund(kit, 'p2wsh', 50_000, 'neg');
    const w = await request(kit, [{ address: payee('neg'), value: 10_000 }]);
    const inputs = w.inputs.map((i) => ({ kind: i.kind as Kind, value: i.value }));
    const k0 = kit.btcKeys[0]!;
    const k1 = kit.btcKeys[1]!;
    const good0 = signInputs(w.unsignedTxHex, inputs, kit.redeem, k0);

    const cases: Array<[string, string, Uint8Array[], string]> = [
      ['wrong key for the address', k0.address, signInputs(w.unsignedTxHex, inputs, kit.redeem, k1), 'BAD_BTC_SIGNATURE'],
      ['flipped byte', k0.address, good0.map((s) => Uint8Array.from(s, (b, i) => (i === 10 ? b ^ 1 : b))), 'BAD_BTC_SIGNATURE'],
      ['SIGHASH_NONE', k0.address, signInputs(w.unsignedTxHex, inputs, kit.redeem, k0, { hashType: 2 }), 'BAD_BTC_SIGNATURE'],
      ['high S', k0.address, signInputs(w.unsignedTxHex, inputs, kit.redeem, k0, { highS: true }), 'BAD_BTC_SIGNATURE'],
      ['legacy sighash on a P2WSH input', k0.address, signInputs(w.unsignedTxHex, inputs.map((i) => ({ ...i, kind: 'p2sh' as const })), kit.redeem, k0), 'BAD_BTC_SIGNATURE'],
      ['too many sigs', k0.address, [...good0, ...good0], 'WRONG_SIG_COUNT'],
      ['no sigs', k0.address, [], 'WRONG_SIG_COUNT'],
      ['signer not in the redeem', btcKey('stranger').address, signInputs(w.unsignedTxHex, inputs, kit.redeem, btcKey('stranger')), 'UNKNOWN_SIGNER'],
    ];
    for (const [name, address, sigs, reason] of cases) {
      const ev = await send(kit.url, multiSignTxHex(kit.outsider, w.id, address, sigs));
      assert.equal(ev.State, 0, name);
      assert.deepEqual(ev.Notify, [], name);
      assert.equal(kit.devnet.state().rejected.entries.at(-1)!.reason, reason, name);
    }
    const unknown = await send(kit.url, multiSignTxHex(kit.outsider, '11'.repeat(32), k0.address, good0));
    assert.equal(unknown.State, 0);
    assert.equal(kit.devnet.state().rejected.entries.at(-1)!.reason, 'UNKNOWN_WITHDRAWAL');

    assert.equal((await send(kit.url, multiSignTxHex(kit.outsider, w.id, k0.address, good0))).State, 1);
    assert.equal((await send(kit.url, multiSignTxHex(kit.voters[0]!, w.id, k0.address, good0))).State, 0);
    assert.equal(kit.devnet.state().rejected.entries.at(-1)!.reason, 'ALREADY_SIGNED');
    const st = kit.devnet.state().withdrawals.find((x) => x.id === w.id)!;
    assert.deepEqual(st.signers, [k0.address]);
    assert.deepEqual(st.signatures[k0.address], good0.map(toHex));
    assert.equal(st.complete, false);
    assert.ok(fromHex(st.unsignedTxHex).length > 0);
  });
});
