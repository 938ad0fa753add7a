import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bech32m } from '@scure/base';
import { networks, payments } from 'bitcoinjs-lib';
import { outputScriptForAddress, p2pkhAddress } from '../../../scripts/devnet/btcAddress.js';
import { estimateSignedVsize, kindOfScript, lockScript, parseMultisigRedeem } from '../../../scripts/devnet/btcMultisig.js';
import { buildWithdrawal, DUST_LIMIT } from '../../../scripts/devnet/withdrawalBuilder.js';
import { toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { btcKey, lockScriptOf, multisigRedeem, seedBytes } from './devnetKit.js';

const keys = [btcKey('s0'), btcKey('s1'), btcKey('s2')];
const redeemBytes = multisigRedeem(2, keys);
const redeem = parseMultisigRedeem(redeemBytes);

describe('devnet BTC scripts', () => {
  it('parses m-of-n redeem scripts and refuses anything else', () => {
    assert.equal(redeem.m, 2);
    assert.deepEqual(redeem.keys.map(toHex), keys.map((k) => toHex(k.publicKey)));
    const bad = [
      Uint8Array.of(0x52, 0x52, 0xae),
      redeemBytes.slice(0, -1),
      Uint8Array.from([...redeemBytes, 0x00]),
      multisigRedeem(3, keys).map((b, i) => (i === 0 ? 0x54 : b)), // m > n
      redeemBytes.map((b, i) => (i === 2 ? 0x04 : b)), // not a compressed key prefix
    ];
    for (const b of bad) assert.throws(() => parseMultisigRedeem(b), hasCode('CONFIG_INVALID'));
  });

  it('lock scripts agree with bitcoinjs payments and are recognised', () => {
    for (const kind of ['bare', 'p2sh', 'p2wsh'] as const) {
      assert.equal(toHex(lockScript(redeem, kind)), toHex(lockScriptOf(redeemBytes, kind)));
      assert.equal(kindOfScript(redeem, lockScriptOf(redeemBytes, kind)), kind);
    }
    assert.equal(kindOfScript(redeem, Uint8Array.of(0x51)), null);
  });

  it('decodes every regtest address type to its output script, refuses other networks', () => {
    const pub = secp256k1.getPublicKey(seedBytes('addr'), true);
    const xonly = pub.subarray(1);
    const net = networks.regtest;
    const wsh = payments.p2wsh({ redeem: { output: redeemBytes }, network: net });
    const cases = [
      payments.p2pkh({ pubkey: pub, network: net }),
      payments.p2sh({ redeem: { output: redeemBytes }, network: net }),
      payments.p2wpkh({ pubkey: pub, network: net }),
      wsh,
    ];
    for (const p of cases) assert.equal(toHex(outputScriptForAddress(p.address!, 'regtest')!), toHex(p.output!));
    // taproot (bech32m v1): built without an ECC library
    const trAddr = bech32m.encode('bcrt', [1, ...bech32m.toWords(xonly)]);
    assert.equal(toHex(outputScriptForAddress(trAddr, 'regtest')!), `5120${toHex(xonly)}`);
    assert.equal(outputScriptForAddress(payments.p2pkh({ pubkey: pub, network: networks.bitcoin }).address!, 'regtest'), null);
    assert.equal(outputScriptForAddress(payments.p2wpkh({ pubkey: pub, network: networks.bitcoin }).address!, 'regtest'), null);
    assert.equal(outputScriptForAddress('garbage', 'regtest'), null);
    assert.equal(p2pkhAddress(pub, 'mainnet'), payments.p2pkh({ pubkey: pub }).address);
    assert.equal(p2pkhAddress(pub, 'testnet4'), payments.p2pkh({ pubkey: pub, network: networks.testnet }).address);
  });

  it('estimates grow with inputs and witness data is discounted', () => {
    const out = [lockScript(redeem, 'p2sh')];
    const sh = estimateSignedVsize(redeem, ['p2sh'], out);
    const wsh = estimateSignedVsize(redeem, ['p2wsh'], out);
    assert.ok(wsh < sh, `${wsh} < ${sh}`);
    assert.ok(estimateSignedVsize(redeem, ['p2sh', 'p2sh'], out) > sh);
  });

  it('coin selection: largest first, change only at or above the dust limit', () => {
    const pay = [{ script: lockScript(redeem, 'p2wsh'), value: 10_000 }];
    const utxos = [
      { txid: '01'.repeat(32), vout: 0, value: 5_000, kind: 'p2sh' as const },
      { txid: '02'.repeat(32), vout: 0, value: 20_000, kind: 'p2sh' as const },
    ];
    const b = buildWithdrawal(utxos, pay, { redeem, changeKind: 'p2sh', feeRate: 1 })!;
    assert.deepEqual(b.inputs.map((i) => i.value), [20_000]);
    assert.equal(b.change, 20_000 - 10_000 - b.fee);
    assert.equal(b.tx.outs.length, 2);
    // leftover below dust goes to the fee
    const tight = buildWithdrawal([utxos[1]!], [{ ...pay[0]!, value: 20_000 - b.fee - DUST_LIMIT + 100 }], { redeem, changeKind: 'p2sh', feeRate: 1 })!;
    assert.equal(tight.tx.outs.length, 1);
    assert.equal(tight.change, 0);
    assert.equal(tight.fee, b.fee + DUST_LIMIT - 100);
    assert.equal(buildWithdrawal(utxos, [{ ...pay[0]!, value: 25_000 }], { redeem, changeKind: 'p2sh', feeRate: 1 }), null);
  });
});
