import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CCM_ADDRESS_ERA_A, CCM_ADDRESS_ERA_C, PolyRpcClient, decodeBlockEvents } from '../../../../src/alliance/rpc/index.js';
import { encodeBtcProof } from '../../../../src/alliance/poly/index.js';
import type { BtcProof } from '../../../../src/alliance/poly/index.js';
import { fromHex, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { ok, startScripted } from './scriptedServer.js';

const POLY_TX1 = '1f'.repeat(32);
const POLY_TX2 = '2e'.repeat(32);
const POLY_TX3 = '3d'.repeat(32);
const BTC_TXID = 'c1'.repeat(31) + 'C2';
const OTHER_CONTRACT = '0100000000000000000000000000000000000000';

const proof: BtcProof = {
  tx: fromHex('0100000001' + 'aa'.repeat(40)),
  proof: fromHex('00'.repeat(80) + '01000000' + '01' + 'bb'.repeat(32) + '01' + '01'),
  height: 1151182,
  blocksToWait: 6n,
};
const proofE1 = toHex(encodeBtcProof(proof, 'E1'));
const proofE0 = toHex(encodeBtcProof(proof, 'E0'));
const UNSIGNED = '0100000001' + 'cc'.repeat(30);
const REDEEM = '5221' + 'dd'.repeat(33) + '52ae';

function ev(txHash: string, state: number, notify: unknown): Record<string, unknown> {
  return { TxHash: txHash, State: state, GasConsumed: 0, Notify: notify };
}
function ccm(states: unknown): Record<string, unknown> {
  return { ContractAddress: CCM_ADDRESS_ERA_A, States: states };
}

/** A block as getsmartcodeevent returns it: a deposit + a withdrawal + noise that must be ignored. */
function realisticBlock(): unknown[] {
  return [
    ev(POLY_TX1, 1, [
      { ContractAddress: '0700000000000000000000000000000000000000', States: ['transfer', 'AXK...', 'AYK...', 0] },
      ccm(['notifyBtcProof', BTC_TXID, proofE1]),
    ]),
    ev(POLY_TX2, 1, [ccm(['makeBtcTx', UNSIGNED, REDEEM]), ccm(['Vote', { addr: 'addr' }])]),
    // another contract emitting the same key: ignored
    ev(POLY_TX3, 1, [{ ContractAddress: OTHER_CONTRACT, States: ['notifyBtcProof', BTC_TXID, proofE1] }]),
    // failed tx: ignored even with a well-formed notify
    ev('4c'.repeat(32), 0, [ccm(['notifyBtcProof', BTC_TXID, proofE1])]),
    ev('5b'.repeat(32), 0, null),
  ];
}

describe('decodeBlockEvents', () => {
  it('reads the CCM deposit and withdrawal of successful txs and ignores other contracts and failed txs', () => {
    const r = decodeBlockEvents(realisticBlock(), { ccmAddressHex: CCM_ADDRESS_ERA_A });
    assert.deepEqual(r.skipped, []);
    assert.equal(r.deposits.length, 1);
    const d = r.deposits[0]!;
    assert.equal(d.polyTxHash, POLY_TX1);
    assert.equal(d.btcTxidHex, BTC_TXID.toLowerCase());
    assert.deepEqual(d.proof.tx, proof.tx);
    assert.deepEqual(d.proof.proof, proof.proof);
    assert.equal(d.proof.height, 1151182);
    assert.equal(d.proof.blocksToWait, 6n);
    assert.equal(r.withdrawals.length, 1);
    const w = r.withdrawals[0]!;
    assert.equal(w.polyTxHash, POLY_TX2);
    assert.equal(toHex(w.unsignedTx), UNSIGNED);
    assert.equal(toHex(w.redeemScript), REDEEM);
  });

  it('the contract address is configurable (era C) and compared case-insensitively', () => {
    const block = [ev(POLY_TX1, 1, [{ ContractAddress: CCM_ADDRESS_ERA_C, States: ['notifyBtcProof', BTC_TXID, proofE1] }])];
    assert.equal(decodeBlockEvents(block, { ccmAddressHex: CCM_ADDRESS_ERA_A }).deposits.length, 0);
    assert.equal(decodeBlockEvents(block, { ccmAddressHex: CCM_ADDRESS_ERA_C }).deposits.length, 1);
    const upper = [ev(POLY_TX1.toUpperCase(), 1, [{ ContractAddress: 'ABCDEF0000000000000000000000000000000000', States: ['makeBtcTx', UNSIGNED, REDEEM] }])];
    const r = decodeBlockEvents(upper, { ccmAddressHex: 'abcdef0000000000000000000000000000000000' });
    assert.equal(r.withdrawals.length, 1);
    assert.equal(r.withdrawals[0]?.polyTxHash, POLY_TX1);
  });

  it('keys and the BtcProof layout are configurable', () => {
    const block = [ev(POLY_TX1, 1, [ccm(['proofKey2', BTC_TXID, proofE0]), ccm(['btcTxToRelay', UNSIGNED, REDEEM])])];
    const r = decodeBlockEvents(block, {
      ccmAddressHex: CCM_ADDRESS_ERA_A,
      proofKey: 'proofKey2',
      makeTxKey: 'btcTxToRelay',
      proofEncoding: 'E0',
    });
    assert.deepEqual(r.skipped, []);
    assert.equal(r.deposits[0]?.proof.height, 1151182);
    assert.equal(r.withdrawals.length, 1);
    // the E0 proof read as E1 (default) does not decode: skipped, not thrown
    const e1 = decodeBlockEvents([ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, proofE0])])], { ccmAddressHex: CCM_ADDRESS_ERA_A });
    assert.equal(e1.deposits.length, 0);
    assert.equal(e1.skipped.length, 1);
    assert.match(e1.skipped[0]?.reason ?? '', /^BTCPROOF_/);
  });

  it('btcTxToRelay in its era-A shapes gives the signed tx; one without tx hex is skipped', () => {
    const block = [
      ev(POLY_TX1, 1, [
        ccm(['btcTxToRelay', UNSIGNED]),
        ccm(['btcTxToRelay', UNSIGNED, BTC_TXID]),
        ccm(['btcTxToRelay', 0, 0, UNSIGNED, BTC_TXID]),
        ccm(['btcTxToRelay', 7]),
      ]),
    ];
    const r = decodeBlockEvents(block, { ccmAddressHex: CCM_ADDRESS_ERA_A });
    assert.equal(r.relays.length, 3);
    for (const relay of r.relays) assert.equal(Buffer.from(relay.signedTx).toString('hex'), UNSIGNED.toLowerCase());
    assert.equal(r.skipped.length, 1);
    assert.equal(r.skipped[0]?.reason, 'POLY_EVENT_MALFORMED');
  });

  it('null (no events) and [] give nothing', () => {
    for (const raw of [null, undefined, []]) {
      assert.deepEqual(decodeBlockEvents(raw, { ccmAddressHex: CCM_ADDRESS_ERA_A }), { deposits: [], withdrawals: [], relays: [], skipped: [] });
    }
  });

  it('skips every malformed entry with a reason and keeps going', () => {
    const cases: Array<[string, unknown, string | null, string]> = [
      ['not an object', 5, null, 'POLY_EVENT_MALFORMED'],
      ['TxHash missing', { State: 1, Notify: [] }, null, 'POLY_EVENT_MALFORMED'],
      ['TxHash bad hex', ev('zz'.repeat(32), 1, []), null, 'POLY_EVENT_MALFORMED'],
      ['State a string', { TxHash: POLY_TX1, State: '1', Notify: [] }, POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['State missing', { TxHash: POLY_TX1, Notify: [] }, POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['Notify an object', ev(POLY_TX1, 1, { a: 1 }), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['notify not an object', ev(POLY_TX1, 1, ['x']), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['ContractAddress missing', ev(POLY_TX1, 1, [{ States: ['notifyBtcProof', BTC_TXID, proofE1] }]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['States missing', ev(POLY_TX1, 1, [{ ContractAddress: CCM_ADDRESS_ERA_A }]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['States empty', ev(POLY_TX1, 1, [ccm([])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['States[0] a number', ev(POLY_TX1, 1, [ccm([1, BTC_TXID, proofE1])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['txid a number', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', 12345, proofE1])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['txid short', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', 'c1c1', proofE1])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof a number', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, 7])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof bad hex', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, 'xyz0'])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof odd hex', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, proofE1.slice(1)])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof base64', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, Buffer.from(fromHex(proofE1)).toString('base64')])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof empty', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, ''])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof truncated', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, proofE1.slice(0, -4)])]), POLY_TX1, 'BTCPROOF_MALFORMED'],
      ['proof trailing', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, proofE1 + '00'])]), POLY_TX1, 'BTCPROOF_TRAILING_BYTES'],
      ['proof too few states', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['proof too many states', ev(POLY_TX1, 1, [ccm(['notifyBtcProof', BTC_TXID, proofE1, 'x'])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['makeBtcTx amts era', ev(POLY_TX1, 1, [ccm(['makeBtcTx', UNSIGNED, [1000, 2000]])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['makeBtcTx bad tx hex', ev(POLY_TX1, 1, [ccm(['makeBtcTx', 'g0', REDEEM])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['makeBtcTx empty redeem', ev(POLY_TX1, 1, [ccm(['makeBtcTx', UNSIGNED, ''])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
      ['makeBtcTx arity', ev(POLY_TX1, 1, [ccm(['makeBtcTx', UNSIGNED])]), POLY_TX1, 'POLY_EVENT_MALFORMED'],
    ];
    for (const [name, bad, hash, reason] of cases) {
      const r = decodeBlockEvents([bad], { ccmAddressHex: CCM_ADDRESS_ERA_A });
      assert.equal(r.deposits.length + r.withdrawals.length, 0, name);
      assert.equal(r.skipped.length, 1, name);
      assert.equal(r.skipped[0]?.polyTxHash, hash, name);
      assert.equal(r.skipped[0]?.reason, reason, name);
      assert.ok((r.skipped[0]?.detail.length ?? 0) > 0, name);
    }
    // all of them in one block around the good entries: the good ones still come through
    const all = [...cases.map((c) => c[1]), ...realisticBlock()];
    const r = decodeBlockEvents(all, { ccmAddressHex: CCM_ADDRESS_ERA_A });
    assert.equal(r.skipped.length, cases.length);
    assert.equal(r.deposits.length, 1);
    assert.equal(r.withdrawals.length, 1);
  });

  it('a non-array result is one skip, not a throw', () => {
    for (const raw of [{}, 'x', 1, true]) {
      const r = decodeBlockEvents(raw, { ccmAddressHex: CCM_ADDRESS_ERA_A });
      assert.deepEqual(r.skipped.map((s) => [s.polyTxHash, s.reason]), [[null, 'POLY_EVENT_MALFORMED']]);
    }
  });

  it('a bad ccmAddressHex option is a CONFIG_INVALID', () => {
    assert.throws(() => decodeBlockEvents([], { ccmAddressHex: '02' }), hasCode('CONFIG_INVALID'));
  });

  it('end to end: eventsAtHeight from a scripted node then decodeBlockEvents', async () => {
    const s = await startScripted((req) => ok(req, realisticBlock()));
    try {
      const c = new PolyRpcClient({ url: s.url, timeoutMs: 2_000 });
      const r = decodeBlockEvents(await c.eventsAtHeight(1000), { ccmAddressHex: CCM_ADDRESS_ERA_A });
      assert.equal(r.deposits.length, 1);
      assert.equal(r.withdrawals.length, 1);
      assert.deepEqual(r.skipped, []);
    } finally {
      await s.close();
    }
  });
});
