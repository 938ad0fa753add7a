/**
 * The bridge's multisig redeem script `OP_m <pk1> … <pkn> OP_n OP_CHECKMULTISIG` and the three output scripts that
 * pay it (bare, P2SH, P2WSH). Parsed byte by byte so that only the exact canonical form is accepted: the signer
 * compares the event's redeem with the configured one byte for byte, and orders signatures by its key order.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { ripemd160 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual, concatBytes, toHex } from '../../util/bytes.js';

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_CHECKMULTISIG = 0xae;

/**
 * Key count limit. CHECKMULTISIG allows 20 keys (Core: MAX_PUBKEYS_PER_MULTISIG), but a P2SH spend is standard only
 * up to 15 (Core: IsStandard / the 520-byte redeem push, 15 × 34 + 3 = 513 bytes).
 */
export const MAX_MULTISIG_KEYS = 15;
/** Core: MAX_SCRIPT_ELEMENT_SIZE — a P2SH redeem script is one push, so it cannot be longer. */
export const MAX_REDEEM_SIZE = 520;

export interface MultisigRedeem {
  readonly m: number;
  /** In script order: the order CHECKMULTISIG expects the signatures in. */
  readonly pubkeys: Uint8Array[];
}

export interface MultisigOutputScripts {
  /** The redeem script itself used as scriptPubKey. */
  readonly bare: Uint8Array;
  /** OP_HASH160 <hash160(redeem)> OP_EQUAL (BIP16). */
  readonly p2sh: Uint8Array;
  /** OP_0 <sha256(redeem)> (BIP141). */
  readonly p2wsh: Uint8Array;
}

function mismatch(reason: string, details: Record<string, unknown> = {}): never {
  throw new SpvError('SIGNER_REDEEM_MISMATCH', `not a canonical multisig redeem script: ${reason}`, { reason, ...details });
}

/** OP_1..OP_16 → 1..16, anything else → null. */
function smallInt(op: number | undefined): number | null {
  if (op === undefined || op < OP_1 || op > OP_1 + 15) return null;
  return op - OP_1 + 1;
}

/**
 * A public key CHECKMULTISIG can verify under STRICTENC (Core: IsCompressedOrUncompressedPubKey) that is also a
 * point on the curve (a key off the curve could never sign, so the script would be unspendable).
 */
function isUsablePubkey(pk: Uint8Array): boolean {
  const ok = (pk.length === 33 && (pk[0] === 0x02 || pk[0] === 0x03)) || (pk.length === 65 && pk[0] === 0x04);
  if (!ok) return false;
  try {
    secp256k1.ProjectivePoint.fromHex(pk).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses `OP_m <pk>… OP_n OP_CHECKMULTISIG` with 1 <= m <= n <= 15, each key a direct 33- or 65-byte push of a valid
 * point, no duplicate keys, at most 520 bytes. Anything else: SIGNER_REDEEM_MISMATCH with `details.reason`.
 */
export function parseMultisigRedeem(script: Uint8Array): MultisigRedeem {
  if (script.length > MAX_REDEEM_SIZE) mismatch('too-long', { length: script.length });
  const m = smallInt(script[0]);
  if (m === null) mismatch('no-m');
  const pubkeys: Uint8Array[] = [];
  let off = 1;
  // Keys are direct pushes (opcode = length), so the push opcode is the minimal encoding (Core: MINIMALDATA).
  while (script[off] === 33 || script[off] === 65) {
    const len = script[off]!;
    if (off + 1 + len > script.length) mismatch('truncated-key', { offset: off });
    const pk = script.subarray(off + 1, off + 1 + len);
    if (!isUsablePubkey(pk)) mismatch('bad-key', { index: pubkeys.length });
    if (pubkeys.some((k) => bytesEqual(k, pk))) mismatch('duplicate-key', { index: pubkeys.length });
    pubkeys.push(pk.slice());
    off += 1 + len;
  }
  const n = smallInt(script[off]);
  if (n === null) mismatch('no-n', { offset: off });
  if (script[off + 1] !== OP_CHECKMULTISIG || off + 2 !== script.length) mismatch('no-checkmultisig', { offset: off + 1 });
  if (n !== pubkeys.length) mismatch('n-mismatch', { n, keys: pubkeys.length });
  if (n > MAX_MULTISIG_KEYS) mismatch('too-many-keys', { n });
  if (m > n) mismatch('m-above-n', { m, n });
  return { m, pubkeys };
}

export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** The scriptPubKeys that pay the redeem script: bare, P2SH (BIP16) and P2WSH (BIP141). */
export function multisigOutputScripts(redeem: Uint8Array): MultisigOutputScripts {
  return {
    bare: redeem.slice(),
    p2sh: concatBytes(Uint8Array.of(OP_HASH160, 20), hash160(redeem), Uint8Array.of(OP_EQUAL)),
    p2wsh: concatBytes(Uint8Array.of(OP_0, 32), sha256(redeem)),
  };
}

/** Index of the key in the redeem's key list, or -1. */
export function redeemKeyIndex(redeem: MultisigRedeem, publicKey: Uint8Array): number {
  return redeem.pubkeys.findIndex((k) => bytesEqual(k, publicKey));
}

/** Lower-case hex of each key, in script order (the map keys assembleMultisigTx expects). */
export function redeemKeyHexes(redeem: MultisigRedeem): string[] {
  return redeem.pubkeys.map((k) => toHex(k));
}
