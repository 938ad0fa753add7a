import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { payments } from 'bitcoinjs-lib';
import { multisigOutputScripts, parseMultisigRedeem, redeemKeyIndex } from '../../../../src/alliance/signer/index.js';
import { isSpvError } from '../../../../src/errors/spvError.js';
import { concatBytes, toHex } from '../../../../src/util/bytes.js';
import { KEYS, OUTSIDER, REDEEM, multisigRedeem, testKey } from './signerTestUtil.js';

function mismatch(script: Uint8Array, reason: string): void {
  assert.throws(
    () => parseMultisigRedeem(script),
    (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'SIGNER_REDEEM_MISMATCH');
      assert.equal(err.details.reason, reason);
      return true;
    },
  );
}

const pk = (i: number): Uint8Array => KEYS[i]!.publicKey;
const push = (b: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(b.length), b);
const OP = (n: number): number => 0x50 + n;

function raw(m: number, keys: Uint8Array[], n = keys.length, tail: number[] = [0xae]): Uint8Array {
  return concatBytes(Uint8Array.of(OP(m)), ...keys.map(push), Uint8Array.of(OP(n), ...tail));
}

/** An x coordinate with no curve point (x^3 + 7 not a square mod p). */
function offCurveKey(): Uint8Array {
  for (let x = 1; ; x++) {
    const candidate = concatBytes(Uint8Array.of(0x02), new Uint8Array(31), Uint8Array.of(x));
    try {
      secp256k1.ProjectivePoint.fromHex(candidate);
    } catch {
      return candidate;
    }
  }
}

describe('parseMultisigRedeem', () => {
  it('2-of-3 built by bitcoinjs-lib p2ms: m and keys in script order', () => {
    const r = parseMultisigRedeem(REDEEM);
    assert.equal(r.m, 2);
    assert.deepEqual(r.pubkeys.map(toHex), KEYS.map((k) => toHex(k.publicKey)));
    assert.equal(redeemKeyIndex(r, pk(2)), 2);
    assert.equal(redeemKeyIndex(r, OUTSIDER.publicKey), -1);
  });

  it('1-of-1, 15-of-15 and uncompressed keys are accepted', () => {
    assert.equal(parseMultisigRedeem(multisigRedeem(1, [KEYS[0]])).m, 1);
    const many = Array.from({ length: 15 }, (_, i) => testKey(`many-${i}`));
    const r = parseMultisigRedeem(multisigRedeem(15, many));
    assert.equal(r.m, 15);
    assert.equal(r.pubkeys.length, 15);
    const uncompressed = KEYS.map((k) => secp256k1.getPublicKey(k.privateKey, false));
    const u = parseMultisigRedeem(raw(2, uncompressed));
    assert.equal(u.pubkeys[1]!.length, 65);
  });

  it('refuses every non-canonical form with a reason', () => {
    const keys = [pk(0), pk(1), pk(2)];
    mismatch(new Uint8Array(0), 'no-m');
    mismatch(concatBytes(Uint8Array.of(0x00), raw(2, keys).subarray(1)), 'no-m'); // OP_0 as m
    mismatch(raw(3, keys, 2), 'n-mismatch');
    mismatch(raw(4, keys), 'm-above-n');
    mismatch(raw(2, keys, 3, [0xaf]), 'no-checkmultisig'); // CHECKMULTISIGVERIFY
    mismatch(raw(2, keys, 3, [0xae, 0x00]), 'no-checkmultisig'); // trailing byte
    mismatch(raw(2, keys, 3, []), 'no-checkmultisig');
    mismatch(raw(2, [pk(0), pk(1), pk(0)]), 'duplicate-key');
    mismatch(raw(1, [pk(0), Uint8Array.of(0x05, ...pk(1).subarray(1))]), 'bad-key');
    mismatch(raw(1, [pk(0), offCurveKey()]), 'bad-key');
    mismatch(raw(2, keys).subarray(0, 50), 'truncated-key');
    // A key pushed with OP_PUSHDATA1 is not the minimal push.
    mismatch(concatBytes(Uint8Array.of(OP(1), 0x4c, 33), pk(0), Uint8Array.of(OP(1), 0xae)), 'no-n');
    const sixteen = Array.from({ length: 16 }, (_, i) => testKey(`sixteen-${i}`).publicKey);
    mismatch(raw(1, sixteen), 'too-long');
    const eight = Array.from({ length: 8 }, (_, i) => secp256k1.getPublicKey(testKey(`eight-${i}`).privateKey, false));
    mismatch(raw(1, eight), 'too-long'); // 8 × 66 + 3 = 531 > 520
  });
});

describe('multisigOutputScripts', () => {
  it('bare / P2SH / P2WSH agree with bitcoinjs-lib payments', () => {
    const s = multisigOutputScripts(REDEEM);
    assert.equal(toHex(s.bare), toHex(REDEEM));
    assert.equal(toHex(s.p2sh), toHex(payments.p2sh({ redeem: { output: REDEEM } }).output!));
    assert.equal(toHex(s.p2wsh), toHex(payments.p2wsh({ redeem: { output: REDEEM } }).output!));
  });
});
