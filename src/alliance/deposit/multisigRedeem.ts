/**
 * The bridge's multisig redeem script: `OP_m <pubkey>… OP_n OP_CHECKMULTISIG`, the only shape Core's Solver
 * recognises as TxoutType::MULTISIG (src/script/solver.cpp `MatchMultisig`: small-integer m and n, 1 ≤ m ≤ n ≤ 16,
 * each key a direct push of 33 or 65 bytes, n equal to the number of keys), with every key a valid point. The redeem is our configuration, so a
 * script of any other shape is a config error (CONFIG_INVALID), never a property of a deposit.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { SpvError } from '../../errors/spvError.js';
import { toHex } from '../../util/bytes.js';

const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_CHECKMULTISIG = 0xae;

export interface MultisigRedeem {
  readonly m: number;
  readonly n: number;
  /** SEC1 keys in script order (copies). */
  readonly pubkeys: readonly Uint8Array[];
  /** Every key is 33-byte compressed (BIP143 policy requires it for P2WSH). */
  readonly allCompressed: boolean;
}

function bad(message: string, redeem: Uint8Array, details: Record<string, unknown> = {}): never {
  throw new SpvError('CONFIG_INVALID', `redeem script: ${message}`, {
    redeem: toHex(redeem.subarray(0, 80)),
    length: redeem.length,
    ...details,
  });
}

function smallInt(op: number | undefined): number | null {
  return op !== undefined && op >= OP_1 && op <= OP_16 ? op - OP_1 + 1 : null;
}

function onCurve(key: Uint8Array): boolean {
  try {
    secp256k1.ProjectivePoint.fromHex(key).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** Parse a standard bare multisig script; throws CONFIG_INVALID for anything else. */
export function parseMultisigRedeem(redeem: Uint8Array): MultisigRedeem {
  const m = smallInt(redeem[0]);
  if (m === null) bad('must start with OP_1..OP_16 (m)', redeem);
  const pubkeys: Uint8Array[] = [];
  let pos = 1;
  // Core: IsCompressedOrUncompressedPubKey — the prefix byte must match the length.
  while (redeem[pos] === 33 || redeem[pos] === 65) {
    const len = redeem[pos]!;
    const key = redeem.subarray(pos + 1, pos + 1 + len);
    if (key.length !== len) bad('truncated public key push', redeem, { at: pos });
    const prefix = key[0];
    const shapeOk = len === 33 ? prefix === 0x02 || prefix === 0x03 : prefix === 0x04;
    if (!shapeOk) bad('public key prefix does not match its length', redeem, { at: pos, prefix: prefix ?? null });
    // A key off the curve can never sign: with too many of them the multisig, and every deposit to it, is stuck.
    if (!onCurve(key)) bad('public key is not a point on secp256k1', redeem, { at: pos });
    pubkeys.push(new Uint8Array(key));
    pos += 1 + len;
  }
  const n = smallInt(redeem[pos]);
  if (n === null) bad('expected OP_1..OP_16 (n) after the keys', redeem, { at: pos });
  if (n !== pubkeys.length) bad('n does not equal the number of keys', redeem, { n, keys: pubkeys.length });
  if (m > n) bad('m is larger than n', redeem, { m, n });
  if (redeem[pos + 1] !== OP_CHECKMULTISIG) bad('expected OP_CHECKMULTISIG after n', redeem, { at: pos + 1 });
  if (pos + 2 !== redeem.length) bad('bytes after OP_CHECKMULTISIG', redeem, { at: pos + 2 });
  return { m, n, pubkeys, allCompressed: pubkeys.every((k) => k.length === 33) };
}
