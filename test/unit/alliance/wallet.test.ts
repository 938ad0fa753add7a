import assert from 'node:assert/strict';
import { createCipheriv, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2';
import { decryptAccount, openWallet, parseWalletFile, selectDefaultAccount } from '../../../src/alliance/poly/index.js';
import type { WalletAccount } from '../../../src/alliance/poly/index.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

type Json = Record<string, unknown>;

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function firstAccount(wallet: Json): Json {
  const accts = wallet.accounts as Json[];
  return accts[0]!;
}

describe('wallet.dat', () => {
  it('ontology-crypto GCM test vector (AAD "test address")', { skip: skipPoly }, async () => {
    const g = polyVectors().found.ontology_crypto_gcm_test;
    const wallet = parseWalletFile({
      scrypt: g.scrypt,
      accounts: [{ ...g.protectedKey, publicKey: g.derived.publicKeySerialized }],
    });
    const acct = selectDefaultAccount(wallet);
    const s = await decryptAccount(acct, wallet.scrypt, g.password);
    assert.equal(toHex(s.privateKey), g.expected.d);
    assert.equal(s.polyAddress, g.derived.polyAddress);
    assert.equal(s.curve, 'P-256');
    await assert.rejects(decryptAccount(acct, wallet.scrypt, g.wrongPassword), hasCode('WALLET_BAD_PASSWORD'));
  });

  it('spvclient P-256 wallet: passwordtest opens it, Poly address (not the file address), "1" fails', { skip: skipPoly }, async () => {
    const w = polyVectors().found.spvclient_wallet_p256;
    const s = await openWallet(JSON.stringify(w.walletDat), w.password);
    assert.equal(toHex(s.privateKey), w.expected.d);
    assert.equal(toHex(s.publicKey), w.expected.publicKeySerialized);
    assert.equal(s.polyAddress, w.expected.polyAddress);
    assert.notEqual(s.polyAddress, firstAccount(w.walletDat).address);
    assert.equal(s.scheme, 'SHA256withECDSA');
    await assert.rejects(openWallet(w.walletDat, w.wrongPassword), hasCode('WALLET_BAD_PASSWORD'));
  });

  it('spvclient secp256k1 wallet (curve "") opens with "1"', { skip: skipPoly }, async () => {
    const w = polyVectors().found.spvclient_wallet_secp256k1;
    const s = await openWallet(w.walletDat, w.password);
    assert.equal(s.curve, 'secp256k1');
    assert.equal(toHex(s.privateKey), w.expected.d);
    assert.equal(toHex(s.publicKey), w.expected.publicKeySerialized);
    assert.equal(s.polyAddress, w.expected.polyAddress);
    assert.equal(s.scheme, 'SHA3-256withECDSA');
    // curve spelled "secp256k1" is the same thing
    const named = clone(w.walletDat);
    (firstAccount(named).parameters as Json).curve = 'secp256k1';
    assert.equal(selectDefaultAccount(parseWalletFile(named)).curve, 'secp256k1');
  });

  it('ontology-ts-sdk wallets (7) open with "1"', { skip: skipPoly }, async () => {
    const f = polyVectors().found.ontology_ts_sdk_wallets;
    assert.equal(f.wallets.length, 7);
    const signers = await Promise.all(f.wallets.map((w) => openWallet(w.walletDat, f.password)));
    signers.forEach((s, i) => {
      const e = f.wallets[i]!.expected;
      assert.equal(toHex(s.privateKey), e.d);
      assert.equal(toHex(s.publicKey), e.publicKeySerialized);
      assert.equal(s.polyAddress, e.polyAddress);
    });
  });

  it('ontology-ts-sdk scrypt test account', { skip: skipPoly }, async () => {
    const t = polyVectors().found.ontology_ts_sdk_scrypt_test;
    const wallet = parseWalletFile({ scrypt: t.scrypt, accounts: [{ ...t.account, publicKey: t.expected.publicKeySerialized }] });
    const s = await decryptAccount(selectDefaultAccount(wallet), wallet.scrypt, t.password);
    assert.equal(toHex(s.privateKey), t.expected.d);
    assert.equal(s.polyAddress, t.expected.polyAddress);
  });

  it('a publicKey that does not match the decrypted key is WALLET_KEY_MISMATCH', { skip: skipPoly }, async () => {
    const v = polyVectors().found;
    const w = clone(v.spvclient_wallet_p256.walletDat);
    firstAccount(w).publicKey = v.ontology_ts_sdk_wallets.wallets[0]!.expected.publicKeySerialized;
    await assert.rejects(openWallet(w, v.spvclient_wallet_p256.password), hasCode('WALLET_KEY_MISMATCH'));
  });

  it('default account: isDefault, else the first; two defaults is WALLET_MULTIPLE_DEFAULTS', { skip: skipPoly }, async () => {
    const v = polyVectors().found.ontology_ts_sdk_wallets.wallets;
    const a = firstAccount(clone(v[0]!.walletDat));
    const b = firstAccount(clone(v[1]!.walletDat));
    const base = clone(v[0]!.walletDat);
    assert.equal(selectDefaultAccount(parseWalletFile({ ...base, accounts: [{ ...a, isDefault: false }, b] })).address, b.address);
    assert.equal(selectDefaultAccount(parseWalletFile({ ...base, accounts: [{ ...a, isDefault: false }, { ...b, isDefault: false }] })).address, a.address);
    const two = { ...base, accounts: [a, b] };
    assert.throws(() => selectDefaultAccount(parseWalletFile(two)), hasCode('WALLET_MULTIPLE_DEFAULTS'));
    await assert.rejects(openWallet(two, '1'), hasCode('WALLET_MULTIPLE_DEFAULTS'));
    assert.throws(() => selectDefaultAccount(parseWalletFile({ ...base, accounts: [] })), hasCode('WALLET_NO_ACCOUNT'));
    assert.throws(() => parseWalletFile({ ...base, accounts: null }), hasCode('WALLET_NO_ACCOUNT'));
  });

  it('malformed wallet JSON names the problem with WALLET_MALFORMED / WALLET_UNSUPPORTED', { skip: skipPoly }, () => {
    const base = polyVectors().found.spvclient_wallet_p256.walletDat;
    const acct = firstAccount(base);
    const withAcct = (patch: Json): Json => ({ ...base, accounts: [{ ...acct, ...patch }] });
    const m = hasCode('WALLET_MALFORMED');
    const u = hasCode('WALLET_UNSUPPORTED');
    assert.throws(() => parseWalletFile('{not json'), m);
    assert.throws(() => parseWalletFile('[]'), m);
    assert.throws(() => parseWalletFile({ ...base, scrypt: undefined }), m);
    assert.throws(() => parseWalletFile({ ...base, scrypt: { n: 16384, r: 8, p: 8 } }), m);
    assert.throws(() => parseWalletFile({ ...base, scrypt: { n: 1000, r: 8, p: 8, dkLen: 64 } }), u);
    assert.throws(() => parseWalletFile({ ...base, scrypt: { n: 16384, r: 8, p: 8, dkLen: 32 } }), u);
    assert.throws(() => parseWalletFile({ ...base, accounts: {} }), m);
    assert.throws(() => parseWalletFile({ ...base, accounts: [7] }), m);
    assert.throws(() => parseWalletFile(withAcct({ key: '!!!' })), m);
    assert.throws(() => parseWalletFile(withAcct({ key: 'AAAA' })), m);
    assert.throws(() => parseWalletFile(withAcct({ salt: 'AAAA' })), m);
    assert.throws(() => parseWalletFile(withAcct({ address: 5 })), m);
    assert.throws(() => parseWalletFile(withAcct({ publicKey: 'zz' })), m);
    assert.throws(() => parseWalletFile(withAcct({ publicKey: undefined })), m);
    assert.throws(() => parseWalletFile(withAcct({ parameters: {} })), m);
    assert.throws(() => parseWalletFile(withAcct({ isDefault: 'yes' })), m);
    assert.throws(() => parseWalletFile(withAcct({ parameters: { curve: 'P-384' } })), u);
    assert.throws(() => parseWalletFile(withAcct({ 'enc-alg': 'aes-128-cbc' })), u);
    assert.throws(() => parseWalletFile(withAcct({ algorithm: 'SM2' })), u);
  });

  it('legacy aes-256-ctr account (salt from the address, checked via publicKey)', async () => {
    const d = fromHex('8e9c8c55fa9eba18fc260d66a818e4bc32c3f326a1c5518e70e1acd28971a864');
    const address = 'AMAx993nE6NEqZjwBssUfopxnnvTdob9ij';
    const scrypt = { n: 1024, r: 8, p: 1, dkLen: 64 };
    const salt = sha256(sha256(new TextEncoder().encode(address))).subarray(0, 4);
    const dk = scryptSync('pw', salt, 64, { N: scrypt.n, r: scrypt.r, p: scrypt.p });
    const c = createCipheriv('aes-256-ctr', dk.subarray(32, 64), dk.subarray(0, 16));
    const key = Buffer.concat([c.update(d), c.final()]).toString('base64');
    const wallet = {
      scrypt,
      accounts: [
        {
          address,
          'enc-alg': 'aes-256-ctr',
          key,
          algorithm: 'ECDSA',
          salt: '',
          parameters: { curve: 'P-256' },
          publicKey: '02d500543eaa4110b8d5f8df4fabe31a8caabaa58cb8512baa8af15a303606efe4',
          signatureScheme: 'SHA256withECDSA',
          isDefault: true,
        },
      ],
    };
    const s = await openWallet(wallet, 'pw');
    assert.equal(toHex(s.privateKey), toHex(d));
    assert.equal(s.polyAddress, 'APF9q1L3QujWEbjct4Gq5ALESFetAW2cA5');
    await assert.rejects(openWallet(wallet, 'wrong'), hasCode('WALLET_BAD_PASSWORD'));
  });

  it('a short (minimal big-endian) d is left-padded to 32 bytes', async () => {
    // d = 1 → P-256 generator point; GCM-encrypt the single byte 0x01
    const scrypt = { n: 1024, r: 8, p: 1, dkLen: 64 };
    const salt = new Uint8Array(16).fill(3);
    const address = 'any text';
    const dk = scryptSync('pw', salt, 64, { N: scrypt.n, r: scrypt.r, p: scrypt.p });
    const c = createCipheriv('aes-256-gcm', dk.subarray(32, 64), dk.subarray(0, 12));
    c.setAAD(Buffer.from(address));
    const ct = Buffer.concat([c.update(Uint8Array.of(1)), c.final(), c.getAuthTag()]);
    const acct: WalletAccount = {
      address,
      encAlg: 'aes-256-gcm',
      key: new Uint8Array(ct),
      salt,
      curve: 'P-256',
      publicKey: fromHex('036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
      scheme: 'SHA256withECDSA',
      isDefault: true,
      label: '',
    };
    const s = await decryptAccount(acct, scrypt, 'pw');
    assert.equal(toHex(s.privateKey), '00'.repeat(31) + '01');
    await assert.rejects(decryptAccount({ ...acct, address: 'other text' }, scrypt, 'pw'), hasCode('WALLET_BAD_PASSWORD'));
  });
});
