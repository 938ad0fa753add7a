import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMultiSignParam, decodeVoteParam, encodeMultiSignParam, encodeVoteParam } from '../../../src/alliance/poly/index.js';
import { concatBytes, fromHex, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

const bad = hasCode('POLY_PARAM_MALFORMED');

describe('Vote / MultiSign args', () => {
  it('era-A MultiSignParam layout example round-trips', { skip: skipPoly }, () => {
    const ex = polyVectors().computed_not_node_confirmed.multisign_param_eraA_layout_example;
    const raw = fromHex(ex.hex);
    const p = decodeMultiSignParam(raw, 'A');
    assert.equal(p.chainId, BigInt(ex.fields.chainId));
    assert.equal(toHex(p.txHash), ex.fields.txHash);
    assert.equal(p.address, ex.fields.address);
    assert.equal(p.redeemKey, undefined);
    assert.deepEqual(p.sigs.map(toHex), ex.fields.sigs);
    assert.equal(toHex(encodeMultiSignParam(p, 'A')), ex.hex);
    for (let n = 0; n < raw.length; n++) assert.throws(() => decodeMultiSignParam(raw.subarray(0, n), 'A'), bad);
    assert.throws(() => decodeMultiSignParam(concatBytes(raw, Uint8Array.of(0)), 'A'), bad);
  });

  it('era-C MultiSignParam carries RedeemKey after ChainID', () => {
    const p = {
      chainId: 1n,
      redeemKey: Uint8Array.of(0x52, 0xae),
      txHash: new Uint8Array(32).fill(0xab),
      address: 'mjEoyyCPsLzJ23xMX6Mti13zMyN36kzn57',
      sigs: [Uint8Array.of(0x30, 0x44, 0x01), Uint8Array.of(0x30, 0x45, 0x01)],
    };
    const raw = encodeMultiSignParam(p, 'C');
    assert.equal(toHex(raw.subarray(0, 11)), '0100000000000000' + '0252ae');
    assert.deepEqual(decodeMultiSignParam(raw, 'C'), p);
    // count is a u64 (8 bytes), not a var-uint
    const countAt = 8 + 3 + 33 + 1 + p.address.length;
    assert.equal(toHex(raw.subarray(countAt, countAt + 8)), '0200000000000000');
    assert.throws(() => encodeMultiSignParam(p, 'A'), bad);
    assert.throws(() => encodeMultiSignParam({ ...p, redeemKey: undefined }, 'C'), bad);
    assert.throws(() => decodeMultiSignParam(raw, 'A'), bad);
  });

  it('rejects a huge signature count without allocating', () => {
    const raw = concatBytes(new Uint8Array(8), Uint8Array.of(0, 1, 0x41), fromHex('ffffffffffffffff'));
    assert.throws(() => decodeMultiSignParam(raw, 'A'), bad);
  });

  it('VoteParam rejects a txid that is not 32 bytes and non-ASCII addresses', () => {
    const good = encodeVoteParam({ fromChainId: 0n, address: 'AJq9fNeGfk8fsherPuj3ZLXSq1BJoSerF9', txid: new Uint8Array(32) });
    assert.equal(decodeVoteParam(good).address, 'AJq9fNeGfk8fsherPuj3ZLXSq1BJoSerF9');
    assert.throws(() => decodeVoteParam(concatBytes(new Uint8Array(8), Uint8Array.of(1, 0x41, 31), new Uint8Array(31))), bad);
    assert.throws(() => decodeVoteParam(concatBytes(new Uint8Array(8), Uint8Array.of(1, 0xff, 32), new Uint8Array(32))), bad);
  });
});
