import { createRequire } from 'node:module';
import type * as Bip32Module from '@scure/bip32';
import type { HDKey } from '@scure/bip32';
import { SpvError } from '../errors/spvError.js';

type Bip32 = typeof Bip32Module;
let bip32: Bip32 | undefined;

/**
 * @scure/bip32 (and the secp256k1 code under it) loaded on first use, synchronously: every process that
 * builds an SpvClient would otherwise load it, an import or a status included, for one rarely used method.
 */
function loadBip32(): Bip32 {
  bip32 ??= createRequire(import.meta.url)('@scure/bip32') as Bip32;
  return bip32;
}

export interface ChildKey {
  /** 32-byte private key, or 33-byte compressed public key. */
  readonly key: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly isPrivate: boolean;
  readonly depth: number;
  readonly index: number;
  readonly parentFingerprint: number;
  /** xprv… / xpub… (mainnet version bytes, as the original's hdkeychain used the chain's params). */
  readonly extendedKey: string;
}

/**
 * The original's ChildKey(keyBytes, chainCode, isPrivate): build an extended key from its parts and derive
 * BIP32 child 0 (non-hardened). Uses @scure/bip32 (audited; secp256k1 from @noble/curves).
 */
export function childKey(keyBytes: Uint8Array, chainCode: Uint8Array, isPrivate: boolean): ChildKey {
  if (chainCode.length !== 32) throw new SpvError('KEY_INVALID', 'chain code must be 32 bytes', { length: chainCode.length });
  const expected = isPrivate ? 32 : 33;
  if (keyBytes.length !== expected) {
    throw new SpvError('KEY_INVALID', `a ${isPrivate ? 'private' : 'public'} key must be ${expected} bytes`, { length: keyBytes.length });
  }
  let child: HDKey;
  try {
    const parent = new (loadBip32().HDKey)(isPrivate ? { privateKey: keyBytes, chainCode } : { publicKey: keyBytes, chainCode });
    child = parent.deriveChild(0);
  } catch (err) {
    throw new SpvError('KEY_INVALID', 'not a valid key', { reason: err instanceof Error ? err.message : String(err) });
  }
  const key = isPrivate ? child.privateKey : child.publicKey;
  if (key === null || child.chainCode === null) throw new SpvError('KEY_INVALID', 'derivation produced no key', {});
  return {
    key: new Uint8Array(key),
    chainCode: new Uint8Array(child.chainCode),
    isPrivate,
    depth: child.depth,
    index: child.index,
    parentFingerprint: child.parentFingerprint,
    extendedKey: isPrivate ? child.privateExtendedKey : child.publicExtendedKey,
  };
}
