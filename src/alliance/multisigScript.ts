/**
 * The bridge's multisig redeem script `OP_m <pubkey>… OP_n OP_CHECKMULTISIG` and the output scripts that pay it,
 * shared by the deposit verifier and the withdrawal signer. The shape is the one Core's Solver recognises as
 * TxoutType::MULTISIG (src/script/solver.cpp `MatchMultisig`: small-integer m and n, 1 ≤ m ≤ n ≤ 16, each key a
 * direct push of 33 or 65 bytes, n equal to the number of keys), with every key a valid point (a key off the curve
 * can never sign, so too many of them would lock the coins). Each caller adds its own limits and error code.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { hash160, sha256 } from '../chain/hash.js';
import { concatBytes } from '../util/bytes.js';

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_CHECKMULTISIG = 0xae;

export interface ParsedRedeem {
  readonly m: number;
  readonly n: number;
  /** SEC1 keys in script order (copies): the order CHECKMULTISIG expects the signatures in. */
  readonly pubkeys: Uint8Array[];
  /** Every key is 33-byte compressed (BIP143 policy requires it for P2WSH). */
  readonly allCompressed: boolean;
}

export type RedeemFault = 'no-m' | 'truncated-key' | 'bad-key' | 'no-n' | 'no-checkmultisig' | 'n-mismatch' | 'm-above-n';

export type RedeemParse =
  | { readonly ok: true; readonly redeem: ParsedRedeem }
  | { readonly ok: false; readonly reason: RedeemFault; readonly details: Record<string, unknown> };

function smallInt(op: number | undefined): number | null {
  return op !== undefined && op >= OP_1 && op <= OP_16 ? op - OP_1 + 1 : null;
}

/** Core: IsCompressedOrUncompressedPubKey (the prefix matches the length), and a point on secp256k1. */
function isUsablePubkey(pk: Uint8Array): boolean {
  const shape = (pk.length === 33 && (pk[0] === 0x02 || pk[0] === 0x03)) || (pk.length === 65 && pk[0] === 0x04);
  if (!shape) return false;
  try {
    secp256k1.ProjectivePoint.fromHex(pk).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** Reads the multisig shape; never throws. */
export function readMultisigRedeem(script: Uint8Array): RedeemParse {
  const fail = (reason: RedeemFault, details: Record<string, unknown> = {}): RedeemParse => ({ ok: false, reason, details });
  const m = smallInt(script[0]);
  if (m === null) return fail('no-m');
  const pubkeys: Uint8Array[] = [];
  let off = 1;
  // Keys are direct pushes (opcode = length), so the push is the minimal encoding (Core: MINIMALDATA).
  while (script[off] === 33 || script[off] === 65) {
    const len = script[off]!;
    if (off + 1 + len > script.length) return fail('truncated-key', { offset: off });
    const pk = script.subarray(off + 1, off + 1 + len);
    if (!isUsablePubkey(pk)) return fail('bad-key', { index: pubkeys.length, offset: off });
    pubkeys.push(pk.slice());
    off += 1 + len;
  }
  const n = smallInt(script[off]);
  if (n === null) return fail('no-n', { offset: off });
  if (script[off + 1] !== OP_CHECKMULTISIG || off + 2 !== script.length) return fail('no-checkmultisig', { offset: off + 1 });
  if (n !== pubkeys.length) return fail('n-mismatch', { n, keys: pubkeys.length });
  if (m > n) return fail('m-above-n', { m, n });
  return { ok: true, redeem: { m, n, pubkeys, allCompressed: pubkeys.every((k) => k.length === 33) } };
}

/** `OP_HASH160 <HASH160(redeem)> OP_EQUAL` (BIP16). */
export function p2shScript(redeem: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_HASH160, 20), hash160(redeem), Uint8Array.of(OP_EQUAL));
}

/** `OP_0 <SHA256(redeem)>` (BIP141). */
export function p2wshScript(redeem: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_0, 32), sha256(redeem));
}
