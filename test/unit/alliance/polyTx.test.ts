import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist';
import {
  decodeNativeInvoke,
  decodeSignedTx,
  decodeVoteParam,
  encodeNativeInvoke,
  encodeSignedTx,
  encodeUnsignedTx,
  encodeVoteParam,
  polyPublicKey,
  polyTxHash,
  polyTxHashHex,
  recoverSecp256k1,
  signP256,
  signSecp256k1,
  verifyP256,
  verifyPolySignature,
  verifySecp256k1,
} from '../../../src/alliance/poly/index.js';
import type { PolyTxEra } from '../../../src/alliance/poly/index.js';
import { concatBytes, fromHex, hexToHash, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

const CCM_A = fromHex('0000000000000000000000000000000000000002');
const CCM_C = fromHex('0000000000000000000000000000000000000003');
const NONCE = 0x01020304;
const P256_D = fromHex('8e9c8c55fa9eba18fc260d66a818e4bc32c3f326a1c5518e70e1acd28971a864');
const SECP_D = fromHex('0937616e818b9a3ce46ca93e5bf47def4a74fd3ebdf8f8351853166cc16fe7d1');
const BP1_TXID_DISPLAY = '29846cbac72dbfc2160f0e9faed2b9dfcbca726f41008ab5889aaa867368c162';

function voteUnsigned(era: PolyTxEra, address: string): Uint8Array {
  const args = encodeVoteParam({ fromChainId: 0n, address, txid: hexToHash(BP1_TXID_DISPLAY) });
  const payload = encodeNativeInvoke(era === 'A' ? CCM_A : CCM_C, 'Vote', args);
  return encodeUnsignedTx({ era, nonce: NONCE, chainId: 0n, payload });
}

describe('poly Vote transactions (computed vectors)', () => {
  it('era A, P-256: VoteParam, invoke code, unsigned bytes, hash, signature, signed tx', { skip: skipPoly }, () => {
    const v = polyVectors().computed_not_node_confirmed.vote_eraA_p256;
    const args = encodeVoteParam({ fromChainId: 0n, address: 'APF9q1L3QujWEbjct4Gq5ALESFetAW2cA5', txid: hexToHash(BP1_TXID_DISPLAY) });
    assert.equal(toHex(args), v.voteParam);
    assert.equal(toHex(encodeNativeInvoke(CCM_A, 'Vote', args)), v.invokeCode);
    const unsigned = voteUnsigned('A', 'APF9q1L3QujWEbjct4Gq5ALESFetAW2cA5');
    assert.equal(toHex(unsigned), v.unsigned);
    const hash = polyTxHash(unsigned);
    assert.equal(toHex(hash), v.hashInternal);
    assert.equal(polyTxHashHex(unsigned), v.hashDisplay);
    const sig = signP256(hash, P256_D);
    assert.equal(toHex(sig), v.sig);
    const pk = polyPublicKey('P-256', P256_D);
    assert.ok(verifyP256(hash, fromHex(v.sig), pk));
    assert.ok(verifyP256(hash, concatBytes(Uint8Array.of(1), sig), pk), '65-byte 01‖r‖s form');
    assert.ok(!verifyP256(polyTxHash(hash), sig, pk));
    assert.equal(toHex(encodeSignedTx(unsigned, sig, pk)), v.signedTx);
  });

  it('era C, P-256: unsigned bytes, hash, signature, signed tx', { skip: skipPoly }, () => {
    const v = polyVectors().computed_not_node_confirmed.vote_eraC_p256;
    const unsigned = voteUnsigned('C', 'APF9q1L3QujWEbjct4Gq5ALESFetAW2cA5');
    assert.equal(toHex(unsigned), v.unsigned);
    assert.equal(polyTxHashHex(unsigned), v.hashDisplay);
    const hash = polyTxHash(unsigned);
    assert.equal(toHex(signP256(hash, P256_D)), v.sig);
    assert.ok(verifyPolySignature(hash, fromHex(v.sig), polyPublicKey('P-256', P256_D)));
    // Go signs without low-S normalisation: the high-S twin must verify too
    const n = p256.CURVE.n;
    const sVal = BigInt('0x' + v.sig.slice(64));
    const highS = fromHex(v.sig.slice(0, 64) + (n - sVal).toString(16).padStart(64, '0'));
    assert.ok(verifyP256(hash, highS, polyPublicKey('P-256', P256_D)));
    assert.equal(toHex(encodeSignedTx(unsigned, fromHex(v.sig), polyPublicKey('P-256', P256_D))), v.signedTx);
  });

  it('era A, secp256k1: Keccak-256 and SHA3-256 digests, 66-byte 05‖(27+recid)‖r‖s', { skip: skipPoly }, () => {
    const v = polyVectors().computed_not_node_confirmed.vote_eraA_secp256k1;
    const unsigned = voteUnsigned('A', 'AJq9fNeGfk8fsherPuj3ZLXSq1BJoSerF9');
    assert.equal(toHex(unsigned), v.unsigned);
    const hash = polyTxHash(unsigned);
    assert.equal(toHex(hash), v.hashInternal);
    const pk = polyPublicKey('secp256k1', SECP_D);
    const cases = [
      ['keccak256', v.sig_keccak256_ontologyCrypto_2019_10_to_2020_04],
      ['sha3-256', v.sig_sha3_256_ontologyCrypto_from_2020_04],
    ] as const;
    for (const [digest, s] of cases) {
      const sig = signSecp256k1(hash, SECP_D, digest);
      assert.equal(sig.length, 66);
      assert.equal(toHex(sig), s.serializedSig);
      assert.equal(sig[1], 27 + s.recid);
      assert.equal(toHex(recoverSecp256k1(hash, sig, digest) ?? new Uint8Array(0)), s.recoversTo);
      assert.ok(verifyPolySignature(hash, sig, pk, digest));
      assert.ok(!verifyPolySignature(hash, sig, pk, digest === 'keccak256' ? 'sha3-256' : 'keccak256'));
      assert.equal(toHex(encodeSignedTx(unsigned, sig, pk)), s.signedTx);
    }
  });

  it('secp256k1 SHA3-256 signature over the era-C hash', { skip: skipPoly }, () => {
    const c = polyVectors().computed_not_node_confirmed;
    const hash = fromHex(c.vote_eraC_p256.hashInternal);
    const sig = signSecp256k1(hash, SECP_D, 'sha3-256');
    assert.equal(toHex(sig), c.secp256k1_sig_over_vote_eraC_hash.serializedSig_sha3);
    assert.ok(verifySecp256k1(hash, sig, fromHex(c.secp256k1_sig_over_vote_eraC_hash.recoversTo), 'sha3-256'));
  });

  it('independent decoder reads back the signed vectors', { skip: skipPoly }, () => {
    const c = polyVectors().computed_not_node_confirmed;
    const cases = [
      ['A', c.vote_eraA_p256.signedTx, c.vote_eraA_p256.hashInternal, 'keccak256'],
      ['C', c.vote_eraC_p256.signedTx, c.vote_eraC_p256.hashInternal, 'keccak256'],
      ['A', c.vote_eraA_secp256k1.sig_keccak256_ontologyCrypto_2019_10_to_2020_04.signedTx, c.vote_eraA_secp256k1.hashInternal, 'keccak256'],
      ['A', c.vote_eraA_secp256k1.sig_sha3_256_ontologyCrypto_from_2020_04.signedTx, c.vote_eraA_secp256k1.hashInternal, 'sha3-256'],
    ] as const;
    for (const [era, hex, hash, digest] of cases) {
      const tx = decodeSignedTx(fromHex(hex), era);
      assert.equal(toHex(tx.hash), hash);
      assert.equal(tx.nonce, NONCE);
      assert.equal(tx.chainId, 0n);
      const inv = decodeNativeInvoke(tx.payload);
      assert.equal(inv.method, 'Vote');
      assert.deepEqual(inv.contract, era === 'A' ? CCM_A : CCM_C);
      const vote = decodeVoteParam(inv.args);
      assert.equal(vote.fromChainId, 0n);
      assert.equal(toHex(vote.txid), '62c1687386aa9a88b58a00416f72cacbdfb9d2ae9f0e0f16c2bf2dc7ba6c8429');
      const [s] = tx.sigs;
      assert.ok(s !== undefined && tx.sigs.length === 1 && s.m === 1);
      assert.ok(verifyPolySignature(tx.hash, s.sigs[0]!, s.publicKeys[0]!, digest));
    }
  });

  it('decoders reject every truncation and trailing bytes with POLY_PARAM_MALFORMED', { skip: skipPoly }, () => {
    const c = polyVectors().computed_not_node_confirmed;
    const signed = fromHex(c.vote_eraC_p256.signedTx);
    const bad = hasCode('POLY_PARAM_MALFORMED');
    for (let n = 0; n < signed.length; n++) assert.throws(() => decodeSignedTx(signed.subarray(0, n), 'C'), bad);
    assert.throws(() => decodeSignedTx(concatBytes(signed, Uint8Array.of(0)), 'C'), bad);
    assert.throws(() => decodeSignedTx(signed, 'A'), bad); // wrong era layout
    const inv = fromHex(c.vote_eraA_p256.invokeCode);
    for (let n = 0; n < inv.length; n++) assert.throws(() => decodeNativeInvoke(inv.subarray(0, n)), bad);
    assert.throws(() => decodeNativeInvoke(concatBytes(inv, Uint8Array.of(0))), bad);
    const vp = fromHex(c.vote_eraA_p256.voteParam);
    for (let n = 0; n < vp.length; n++) assert.throws(() => decodeVoteParam(vp.subarray(0, n)), bad);
    assert.throws(() => decodeVoteParam(concatBytes(vp, Uint8Array.of(0))), bad);
  });

  it('encoders reject out-of-range values', () => {
    const bad = hasCode('POLY_PARAM_MALFORMED');
    assert.throws(() => encodeUnsignedTx({ era: 'A', nonce: 2 ** 32, chainId: 0n, payload: new Uint8Array(0) }), bad);
    assert.throws(() => encodeUnsignedTx({ era: 'C', nonce: 0, chainId: 1n << 64n, payload: new Uint8Array(0) }), bad);
    assert.throws(() => encodeUnsignedTx({ era: 'C', nonce: 0, chainId: 0n, payload: new Uint8Array(0), payer: new Uint8Array(19) }), bad);
    assert.throws(() => encodeNativeInvoke(new Uint8Array(21), 'Vote', new Uint8Array(0)), bad);
    assert.throws(() => encodeVoteParam({ fromChainId: 0n, address: 'A', txid: new Uint8Array(31) }), bad);
    assert.throws(() => signP256(new Uint8Array(31), P256_D), bad);
    assert.throws(() => signSecp256k1(new Uint8Array(32), new Uint8Array(32), 'keccak256'), hasCode('POLY_KEY_INVALID'));
    assert.throws(() => verifyP256(new Uint8Array(32), new Uint8Array(63), polyPublicKey('P-256', P256_D)), hasCode('POLY_SIGNATURE_INVALID'));
    assert.throws(() => recoverSecp256k1(new Uint8Array(32), new Uint8Array(65), 'keccak256'), hasCode('POLY_SIGNATURE_INVALID'));
  });

  it('testnet era-C chain id 0x7fffffffffffffff and non-zero gas/payer are encoded in place', () => {
    const payer = new Uint8Array(20).fill(0xaa);
    const u = encodeUnsignedTx({ era: 'C', nonce: 7, chainId: 0x7fffffffffffffffn, gasLimit: 1n, gasPrice: 2n, payload: Uint8Array.of(9), payer });
    assert.equal(toHex(u), '00d107000000ffffffffffffff7f01000000000000000200000000000000010900' + 'aa'.repeat(20) + '00');
    const d = decodeSignedTx(encodeSignedTx(u, new Uint8Array(64), polyPublicKey('P-256', P256_D)), 'C');
    assert.equal(d.chainId, 0x7fffffffffffffffn);
    assert.equal(d.gasPrice, 2n);
    assert.deepEqual(d.payer, payer);
  });
});
