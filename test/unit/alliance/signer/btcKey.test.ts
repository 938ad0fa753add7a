import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { createBase58check } from '@scure/base';
import { loadBtcKeyFile, p2pkhAddress, parseBtcKey } from '../../../../src/alliance/signer/index.js';
import type { NetworkName } from '../../../../src/chain/params.js';
import { isSpvError } from '../../../../src/errors/spvError.js';
import type { ErrorCode } from '../../../../src/errors/codes.js';
import { concatBytes, fromHex, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { mulberry32 } from '../../../helpers/random.js';
import { tempDir } from '../../../helpers/tmp.js';
import { randomBytes } from './signerTestUtil.js';

interface BcoinKeyRing {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  toSecret(network: string): string;
  getAddress(enc: 'string', network: string): string;
}
interface BcoinLib {
  readonly KeyRing: {
    fromSecret(wif: string, network: string): BcoinKeyRing;
    fromPrivate(key: Uint8Array, compressed: boolean): BcoinKeyRing;
  };
}
const bcoin = createRequire(import.meta.url)('bcoin') as BcoinLib;
const b58c = createBase58check(sha256);

// Bitcoin wiki "Wallet import format" example key.
const WIKI_KEY_HEX = '0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d';
const WIKI_WIF = '5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ';
const WIKI_WIF_COMPRESSED = 'KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617';
const WIKI_WIF_TESTNET_COMPRESSED = 'cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx';
const N = secp256k1.CURVE.n;

function wif(version: number, key: Uint8Array, flag: number[] = [0x01]): string {
  return b58c.encode(concatBytes(Uint8Array.of(version), key, Uint8Array.from(flag)));
}

function hex32(v: bigint): string {
  return v.toString(16).padStart(64, '0');
}

/** The error's code, and that neither its message nor its details quote any of `secrets`. */
function codeWithoutSecrets(fn: () => unknown, code: ErrorCode, secrets: readonly string[]): void {
  try {
    fn();
  } catch (err) {
    assert.ok(isSpvError(err), String(err));
    assert.equal(err.code, code);
    const text = `${err.message}\n${JSON.stringify(err.details)}`.toLowerCase();
    for (const s of secrets) assert.ok(!text.includes(s.toLowerCase()), `error text contains key material: ${text}`);
    return;
  }
  assert.fail(`expected ${code}`);
}

describe('parseBtcKey', () => {
  it('Bitcoin wiki WIF example (uncompressed) -> the documented key and address', () => {
    const k = parseBtcKey(WIKI_WIF, 'mainnet');
    assert.equal(toHex(k.privateKey), WIKI_KEY_HEX);
    assert.equal(k.compressed, false);
    assert.equal(k.publicKey.length, 65);
    assert.equal(p2pkhAddress(k.publicKey, 'mainnet'), '1GAehh7TsJAHuUAeKZcXf5CnwuGuGgyX2S');
  });

  it('compressed mainnet and testnet WIFs of the same key agree with bcoin', () => {
    const main = parseBtcKey(WIKI_WIF_COMPRESSED, 'mainnet');
    assert.equal(toHex(main.privateKey), WIKI_KEY_HEX);
    assert.equal(main.compressed, true);
    assert.equal(main.publicKey.length, 33);
    const ringMain = bcoin.KeyRing.fromSecret(WIKI_WIF_COMPRESSED, 'main');
    assert.equal(toHex(main.publicKey), toHex(ringMain.publicKey));
    assert.equal(p2pkhAddress(main.publicKey, 'mainnet'), ringMain.getAddress('string', 'main'));

    for (const net of ['testnet3', 'testnet4', 'signet', 'regtest'] as const) {
      const t = parseBtcKey(WIKI_WIF_TESTNET_COMPRESSED, net);
      assert.equal(toHex(t.privateKey), WIKI_KEY_HEX);
      assert.equal(t.compressed, true);
      assert.equal(toHex(t.publicKey), toHex(main.publicKey));
      // regtest uses testnet's P2PKH version byte 0x6f (Core chainparams); bcoin's own regtest prefix differs.
      const ring = bcoin.KeyRing.fromSecret(WIKI_WIF_TESTNET_COMPRESSED, 'testnet');
      assert.equal(p2pkhAddress(t.publicKey, net), ring.getAddress('string', 'testnet'));
    }
    assert.equal(p2pkhAddress(main.publicKey, 'regtest'), 'n1KSZGmQgB8iSZqv6UVhGkCGUbEdw8Lm3Q');
  });

  it('random keys: bcoin-encoded WIFs (both networks, both compressions) round-trip', () => {
    const rand = mulberry32(0x51c4e7);
    for (let i = 0; i < 20; i++) {
      const priv = randomBytes(rand, 32);
      const compressed = i % 2 === 0;
      const ring = bcoin.KeyRing.fromPrivate(Buffer.from(priv), compressed);
      const net: NetworkName = i % 4 < 2 ? 'mainnet' : 'testnet3';
      const k = parseBtcKey(ring.toSecret(net === 'mainnet' ? 'main' : 'testnet'), net);
      assert.equal(toHex(k.privateKey), toHex(priv));
      assert.equal(k.compressed, compressed);
      assert.equal(toHex(k.publicKey), toHex(ring.publicKey));
      assert.equal(p2pkhAddress(k.publicKey, net), ring.getAddress('string', net === 'mainnet' ? 'main' : 'testnet'));
    }
  });

  it('64 hex characters (either case, surrounding whitespace) -> compressed key on any network', () => {
    for (const net of ['mainnet', 'regtest'] as const) {
      const k = parseBtcKey(`\n  ${WIKI_KEY_HEX.toUpperCase()}  \n`, net);
      assert.equal(toHex(k.privateKey), WIKI_KEY_HEX);
      assert.equal(k.compressed, true);
      assert.equal(toHex(k.publicKey), toHex(secp256k1.getPublicKey(fromHex(WIKI_KEY_HEX), true)));
    }
    assert.equal(toHex(parseBtcKey(` ${WIKI_WIF}\r\n`, 'mainnet').privateKey), WIKI_KEY_HEX);
  });

  it('bad checksum -> BTC_KEY_INVALID', () => {
    const last = WIKI_WIF_COMPRESSED.at(-1) === '7' ? '8' : '7';
    const bad = WIKI_WIF_COMPRESSED.slice(0, -1) + last;
    codeWithoutSecrets(() => parseBtcKey(bad, 'mainnet'), 'BTC_KEY_INVALID', [bad, WIKI_KEY_HEX]);
  });

  it('WIF of the other network -> BTC_KEY_WRONG_NETWORK', () => {
    codeWithoutSecrets(() => parseBtcKey(WIKI_WIF, 'regtest'), 'BTC_KEY_WRONG_NETWORK', [WIKI_WIF, WIKI_KEY_HEX]);
    codeWithoutSecrets(() => parseBtcKey(WIKI_WIF_COMPRESSED, 'testnet4'), 'BTC_KEY_WRONG_NETWORK', [WIKI_WIF_COMPRESSED, WIKI_KEY_HEX]);
    codeWithoutSecrets(() => parseBtcKey(WIKI_WIF_TESTNET_COMPRESSED, 'mainnet'), 'BTC_KEY_WRONG_NETWORK', [
      WIKI_WIF_TESTNET_COMPRESSED,
      WIKI_KEY_HEX,
    ]);
  });

  it('wrong payload length, bad compression flag, unknown version -> BTC_KEY_INVALID', () => {
    const key = fromHex(WIKI_KEY_HEX);
    const cases = [
      wif(0x80, key.subarray(0, 31), []), // 31-byte key
      wif(0x80, key.subarray(0, 30), [0x01]), // 30-byte key + flag
      wif(0x80, key, [0x01, 0x01]), // two flag bytes
      wif(0x80, key, [0x02]), // flag other than 0x01
      wif(0x00, key, [0x01]), // P2PKH version byte
      wif(0x6f, key, [0x01]), // testnet P2PKH version byte
    ];
    for (const w of cases) {
      codeWithoutSecrets(() => parseBtcKey(w, 'mainnet'), 'BTC_KEY_INVALID', [w, WIKI_KEY_HEX]);
    }
  });

  it('not a key at all -> BTC_KEY_INVALID', () => {
    for (const t of ['', '   ', WIKI_KEY_HEX.slice(0, 63), WIKI_KEY_HEX + '0', `0x${WIKI_KEY_HEX}`, 'I0lO'.repeat(13), '1'.repeat(500)]) {
      codeWithoutSecrets(() => parseBtcKey(t, 'mainnet'), 'BTC_KEY_INVALID', t.trim() === '' ? [WIKI_KEY_HEX] : [t, WIKI_KEY_HEX]);
    }
  });

  it('key 0 and keys >= n are refused; 1 and n-1 are accepted', () => {
    for (const v of [0n, N, N + 1n, (1n << 256n) - 1n]) {
      const h = hex32(v);
      codeWithoutSecrets(() => parseBtcKey(h, 'mainnet'), 'BTC_KEY_INVALID', [h]);
      const w = wif(0x80, fromHex(h));
      codeWithoutSecrets(() => parseBtcKey(w, 'mainnet'), 'BTC_KEY_INVALID', [w, h]);
    }
    for (const v of [1n, N - 1n]) {
      assert.equal(toHex(parseBtcKey(hex32(v), 'mainnet').privateKey), hex32(v));
      assert.equal(toHex(parseBtcKey(wif(0xef, fromHex(hex32(v))), 'signet').privateKey), hex32(v));
    }
  });

  it('the private key is not enumerable: JSON and inspect do not show it', () => {
    const k = parseBtcKey(WIKI_WIF_COMPRESSED, 'mainnet');
    const json = JSON.stringify(k);
    assert.ok(!json.includes('"privateKey"'));
    assert.ok(!inspect(k, { depth: 5 }).includes('privateKey'));
    assert.deepEqual(Object.keys(k).sort(), ['compressed', 'publicKey']);
    assert.ok(Object.isFrozen(k));
  });

  it('p2pkhAddress refuses a non-point', () => {
    assert.throws(() => p2pkhAddress(new Uint8Array(33), 'mainnet'), hasCode('BTC_KEY_INVALID'));
  });
});

describe('loadBtcKeyFile', () => {
  const dir = tempDir('spv-btckey-');
  after(() => dir.cleanup());
  let n = 0;
  function keyFile(content: string, mode: number): string {
    const p = join(dir.path, `key${n++}.wif`);
    writeFileSync(p, content);
    chmodSync(p, mode); // explicit: the umask must not decide the test
    return p;
  }

  it('mode 0600 and 0400 load', async () => {
    for (const mode of [0o600, 0o400]) {
      const k = await loadBtcKeyFile(keyFile(`${WIKI_WIF_TESTNET_COMPRESSED}\n`, mode), 'regtest');
      assert.equal(toHex(k.privateKey), WIKI_KEY_HEX);
    }
  });

  it('group or world bits -> BTC_KEY_FILE_INSECURE with path and octal mode, no key material', async () => {
    for (const mode of [0o640, 0o604, 0o660, 0o644, 0o610, 0o601]) {
      const p = keyFile(WIKI_WIF_TESTNET_COMPRESSED, mode);
      await assert.rejects(loadBtcKeyFile(p, 'regtest'), (err: unknown) => {
        assert.ok(isSpvError(err));
        assert.equal(err.code, 'BTC_KEY_FILE_INSECURE');
        assert.equal(err.details.path, p);
        assert.equal(err.details.mode, `0${mode.toString(8)}`);
        const text = `${err.message}${JSON.stringify(err.details)}`;
        assert.ok(!text.includes(WIKI_WIF_TESTNET_COMPRESSED) && !text.includes(WIKI_KEY_HEX));
        return true;
      });
    }
  });

  it('missing file or a directory -> CONFIG_NOT_FOUND', async () => {
    await assert.rejects(loadBtcKeyFile(join(dir.path, 'absent.wif'), 'regtest'), hasCode('CONFIG_NOT_FOUND'));
    await assert.rejects(loadBtcKeyFile(dir.path, 'regtest'), hasCode('CONFIG_NOT_FOUND'));
  });

  it('bad content -> the parse code with the path, no key material', async () => {
    const p = keyFile(WIKI_WIF, 0o600);
    await assert.rejects(loadBtcKeyFile(p, 'regtest'), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'BTC_KEY_WRONG_NETWORK');
      assert.equal(err.details.path, p);
      const text = `${err.message}${JSON.stringify(err.details)}`;
      assert.ok(!text.includes(WIKI_WIF) && !text.includes(WIKI_KEY_HEX));
      return true;
    });
    await assert.rejects(loadBtcKeyFile(keyFile('not a key', 0o600), 'regtest'), hasCode('BTC_KEY_INVALID'));
    await assert.rejects(loadBtcKeyFile(keyFile('x'.repeat(10_000), 0o600), 'regtest'), hasCode('BTC_KEY_INVALID'));
  });
});
