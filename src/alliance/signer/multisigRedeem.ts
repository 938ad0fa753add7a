/**
 * The bridge's multisig redeem script `OP_m <pk1> … <pkn> OP_n OP_CHECKMULTISIG` and the three output scripts that
 * pay it (bare, P2SH, P2WSH). Parsed byte by byte so that only the exact canonical form is accepted: the signer
 * compares the event's redeem with the configured one byte for byte, and orders signatures by its key order.
 */
import { hash160 } from '../../chain/hash.js';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual, toHex } from '../../util/bytes.js';
import { p2shScript, p2wshScript, readMultisigRedeem } from '../multisigScript.js';

export { hash160 };

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

/**
 * Parses `OP_m <pk>… OP_n OP_CHECKMULTISIG` with 1 <= m <= n <= 15, each key a direct 33- or 65-byte push of a valid
 * point, no duplicate keys, at most 520 bytes. Anything else: SIGNER_REDEEM_MISMATCH with `details.reason`.
 */
export function parseMultisigRedeem(script: Uint8Array): MultisigRedeem {
  if (script.length > MAX_REDEEM_SIZE) mismatch('too-long', { length: script.length });
  const r = readMultisigRedeem(script);
  if (!r.ok) mismatch(r.reason, r.details);
  const { m, n, pubkeys } = r.redeem;
  const dup = pubkeys.findIndex((k, i) => pubkeys.findIndex((o) => bytesEqual(o, k)) !== i);
  if (dup >= 0) mismatch('duplicate-key', { index: dup });
  if (n > MAX_MULTISIG_KEYS) mismatch('too-many-keys', { n });
  return { m, pubkeys };
}

/** The scriptPubKeys that pay the redeem script: bare, P2SH (BIP16) and P2WSH (BIP141). */
export function multisigOutputScripts(redeem: Uint8Array): MultisigOutputScripts {
  return {
    bare: redeem.slice(),
    p2sh: p2shScript(redeem),
    p2wsh: p2wshScript(redeem),
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
