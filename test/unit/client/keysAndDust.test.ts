import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childKey } from '../../../src/client/childKey.js';
import { dustThreshold, isDust, isWitnessProgram } from '../../../src/client/dust.js';
import { fromHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';

const h = (hex: string): Uint8Array => fromHex(hex);
const script = (prefix: string, len: number): Uint8Array => {
  const s = new Uint8Array(len);
  s.set(h(prefix));
  return s;
};

describe("isDust: Bitcoin Core's rule at 3,000 sat/kvB (policy.cpp GetDustThreshold)", () => {
  const cases: Array<[string, Uint8Array | number, bigint]> = [
    ['P2PKH (default, 25-byte script)', 25, 546n],
    ['P2PKH script bytes', script('76a914', 25), 546n],
    ['P2SH', script('a914', 23), 540n],
    ['P2WPKH (witness: 67-vbyte input)', script('0014', 22), 294n],
    ['P2WSH', script('0020', 34), 330n],
    ['P2TR (witness v1)', script('5120', 34), 330n],
  ];
  for (const [name, s, threshold] of cases) {
    it(`${name}: threshold ${threshold} sat`, () => {
      assert.equal(dustThreshold(s), threshold);
      assert.equal(isDust(threshold - 1n, s), true);
      assert.equal(isDust(threshold, s), false);
      assert.equal(isDust(Number(threshold), s), false);
    });
  }
  it('OP_RETURN outputs are never dust; bad lengths are refused', () => {
    assert.equal(isDust(0, h('6a0401020304')), false);
    assert.throws(() => dustThreshold(-1), RangeError);
    assert.throws(() => dustThreshold(1.5), RangeError);
  });
  it('witness programs: version 0-16 and one 2-40 byte push only', () => {
    assert.equal(isWitnessProgram(script('0014', 22)), true);
    assert.equal(isWitnessProgram(script('6014', 22)), true);
    assert.equal(isWitnessProgram(script('0015', 22)), false, 'push length must match');
    assert.equal(isWitnessProgram(script('0101', 3)), false, 'too short');
    assert.equal(isWitnessProgram(script('76a914', 25)), false);
  });
});

describe('childKey: BIP32 child 0 of an extended key built from its parts (BIP32 test vector 2)', () => {
  // Master of vector 2 (seed fffcf9…4542): private key and chain code; chain m/0 is the expected child.
  const masterKey = h('4b03d6fc340455b363f51020ad3ecca4f0850280cf436c70c727923f6db46c3e');
  const chainCode = h('60499f801b896d83179a4374aeb7822aaeaceaa0db1f85ee3e904c4defbd9689');

  it('from the private key: m/0 xprv', () => {
    const c = childKey(masterKey, chainCode, true);
    assert.equal(c.extendedKey, 'xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt');
    assert.equal(c.key.length, 32);
    assert.deepEqual([c.depth, c.index, c.isPrivate], [1, 0, true]);
  });

  it('from the public key: m/0 xpub (public derivation gives the same child)', () => {
    const pub = h('03cbcaa9c98c877a26977d00825c956a238e8dddfbd322cce4f74b0b5bd6ace4a7');
    const c = childKey(pub, chainCode, false);
    assert.equal(c.extendedKey, 'xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH');
    assert.equal(c.key.length, 33);
  });

  it('bad parts are KEY_INVALID, never another exception', () => {
    assert.throws(() => childKey(masterKey, new Uint8Array(31), true), hasCode('KEY_INVALID'));
    assert.throws(() => childKey(new Uint8Array(33), chainCode, true), hasCode('KEY_INVALID'));
    assert.throws(() => childKey(new Uint8Array(32), chainCode, true), hasCode('KEY_INVALID'), 'zero private key');
    assert.throws(() => childKey(new Uint8Array(33).fill(5), chainCode, false), hasCode('KEY_INVALID'), 'not a public key (prefix 05)');
  });
});
