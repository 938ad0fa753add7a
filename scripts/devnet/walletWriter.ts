/**
 * Writes an Ontology/Poly wallet.dat holding one default account (poly-protocol.md §5; polynetwork/poly @ eb4489ee :
 * account/file_store.go; ontio/ontology-crypto @ c3f327f : keypair/encrypt.go) so tests and the demo can give each
 * validator a voter wallet that src/alliance/poly/wallet.ts `openWallet` opens back.
 *
 * aes-256-gcm: dk = scrypt(password, salt16, N, r, p, 64); nonce = dk[0:12]; key = dk[32:64]; AAD = the account's
 * address text; `key` = base64(ciphertext ‖ 16-byte tag); plaintext = minimal big-endian d (`D.Bytes()`).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { base64 } from '@scure/base';
import { polyBase58FromPublicKey, polyPublicKey, walletScrypt } from '../../src/alliance/poly/index.js';
import type { PolyCurve, WalletScrypt } from '../../src/alliance/poly/index.js';
import { SpvError } from '../../src/errors/spvError.js';
import { toHex } from '../../src/util/bytes.js';

/** The SDK's default wallet scrypt (common/config: N=16384, r=8, p=8, dkLen=64). */
export const DEFAULT_WALLET_SCRYPT: WalletScrypt = { n: 16384, r: 8, p: 8, dkLen: 64 };

export interface WalletWriteOptions {
  /** 32-byte private scalar. */
  readonly privateKey: Uint8Array;
  readonly curve: PolyCurve;
  readonly password: string;
  /** Default N=16384, r=8, p=8 (openWallet accepts powers of two N ≤ 2^20, r/p ≤ 64, dkLen 64: tests use N=1024). */
  readonly scrypt?: Partial<WalletScrypt>;
  /** 16 bytes; random by default (pass one for byte-identical files). */
  readonly salt?: Uint8Array;
  readonly label?: string;
}

export interface WrittenWallet {
  /** Poly base58 address of the key (the account's `address`, the Vote address). */
  readonly address: string;
  /** Serialized Poly public key, hex. */
  readonly publicKeyHex: string;
  /** The wallet.dat JSON text. */
  readonly json: string;
}

/** Big-endian d without leading zero bytes, as Go's big.Int Bytes(). */
function minimalBigEndian(d: Uint8Array): Uint8Array {
  let i = 0;
  while (i < d.length - 1 && d[i] === 0) i++;
  return d.slice(i);
}

/** The wallet.dat JSON for one default account (no file I/O). */
export async function buildWalletJson(opts: WalletWriteOptions): Promise<WrittenWallet> {
  const s: WalletScrypt = { ...DEFAULT_WALLET_SCRYPT, ...opts.scrypt };
  if (s.dkLen !== 64) throw new SpvError('WALLET_UNSUPPORTED', 'scrypt dkLen must be 64', { dkLen: s.dkLen });
  const publicKey = polyPublicKey(opts.curve, opts.privateKey); // validates the key (POLY_KEY_INVALID)
  const address = polyBase58FromPublicKey(publicKey);
  const salt = opts.salt ?? new Uint8Array(randomBytes(16));
  if (salt.length !== 16) throw new SpvError('WALLET_MALFORMED', 'salt must be 16 bytes', { length: salt.length });
  const dk = await walletScrypt(opts.password, salt, s);
  const cipher = createCipheriv('aes-256-gcm', dk.subarray(32, 64), dk.subarray(0, 12));
  cipher.setAAD(new TextEncoder().encode(address));
  const ct = Buffer.concat([cipher.update(minimalBigEndian(opts.privateKey)), cipher.final(), cipher.getAuthTag()]);
  const wallet = {
    name: 'spvclient-devnet',
    version: '1.1',
    scrypt: { p: s.p, n: s.n, r: s.r, dkLen: s.dkLen },
    identities: null,
    accounts: [
      {
        address,
        'enc-alg': 'aes-256-gcm',
        key: base64.encode(new Uint8Array(ct)),
        algorithm: 'ECDSA',
        salt: base64.encode(salt),
        // file_store.go: P-256, or secp256k1 (newer files; old btcec ones wrote "")
        parameters: { curve: opts.curve },
        label: opts.label ?? '',
        publicKey: toHex(publicKey),
        // signature/scheme.go: P-256 keys sign SHA256withECDSA; Poly secp256k1 signatures carry scheme 5
        signatureScheme: opts.curve === 'P-256' ? 'SHA256withECDSA' : 'SHA3-256withECDSA',
        isDefault: true,
        lock: false,
      },
    ],
    extra: '',
  };
  return { address, publicKeyHex: toHex(publicKey), json: `${JSON.stringify(wallet, null, 2)}\n` };
}

/** Writes the wallet to `path` (mode 0600: it holds an encrypted key) and returns its address. */
export async function writeWalletFile(path: string, opts: WalletWriteOptions): Promise<WrittenWallet> {
  const built = await buildWalletJson(opts);
  await writeFile(path, built.json, { encoding: 'utf8', mode: 0o600 });
  return built;
}
