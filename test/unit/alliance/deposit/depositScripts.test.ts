import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { payments } from 'bitcoinjs-lib';
import {
  MAX_P2SH_REDEEM_SIZE,
  classifyDepositOutput,
  depositScriptsFor,
  hash160,
  parseMultisigRedeem,
} from '../../../../src/alliance/deposit/index.js';
import { sha256 } from '../../../../src/chain/hash.js';
import { concatBytes, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { REDEEM, multisig, testPubkey } from './depositTestUtil.js';

/** The few bcoin Script members used here (bcoin is CommonJS and untyped). */
interface BcoinScript {
  toRaw(): Uint8Array;
  hash160(): Uint8Array;
  sha256(): Uint8Array;
}
interface BcoinScriptClass {
  fromMultisig(m: number, n: number, keys: Uint8Array[]): BcoinScript;
  fromScripthash(hash: Uint8Array): BcoinScript;
  fromProgram(version: number, data: Uint8Array): BcoinScript;
}
const bcoinScript = (createRequire(import.meta.url)('bcoin') as { Script: BcoinScriptClass }).Script;

const hex = (b: Uint8Array | null): string | null => (b === null ? null : toHex(b));

describe('parseMultisigRedeem', () => {
  it('parses m, n and the keys in script order', () => {
    const keys = [testPubkey(1), testPubkey(2, false), testPubkey(3)];
    const r = parseMultisigRedeem(multisig(2, keys));
    assert.equal(r.m, 2);
    assert.equal(r.n, 3);
    assert.deepEqual(r.pubkeys.map(toHex), keys.map(toHex));
    assert.equal(r.allCompressed, false);
    assert.equal(parseMultisigRedeem(REDEEM).allCompressed, true);
  });

  it('anything but a standard multisig is CONFIG_INVALID (it is our configuration)', () => {
    const k = testPubkey(1);
    const bad: Array<[string, Uint8Array]> = [
      ['empty (the bare output would be anyone-can-spend)', new Uint8Array(0)],
      ['m = OP_0', concatBytes(Uint8Array.of(0x00, 33), k, Uint8Array.of(0x51, 0xae))],
      ['m > n', multisig(2, [k])],
      ['n does not match the key count', concatBytes(Uint8Array.of(0x51, 33), k, Uint8Array.of(0x52, 0xae))],
      ['no OP_CHECKMULTISIG', concatBytes(Uint8Array.of(0x51, 33), k, Uint8Array.of(0x51, 0xac))],
      ['trailing byte', concatBytes(multisig(1, [k]), Uint8Array.of(0x00))],
      ['truncated key', concatBytes(Uint8Array.of(0x51, 33), k.subarray(0, 20))],
      ['prefix does not match length', concatBytes(Uint8Array.of(0x51, 33, 0x04), k.subarray(1), Uint8Array.of(0x51, 0xae))],
      ['key off the curve', multisig(1, [concatBytes(Uint8Array.of(0x02), new Uint8Array(32).fill(0xff))])],
      ['P2PKH-like', concatBytes(Uint8Array.of(0x76, 0xa9, 20), new Uint8Array(20), Uint8Array.of(0x88, 0xac))],
    ];
    for (const [name, script] of bad) {
      assert.throws(() => parseMultisigRedeem(script), hasCode('CONFIG_INVALID'), name);
      assert.throws(() => depositScriptsFor(script), hasCode('CONFIG_INVALID'), name);
    }
  });
});

describe('depositScriptsFor / classifyDepositOutput', () => {
  it('bare, P2SH and P2WSH equal bcoin and bitcoinjs-lib (independent implementations)', () => {
    const keys = [testPubkey(1), testPubkey(2), testPubkey(3)];
    // bcoin sorts keys (BIP67); give ours in that order so the redeem scripts are the same bytes.
    const sorted = keys.slice().sort((a, b) => Buffer.compare(a, b));
    const redeem = multisig(2, sorted);
    const bc = bcoinScript.fromMultisig(2, 3, sorted.map((k) => Buffer.from(k)));
    assert.equal(toHex(bc.toRaw()), toHex(redeem));

    const s = depositScriptsFor(redeem);
    assert.equal(hex(s.bare), toHex(redeem));
    assert.equal(hex(s.p2sh), toHex(bcoinScript.fromScripthash(bc.hash160()).toRaw()));
    assert.equal(hex(s.p2wsh), toHex(bcoinScript.fromProgram(0, bc.sha256()).toRaw()));
    assert.equal(hex(s.p2sh), toHex(payments.p2sh({ redeem: { output: redeem } }).output!));
    assert.equal(hex(s.p2wsh), toHex(payments.p2wsh({ redeem: { output: redeem } }).output!));

    assert.equal(classifyDepositOutput(redeem, redeem), 'bare');
    assert.equal(classifyDepositOutput(s.p2sh!, redeem), 'p2sh');
    assert.equal(classifyDepositOutput(s.p2wsh!, redeem), 'p2wsh');
  });

  it('other scripts, and the scripts of another redeem, are null', () => {
    const other = multisig(2, [testPubkey(4), testPubkey(5), testPubkey(6)]);
    const o = depositScriptsFor(other);
    for (const script of [o.bare, o.p2sh!, o.p2wsh!]) assert.equal(classifyDepositOutput(script, REDEEM), null);
    const s = depositScriptsFor(REDEEM);
    assert.equal(classifyDepositOutput(new Uint8Array(0), REDEEM), null);
    assert.equal(classifyDepositOutput(s.p2sh!.subarray(0, 22), REDEEM), null);
    assert.equal(classifyDepositOutput(concatBytes(s.p2wsh!, Uint8Array.of(0)), REDEEM), null);
    // P2WSH-style program version 1 over the same hash is not P2WSH.
    assert.equal(classifyDepositOutput(concatBytes(Uint8Array.of(0x51), s.p2wsh!.subarray(1)), REDEEM), null);
    // P2SH-wrapped P2WSH (OP_HASH160 of the witness program) is not offered.
    const nested = payments.p2sh({ redeem: { output: s.p2wsh! } }).output!;
    assert.equal(classifyDepositOutput(nested, REDEEM), null);
  });

  it('no P2SH for a redeem over 520 bytes (unspendable: Core MAX_SCRIPT_ELEMENT_SIZE)', () => {
    const keys15 = Array.from({ length: 15 }, (_, i) => testPubkey(i + 1));
    const r15 = multisig(11, keys15); // 15 × 34 + 3 = 513 bytes
    assert.equal(r15.length, 513);
    assert.notEqual(depositScriptsFor(r15).p2sh, null);
    const r16 = multisig(11, [...keys15, testPubkey(16)]); // 547 bytes
    assert.ok(r16.length > MAX_P2SH_REDEEM_SIZE);
    const s = depositScriptsFor(r16);
    assert.equal(s.p2sh, null);
    assert.notEqual(s.p2wsh, null);
    // bitcoinjs-lib refuses it for the same reason; classify the P2SH script built by hand.
    assert.throws(() => payments.p2sh({ redeem: { output: r16 } }), /520/);
    const p2sh16 = bcoinScript.fromScripthash(Buffer.from(hash160(r16))).toRaw();
    assert.equal(classifyDepositOutput(p2sh16, r16), null);
    assert.equal(classifyDepositOutput(r16, r16), 'bare');
  });

  it('no P2WSH for a redeem with an uncompressed key (BIP143 policy: the spend would not relay)', () => {
    const redeem = multisig(1, [testPubkey(1), testPubkey(2, false)]);
    const s = depositScriptsFor(redeem);
    assert.equal(s.p2wsh, null);
    assert.notEqual(s.p2sh, null);
    // bitcoinjs-lib refuses it for the same reason; classify the P2WSH script built by hand.
    assert.throws(() => payments.p2wsh({ redeem: { output: redeem } }), /uncompressed/);
    assert.equal(classifyDepositOutput(bcoinScript.fromProgram(0, Buffer.from(sha256(redeem))).toRaw(), redeem), null);
  });
});
