import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2';
import { base58 } from '@scure/base';
import {
  parseSerializedPublicKey,
  polyAddressFromBase58,
  polyAddressFromPublicKey,
  polyAddressToBase58,
  polyAddressToHex,
  polyBase58FromPublicKey,
  polyPublicKey,
  serializePublicKey,
} from '../../../src/alliance/poly/index.js';
import { concatBytes, fromHex, reversed, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

function base58check(payload: Uint8Array): string {
  return base58.encode(concatBytes(payload, sha256(sha256(payload)).subarray(0, 4)));
}

describe('poly addresses', () => {
  it('genesis peer pubkeys → hash160 and base58 addresses (polynetwork/poly config.go)', { skip: skipPoly }, () => {
    const peers = polyVectors().found.poly_genesis_peers.peers;
    assert.equal(peers.length, 11);
    for (const p of peers) {
      const pk = fromHex(p.peerPubkey);
      const addr = polyAddressFromPublicKey(pk);
      assert.equal(toHex(addr), p.hash160);
      assert.equal(polyBase58FromPublicKey(pk), p.address);
      assert.deepEqual(polyAddressFromBase58(p.address), addr);
      assert.equal(polyAddressToHex(addr), toHex(reversed(addr)));
      const parsed = parseSerializedPublicKey(pk);
      assert.equal(parsed.curve, 'secp256k1');
      assert.deepEqual(serializePublicKey('secp256k1', parsed.compressed), pk);
    }
  });

  it('wallet vectors: publicKey → Poly address and hash160', { skip: skipPoly }, () => {
    const f = polyVectors().found;
    for (const w of [f.spvclient_wallet_p256, f.spvclient_wallet_secp256k1, ...f.ontology_ts_sdk_wallets.wallets]) {
      const pk = fromHex(w.expected.publicKeySerialized);
      assert.equal(toHex(polyAddressFromPublicKey(pk)), w.expected.polyHash160);
      assert.equal(polyBase58FromPublicKey(pk), w.expected.polyAddress);
      const curve = parseSerializedPublicKey(pk).curve;
      assert.deepEqual(polyPublicKey(curve, fromHex(w.expected.d)), pk);
    }
    const gcm = f.ontology_crypto_gcm_test;
    assert.equal(polyBase58FromPublicKey(fromHex(gcm.derived.publicKeySerialized)), gcm.derived.polyAddress);
    const s = f.ontology_ts_sdk_scrypt_test;
    assert.equal(polyBase58FromPublicKey(fromHex(s.expected.publicKeySerialized)), s.expected.polyAddress);
  });

  it('ontology-ts-sdk WIF vector: base58check payload is 0x80 ‖ d ‖ 01', { skip: skipPoly }, () => {
    const { wif, d } = polyVectors().found.ontology_ts_sdk_wif;
    const raw = base58.decode(wif);
    assert.equal(toHex(raw.subarray(1, 33)), d);
    assert.equal(base58check(raw.subarray(0, 34)), wif);
  });

  it('rejects bad base58, checksum, version and length with POLY_ADDRESS_INVALID', () => {
    const addr20 = fromHex('51f19e6af2eead230e0f15490069e45122f7171e');
    const good = polyAddressToBase58(addr20);
    assert.equal(good, 'APF9q1L3QujWEbjct4Gq5ALESFetAW2cA5');
    const bad = hasCode('POLY_ADDRESS_INVALID');
    assert.throws(() => polyAddressFromBase58('APF9q1L3QujWEbjct4Gq5ALESFetAW2cA0'), bad); // '0' not in alphabet
    assert.throws(() => polyAddressFromBase58('APF9q1L3QujWEbjct4Gq5ALESFetAW2cA6'), bad); // checksum
    assert.throws(() => polyAddressFromBase58(''), bad);
    assert.throws(() => polyAddressFromBase58(base58check(concatBytes(Uint8Array.of(0x00), addr20))), bad); // version
    assert.throws(() => polyAddressFromBase58(base58check(concatBytes(Uint8Array.of(0x17), addr20, Uint8Array.of(1)))), bad);
    assert.throws(() => polyAddressToBase58(new Uint8Array(19)), bad);
  });

  it('rejects unsupported public keys with POLY_KEY_INVALID', () => {
    const bad = hasCode('POLY_KEY_INVALID');
    assert.throws(() => parseSerializedPublicKey(new Uint8Array(33)), bad);
    assert.throws(() => parseSerializedPublicKey(fromHex('1202' + '02'.repeat(33))), bad);
    assert.throws(() => serializePublicKey('P-256', new Uint8Array(65)), bad);
    assert.throws(() => polyPublicKey('P-256', new Uint8Array(32)), bad);
  });
});
