/**
 * wallet.dat (Ontology JSON wallet) as used by spvclient's alliance signer.
 * Layout: polynetwork/poly @ eb4489ee : account/file_store.go; encryption: ontio/ontology-crypto @ c3f327f :
 * keypair/encrypt.go (`DecryptWithCustomScrypt`). The wallet-level `scrypt` object applies to every account.
 *
 * GCM: dk = scrypt(password, salt, N, r, p, dkLen); nonce = dk[0:12], key = dk[32:64], AAD = the account's address
 * text as stored, tag = last 16 bytes of `key`. Legacy CTR: salt = SHA256(SHA256(address))[0:4], iv = dk[0:16],
 * key = dk[32:64], no authentication. Plaintext = minimal big-endian d, left-padded to 32 bytes.
 *
 * The only I/O-like step is the async scrypt (node:crypto, thread pool).
 */
import { createDecipheriv, scrypt as scryptCb } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2';
import { base64 } from '@scure/base';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual, fromHexOrNull, toHex } from '../../util/bytes.js';
import type { PolyCurve } from './polyAddress.js';
import { polyBase58FromPublicKey } from './polyAddress.js';
import { polyPublicKey } from './polySign.js';

export interface WalletScrypt {
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly dkLen: number;
}

export type WalletEncAlg = 'aes-256-gcm' | 'aes-256-ctr';

export interface WalletAccount {
  /** The address text exactly as stored (GCM AAD); may be Ontology-style: never use it as the signer address. */
  readonly address: string;
  readonly encAlg: WalletEncAlg;
  /** Ciphertext (‖ tag for GCM). */
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
  readonly curve: PolyCurve;
  /** Serialized public key from the file. */
  readonly publicKey: Uint8Array;
  readonly scheme: string;
  readonly isDefault: boolean;
  readonly label: string;
}

export interface WalletFile {
  readonly scrypt: WalletScrypt;
  readonly accounts: readonly WalletAccount[];
}

export interface PolySigner {
  readonly curve: PolyCurve;
  /** 32-byte private scalar. */
  readonly privateKey: Uint8Array;
  /** Serialized public key (33 bytes P-256, `1205‖33` secp256k1). */
  readonly publicKey: Uint8Array;
  /** Poly base58 address derived from the key (NOT the file's address text). */
  readonly polyAddress: string;
  /** signatureScheme from the file, e.g. SHA256withECDSA / SHA3-256withECDSA. */
  readonly scheme: string;
}

/** Bounds on the scrypt parameters we accept from a file (defaults are N=16384, r=8, p=8). */
const MAX_SCRYPT_N = 1 << 20;
const MAX_SCRYPT_RP = 64;
/**
 * scrypt needs 128 * N * r bytes. N and r at their bounds alone would let a wallet file make us allocate 8 GiB (an
 * out-of-memory crash of the alliance worker); 256 MiB is 16x the defaults (N = 16384, r = 8: 16 MiB).
 */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

function malformed(message: string, details: Record<string, unknown> = {}): never {
  throw new SpvError('WALLET_MALFORMED', message, details);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function posInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) malformed(`scrypt.${what} must be a positive integer`);
  return v;
}

function str(obj: Record<string, unknown>, key: string, index: number): string {
  const v = obj[key];
  if (typeof v !== 'string') malformed(`accounts[${index}].${key} must be a string`, { index, field: key });
  return v;
}

function b64(text: string, what: string, index: number): Uint8Array {
  try {
    return base64.decode(text);
  } catch (cause) {
    throw new SpvError('WALLET_MALFORMED', `accounts[${index}].${what} is not base64`, { index, field: what }, { cause });
  }
}

function parseScrypt(v: unknown): WalletScrypt {
  if (!isRecord(v)) malformed('scrypt must be an object');
  const s = { n: posInt(v.n, 'n'), r: posInt(v.r, 'r'), p: posInt(v.p, 'p'), dkLen: posInt(v.dkLen, 'dkLen') };
  if (
    (s.n & (s.n - 1)) !== 0 ||
    s.n < 2 ||
    s.n > MAX_SCRYPT_N ||
    s.r > MAX_SCRYPT_RP ||
    s.p > MAX_SCRYPT_RP ||
    128 * s.n * s.r > MAX_SCRYPT_MEMORY
  ) {
    throw new SpvError('WALLET_UNSUPPORTED', 'scrypt parameters out of the supported range', { ...s });
  }
  if (s.dkLen !== 64) throw new SpvError('WALLET_UNSUPPORTED', 'scrypt dkLen must be 64', { dkLen: s.dkLen });
  return s;
}

function parseCurve(text: string, index: number): PolyCurve {
  if (text === 'P-256') return 'P-256';
  if (text === '' || text === 'secp256k1') return 'secp256k1';
  throw new SpvError('WALLET_UNSUPPORTED', `accounts[${index}] curve not supported`, { index, curve: text });
}

function parseAccount(v: unknown, index: number): WalletAccount {
  if (!isRecord(v)) malformed(`accounts[${index}] must be an object`, { index });
  const address = str(v, 'address', index);
  const encAlg = str(v, 'enc-alg', index);
  if (encAlg !== 'aes-256-gcm' && encAlg !== 'aes-256-ctr') {
    throw new SpvError('WALLET_UNSUPPORTED', `accounts[${index}] enc-alg not supported`, { index, encAlg });
  }
  const algorithm = v.algorithm;
  if (algorithm !== undefined && algorithm !== 'ECDSA') {
    throw new SpvError('WALLET_UNSUPPORTED', `accounts[${index}] algorithm not supported`, { index, algorithm: String(algorithm) });
  }
  const key = b64(str(v, 'key', index), 'key', index);
  const salt = b64(str(v, 'salt', index), 'salt', index);
  if (encAlg === 'aes-256-gcm' && salt.length !== 16) malformed(`accounts[${index}].salt must be 16 bytes`, { index });
  if (encAlg === 'aes-256-gcm' ? key.length <= 16 || key.length > 16 + 32 : key.length === 0 || key.length > 32) {
    malformed(`accounts[${index}].key has the wrong length`, { index, length: key.length });
  }
  const params = v.parameters;
  if (!isRecord(params) || typeof params.curve !== 'string') malformed(`accounts[${index}].parameters.curve must be a string`, { index });
  const curve = parseCurve(params.curve, index);
  const publicKey = fromHexOrNull(str(v, 'publicKey', index));
  if (publicKey === null) malformed(`accounts[${index}].publicKey is not hex`, { index });
  const scheme = v.signatureScheme === undefined ? '' : str(v, 'signatureScheme', index);
  const isDefault = v.isDefault === undefined ? false : v.isDefault;
  if (typeof isDefault !== 'boolean') malformed(`accounts[${index}].isDefault must be a boolean`, { index });
  const label = v.label === undefined || v.label === null ? '' : str(v, 'label', index);
  return { address, encAlg, key, salt, curve, publicKey, scheme, isDefault, label };
}

/** Validate a wallet.dat (JSON text or an already parsed value). */
export function parseWalletFile(input: string | unknown): WalletFile {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (cause) {
      throw new SpvError('WALLET_MALFORMED', 'wallet is not JSON', {}, { cause });
    }
  }
  if (!isRecord(json)) malformed('wallet must be a JSON object');
  const scrypt = parseScrypt(json.scrypt);
  if (json.accounts === null || json.accounts === undefined) throw new SpvError('WALLET_NO_ACCOUNT', 'wallet has no accounts');
  if (!Array.isArray(json.accounts)) malformed('accounts must be an array');
  const accounts = (json.accounts as unknown[]).map(parseAccount);
  return { scrypt, accounts };
}

/** The account with isDefault, else the first; more than one default is WALLET_MULTIPLE_DEFAULTS. */
export function selectDefaultAccount(wallet: WalletFile): WalletAccount {
  const defaults = wallet.accounts.filter((a) => a.isDefault);
  if (defaults.length > 1) throw new SpvError('WALLET_MULTIPLE_DEFAULTS', 'more than one default account', { count: defaults.length });
  const acct = defaults[0] ?? wallet.accounts[0];
  if (acct === undefined) throw new SpvError('WALLET_NO_ACCOUNT', 'wallet has no accounts');
  return acct;
}

/** The wallet key derivation (async: 16 MiB at the default parameters). Also used by the devnet's wallet writer. */
export function walletScrypt(password: string, salt: Uint8Array, s: WalletScrypt): Promise<Uint8Array> {
  const maxmem = 128 * s.n * s.r * 2 + 128 * s.r * s.p + (1 << 20);
  return new Promise((resolve, reject) => {
    scryptCb(Buffer.from(password, 'utf8'), salt, s.dkLen, { N: s.n, r: s.r, p: s.p, maxmem }, (err, dk) => {
      if (err) reject(new SpvError('WALLET_UNSUPPORTED', 'scrypt failed', {}, { cause: err }));
      else resolve(new Uint8Array(dk));
    });
  });
}

function leftPad32(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(d, 32 - d.length);
  return out;
}

/** Decrypt one account; wrong password → WALLET_BAD_PASSWORD, never a raw crypto exception. */
export async function decryptAccount(account: WalletAccount, scrypt: WalletScrypt, password: string): Promise<PolySigner> {
  const gcm = account.encAlg === 'aes-256-gcm';
  const salt = gcm ? account.salt : sha256(sha256(new TextEncoder().encode(account.address))).subarray(0, 4);
  const dk = await walletScrypt(password, salt, scrypt);
  const aesKey = dk.subarray(32, 64);
  let plain: Uint8Array;
  if (gcm) {
    const ct = account.key.subarray(0, account.key.length - 16);
    const tag = account.key.subarray(account.key.length - 16);
    try {
      const dec = createDecipheriv('aes-256-gcm', aesKey, dk.subarray(0, 12));
      dec.setAAD(new TextEncoder().encode(account.address));
      dec.setAuthTag(tag);
      plain = new Uint8Array(Buffer.concat([dec.update(ct), dec.final()]));
    } catch (cause) {
      throw new SpvError('WALLET_BAD_PASSWORD', 'wrong wallet password (authentication failed)', {}, { cause });
    }
  } else {
    const dec = createDecipheriv('aes-256-ctr', aesKey, dk.subarray(0, 16));
    plain = new Uint8Array(Buffer.concat([dec.update(account.key), dec.final()]));
  }
  // GCM plaintext is authentic, so a bad key there is a malformed wallet; CTR cannot tell, so it is a bad password.
  const badKey = gcm ? 'WALLET_MALFORMED' : 'WALLET_BAD_PASSWORD';
  if (plain.length === 0 || plain.length > 32) throw new SpvError(badKey, 'decrypted key has the wrong length', { length: plain.length });
  const privateKey = leftPad32(plain);
  let publicKey: Uint8Array;
  try {
    publicKey = polyPublicKey(account.curve, privateKey);
  } catch (cause) {
    throw new SpvError(badKey, 'decrypted key is not a valid private key', {}, { cause });
  }
  if (!bytesEqual(publicKey, account.publicKey)) {
    throw new SpvError(gcm ? 'WALLET_KEY_MISMATCH' : 'WALLET_BAD_PASSWORD', 'decrypted key does not match publicKey', {
      derived: toHex(publicKey),
      stored: toHex(account.publicKey),
    });
  }
  return { curve: account.curve, privateKey, publicKey, polyAddress: polyBase58FromPublicKey(publicKey), scheme: account.scheme };
}

/** Parse a wallet.dat, pick the default account and decrypt it. */
export async function openWallet(input: string | unknown, password: string): Promise<PolySigner> {
  const wallet = parseWalletFile(input);
  return decryptAccount(selectDefaultAccount(wallet), wallet.scrypt, password);
}
