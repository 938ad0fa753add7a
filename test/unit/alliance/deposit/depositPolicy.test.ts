import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COINBASE_MATURITY, requiredConfirmations, validateDepositPolicy } from '../../../../src/alliance/deposit/index.js';
import type { OpReturnLayout } from '../../../../src/alliance/poly/index.js';
import { toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { REDEEM, policy } from './depositTestUtil.js';

describe('requiredConfirmations', () => {
  it('max(blocksToWait, minConfirmations, 1), in bigint arithmetic (no uint32 underflow: §8 item 5)', () => {
    const cases: Array<[blocksToWait: bigint, min: number, expected: number]> = [
      [0n, 0, 1],
      [0n, 1, 1],
      [1n, 0, 1],
      [6n, 1, 6],
      [2n, 6, 6],
      [6n, 6, 6],
      [(1n << 32n) - 1n, 0, 2 ** 32 - 1],
      [(1n << 64n) - 1n, 0, Number.MAX_SAFE_INTEGER],
      [BigInt(Number.MAX_SAFE_INTEGER) + 1n, 0, Number.MAX_SAFE_INTEGER],
    ];
    for (const [w, min, expected] of cases) {
      assert.equal(requiredConfirmations(w, { minConfirmations: min }), expected, `${w} / ${min}`);
    }
  });

  it('a coinbase needs at least COINBASE_MATURITY', () => {
    assert.equal(requiredConfirmations(0n, { minConfirmations: 0 }, true), COINBASE_MATURITY);
    assert.equal(requiredConfirmations(6n, { minConfirmations: 1 }, true), COINBASE_MATURITY);
    assert.equal(requiredConfirmations(150n, { minConfirmations: 1 }, true), 150);
  });
});

describe('validateDepositPolicy', () => {
  it('returns the deposit scripts of a usable policy', () => {
    const s = validateDepositPolicy(policy());
    assert.equal(toHex(s.bare), toHex(REDEEM));
    assert.notEqual(s.p2sh, null);
    assert.notEqual(s.p2wsh, null);
  });

  it('CONFIG_INVALID for a bad floor, layout or redeem', () => {
    for (const minConfirmations of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => validateDepositPolicy(policy({ minConfirmations })), hasCode('CONFIG_INVALID'), String(minConfirmations));
    }
    assert.throws(() => validateDepositPolicy(policy({ argsLayout: 'A5' as OpReturnLayout })), hasCode('CONFIG_INVALID'));
    assert.throws(() => validateDepositPolicy(policy({ redeemScript: new Uint8Array(0) })), hasCode('CONFIG_INVALID'));
  });
});
