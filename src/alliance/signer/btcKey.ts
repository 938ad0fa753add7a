/**
 * The validator's BTC signing key (original-spvclient §6.7, §8 item 8: the original base58-decoded the file without
 * WIF version or checksum, so a real WIF became a different key). Accepted forms:
 *
 * - WIF (base58check: version ‖ 32-byte key ‖ optional 0x01 "compressed" flag ‖ 4-byte sha256d checksum). Version
 *   0x80 on mainnet, 0xef on testnet3/testnet4/signet/regtest (Core: chainparams.cpp SECRET_KEY);
 * - exactly 64 hex characters: the raw 32-byte key, used with its compressed public key.
 *
 * The key must be in [1, n-1] (SEC1 §3.2.1). Errors carry the form and length of the text, never key material.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { createBase58check } from '@scure/base';
import { payments } from 'bitcoinjs-lib';
import type { NetworkName } from '../../chain/params.js';
import { SpvError, isSpvError } from '../../errors/spvError.js';
import { fromHexOrNull } from '../../util/bytes.js';
import { bitcoinjsNetwork } from './bitcoinjsNetwork.js';

export interface BtcKey {
  /** 32 bytes. Not enumerable, so JSON.stringify / util.inspect / a logger never print it. */
  readonly privateKey: Uint8Array;
  /** Compressed (33 bytes) unless the WIF had no compression flag (65 bytes). */
  readonly publicKey: Uint8Array;
  readonly compressed: boolean;
}

export const WIF_VERSION_MAINNET = 0x80;
export const WIF_VERSION_TESTNET = 0xef;

/** A key file holds one short line; anything bigger is not a key file (and is not read into memory). */
const MAX_KEY_FILE_SIZE = 4096;
const MAX_KEY_TEXT = 128;

const base58check = createBase58check(sha256);
const BASE58_RE = /^[1-9A-HJ-NP-Za-km-z]+$/;
const HEX64_RE = /^[0-9a-fA-F]{64}$/;

function wifVersion(network: NetworkName): number {
  return network === 'mainnet' ? WIF_VERSION_MAINNET : WIF_VERSION_TESTNET;
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new SpvError('BTC_KEY_INVALID', message, details);
}

/** The BtcKey for 32 key bytes; privateKey is defined non-enumerable (see BtcKey). */
function makeKey(privateKey: Uint8Array, compressed: boolean, form: string): BtcKey {
  // SEC1 §3.2.1: 1 <= d <= n-1 (noble checks exactly that range for 32-byte input).
  if (privateKey.length !== 32 || !secp256k1.utils.isValidPrivateKey(privateKey)) {
    invalid('BTC key is out of range (must be 1..n-1)', { form });
  }
  const key = {} as BtcKey;
  Object.defineProperties(key, {
    privateKey: { value: privateKey, enumerable: false },
    publicKey: { value: secp256k1.getPublicKey(privateKey, compressed), enumerable: true },
    compressed: { value: compressed, enumerable: true },
  });
  return Object.freeze(key);
}

/** Parses a WIF or 64-hex private key (surrounding whitespace ignored). */
export function parseBtcKey(text: string, network: NetworkName): BtcKey {
  const t = text.trim();
  if (HEX64_RE.test(t)) {
    const raw = fromHexOrNull(t);
    if (raw === null) invalid('BTC key hex does not decode', { form: 'hex' });
    return makeKey(raw, true, 'hex');
  }
  if (t.length === 0 || t.length > MAX_KEY_TEXT || !BASE58_RE.test(t)) {
    invalid('BTC key is neither a WIF nor 64 hex characters', { form: 'unknown', length: t.length });
  }
  let payload: Uint8Array;
  try {
    payload = base58check.decode(t);
  } catch {
    // No `cause`: the decoder's error could quote the input.
    invalid('BTC key WIF checksum does not match', { form: 'wif', length: t.length });
  }
  const version = payload[0];
  if (version !== WIF_VERSION_MAINNET && version !== WIF_VERSION_TESTNET) {
    invalid('BTC key WIF has an unknown version byte', { form: 'wif', version });
  }
  if (version !== wifVersion(network)) {
    throw new SpvError('BTC_KEY_WRONG_NETWORK', `BTC key WIF is for ${version === WIF_VERSION_MAINNET ? 'mainnet' : 'a test network'}`, {
      form: 'wif',
      network,
      version,
      expectedVersion: wifVersion(network),
    });
  }
  // version ‖ 32 key bytes, or version ‖ 32 key bytes ‖ 0x01 (compressed public key).
  if (payload.length === 33) return makeKey(payload.slice(1, 33), false, 'wif');
  if (payload.length === 34 && payload[33] === 0x01) return makeKey(payload.slice(1, 33), true, 'wif');
  invalid('BTC key WIF has the wrong length or compression flag', { form: 'wif', payloadLength: payload.length });
}

/**
 * Reads a key file. Refuses (BTC_KEY_FILE_INSECURE) a file with any group or world permission bit, like ssh does
 * for private keys; CONFIG_NOT_FOUND when it cannot be opened or is not a regular file. The mode is checked on the
 * opened descriptor (fstat), so the checked file is the file read.
 */
export async function loadBtcKeyFile(path: string, network: NetworkName): Promise<BtcKey> {
  const abs = resolve(path);
  let fh: FileHandle;
  try {
    fh = await open(abs, 'r');
  } catch (err) {
    throw new SpvError('CONFIG_NOT_FOUND', `cannot open BTC key file ${abs}`, {
      path: abs,
      errno: (err as NodeJS.ErrnoException).code ?? null,
    });
  }
  let text: string;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SpvError('CONFIG_NOT_FOUND', `BTC key file ${abs} is not a regular file`, { path: abs });
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new SpvError('BTC_KEY_FILE_INSECURE', `BTC key file ${abs} is accessible by group or others (chmod 600 it)`, {
        path: abs,
        mode: mode.toString(8).padStart(4, '0'),
      });
    }
    if (st.size > MAX_KEY_FILE_SIZE) invalid(`BTC key file ${abs} is too large to be a key file`, { path: abs, size: st.size });
    text = await fh.readFile('utf8');
  } catch (err) {
    if (isSpvError(err)) throw err;
    throw new SpvError('CONFIG_NOT_FOUND', `cannot read BTC key file ${abs}`, {
      path: abs,
      errno: (err as NodeJS.ErrnoException).code ?? null,
    });
  } finally {
    await fh.close();
  }
  try {
    return parseBtcKey(text, network);
  } catch (err) {
    if (isSpvError(err)) throw new SpvError(err.code, `${err.message} (file ${abs})`, { ...err.details, path: abs });
    throw err;
  }
}

/**
 * The P2PKH address of a public key: the `Address` a validator puts in MultiSign (original-spvclient §6.7). regtest,
 * testnet and signet share version byte 0x6f.
 */
export function p2pkhAddress(publicKey: Uint8Array, network: NetworkName): string {
  let address: string | undefined;
  try {
    address = payments.p2pkh({ pubkey: publicKey, network: bitcoinjsNetwork(network) }).address;
  } catch {
    address = undefined;
  }
  if (address === undefined) {
    throw new SpvError('BTC_KEY_INVALID', 'cannot derive a P2PKH address from this public key', { length: publicKey.length });
  }
  return address;
}
