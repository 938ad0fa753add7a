import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openWallet, parseWalletFile, polyBase58FromPublicKey, polyPublicKey } from '../../../src/alliance/poly/index.js';
import type { PolyCurve } from '../../../src/alliance/poly/index.js';
import { toHex } from '../../../src/util/bytes.js';
import { buildWalletJson, writeWalletFile } from '../../../scripts/devnet/walletWriter.js';
import { hasCode } from '../../helpers/assertions.js';
import { tempDir } from '../../helpers/tmp.js';
import { relayDeposit, send, startKit, voteTxHex } from './devnetKit.js';
import type { PolyKey } from './devnetKit.js';
import { seedBytes } from './devnetKit.js';

const FAST = { n: 1024 };

describe('walletWriter', () => {
  const dir = tempDir('spv-devnet-wallet-');
  after(() => dir.cleanup());

  for (const curve of ['P-256', 'secp256k1'] as const satisfies readonly PolyCurve[]) {
    it(`round-trips a ${curve} key through openWallet`, async () => {
      const privateKey = seedBytes(`wallet/${curve}`);
      const path = join(dir.path, `${curve}.dat`);
      const w = await writeWalletFile(path, { privateKey, curve, password: 'pässwörd', scrypt: FAST });
      const publicKey = polyPublicKey(curve, privateKey);
      assert.equal(w.address, polyBase58FromPublicKey(publicKey));
      assert.equal(w.publicKeyHex, toHex(publicKey));
      assert.equal(statSync(path).mode & 0o777, 0o600);

      const text = readFileSync(path, 'utf8');
      const parsed = parseWalletFile(text);
      assert.deepEqual(parsed.scrypt, { n: 1024, r: 8, p: 8, dkLen: 64 });
      assert.equal(parsed.accounts.length, 1);
      assert.equal(parsed.accounts[0]!.isDefault, true);
      assert.equal(parsed.accounts[0]!.encAlg, 'aes-256-gcm');
      assert.equal(parsed.accounts[0]!.key.length, 48);

      const signer = await openWallet(text, 'pässwörd');
      assert.equal(signer.curve, curve);
      assert.equal(toHex(signer.privateKey), toHex(privateKey));
      assert.equal(signer.polyAddress, w.address);
      await assert.rejects(openWallet(text, 'wrong'), hasCode('WALLET_BAD_PASSWORD'));
    });
  }

  it('keeps a key with a leading zero byte (minimal big-endian plaintext, left-padded on open)', async () => {
    const privateKey = seedBytes('wallet/lead0');
    privateKey[0] = 0;
    const w = await buildWalletJson({ privateKey, curve: 'secp256k1', password: 'pw', scrypt: FAST, salt: new Uint8Array(16).fill(7) });
    const signer = await openWallet(w.json, 'pw');
    assert.equal(toHex(signer.privateKey), toHex(privateKey));
  });

  it('is byte-identical for a fixed salt, and the default scrypt is the SDK one', async () => {
    const o = { privateKey: seedBytes('wallet/fixed'), curve: 'P-256', password: 'pw', salt: new Uint8Array(16).fill(1) } as const;
    const a = await buildWalletJson({ ...o, scrypt: FAST });
    const b = await buildWalletJson({ ...o, scrypt: FAST });
    assert.equal(a.json, b.json);
    const def = await buildWalletJson(o);
    assert.deepEqual(parseWalletFile(def.json).scrypt, { n: 16384, r: 8, p: 8, dkLen: 64 });
  });

  it('refuses invalid keys and salts', async () => {
    await assert.rejects(buildWalletJson({ privateKey: new Uint8Array(32), curve: 'P-256', password: 'x', scrypt: FAST }), hasCode('POLY_KEY_INVALID'));
    await assert.rejects(
      buildWalletJson({ privateKey: seedBytes('k'), curve: 'P-256', password: 'x', scrypt: FAST, salt: new Uint8Array(8) }),
      hasCode('WALLET_MALFORMED'),
    );
  });

  it('a voter wallet it writes signs Votes the devnet accepts', async () => {
    const privateKey = seedBytes('wallet/voter');
    const w = await writeWalletFile(join(dir.path, 'voter.dat'), { privateKey, curve: 'secp256k1', password: 'pw', scrypt: FAST });
    const signer = await openWallet(readFileSync(join(dir.path, 'voter.dat'), 'utf8'), 'pw');
    const kit = await startKit({ voters: [w.address] });
    try {
      const txid = await relayDeposit(kit, 'p2sh', 10_000, 'wallet-voter');
      const voter: PolyKey = { curve: signer.curve, privateKey: signer.privateKey, publicKey: signer.publicKey, address: signer.polyAddress };
      const ev = await send(kit.url, voteTxHex(voter, txid));
      assert.equal(ev.State, 1);
      assert.equal(kit.devnet.state().deposits[0]!.executed, true, 'N=1: quorum 1');
    } finally {
      await kit.devnet.close();
    }
  });
});
