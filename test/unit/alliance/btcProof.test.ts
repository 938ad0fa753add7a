import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2';
import { decodeBtcProof, decodeNeoBigInt, encodeBtcProof, encodeNeoBigInt } from '../../../src/alliance/poly/index.js';
import { parseMerkleProof, verifyTxInProof } from '../../../src/merkle/index.js';
import { bytesEqual, concatBytes, fromHex, hashToHex, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

describe('BtcProof (Bp1)', () => {
  it('decodes the E1 and E0 serializations and re-encodes them byte for byte', { skip: skipPoly }, () => {
    const v = polyVectors();
    const bp1 = v.found.btcproof_bp1;
    const c = v.computed_not_node_confirmed;
    for (const [enc, hex, len] of [
      ['E1', c.btcproof_bp1_E1.hex, c.btcproof_bp1_E1.len],
      ['E0', c.btcproof_bp1_E0.hex, c.btcproof_bp1_E0.len],
    ] as const) {
      const raw = fromHex(hex);
      assert.equal(raw.length, len);
      const p = decodeBtcProof(raw, enc);
      assert.equal(toHex(p.tx), bp1.rawTx);
      assert.equal(toHex(p.proof), bp1.proofMerkleBlock);
      assert.equal(p.height, bp1.height);
      assert.equal(p.blocksToWait, BigInt(bp1.blocksToWait));
      assert.equal(toHex(encodeBtcProof(p, enc)), hex);
    }
  });

  it('its proof parses, the txid is among the proof hashes and the proof verifies', { skip: skipPoly }, () => {
    const bp1 = polyVectors().found.btcproof_bp1;
    const tx = fromHex(bp1.rawTx);
    const txid = sha256(sha256(tx));
    assert.equal(toHex(txid), bp1.derived.txidInternal);
    assert.equal(hashToHex(txid), bp1.derived.txidDisplay);
    const proof = parseMerkleProof(fromHex(bp1.proofMerkleBlock));
    assert.ok(proof.hashes.some((h) => bytesEqual(h, txid)));
    const verified = verifyTxInProof(tx, fromHex(bp1.proofMerkleBlock));
    assert.ok(verified !== undefined);
  });

  it('every truncation is BTCPROOF_MALFORMED, trailing bytes BTCPROOF_TRAILING_BYTES', { skip: skipPoly }, () => {
    const c = polyVectors().computed_not_node_confirmed;
    for (const [enc, hex] of [
      ['E1', c.btcproof_bp1_E1.hex],
      ['E0', c.btcproof_bp1_E0.hex],
    ] as const) {
      const raw = fromHex(hex);
      for (let n = 0; n < raw.length; n++) assert.throws(() => decodeBtcProof(raw.subarray(0, n), enc), hasCode('BTCPROOF_MALFORMED'));
      assert.throws(() => decodeBtcProof(concatBytes(raw, Uint8Array.of(0)), enc), hasCode('BTCPROOF_TRAILING_BYTES'));
    }
    // E1 bytes read as E0: the first NeoBigInt length (0xce) exceeds the limit
    assert.throws(() => decodeBtcProof(fromHex(c.btcproof_bp1_E1.hex), 'E0'), hasCode('BTCPROOF_MALFORMED'));
    // E0 bytes read as E1: the tail is too short for u32 + u64
    assert.throws(() => decodeBtcProof(fromHex(c.btcproof_bp1_E0.hex), 'E1'), hasCode('BTCPROOF_MALFORMED'));
    // a length prefix far past the end
    assert.throws(() => decodeBtcProof(fromHex('fe00000001'), 'E1'), hasCode('BTCPROOF_MALFORMED'));
  });

  it('E0 NeoBigInt: minimal two\'s complement, negative or non-minimal heights rejected', () => {
    assert.equal(toHex(encodeNeoBigInt(1151182n)), 'ce9011');
    assert.equal(toHex(encodeNeoBigInt(6n)), '06');
    assert.equal(toHex(encodeNeoBigInt(0n)), '');
    assert.equal(toHex(encodeNeoBigInt(128n)), '8000');
    assert.equal(toHex(encodeNeoBigInt(-1n)), 'ff');
    for (const v of [0n, 1n, 127n, 128n, 255n, 256n, -1n, -128n, -129n, 1n << 63n]) assert.equal(decodeNeoBigInt(encodeNeoBigInt(v)), v);
    assert.throws(() => decodeNeoBigInt(Uint8Array.of(0)), hasCode('BTCPROOF_MALFORMED'));
    assert.throws(() => decodeNeoBigInt(Uint8Array.of(6, 0)), hasCode('BTCPROOF_MALFORMED'));
    const negHeight = fromHex('0000' + '01ff' + '0106');
    assert.throws(() => decodeBtcProof(negHeight, 'E0'), hasCode('BTCPROOF_MALFORMED'));
  });
});
