/**
 * The deposit side of the bridge's redeem script (shape and keys: ../multisigScript.ts). The redeem is our
 * configuration, so a script of any other shape is a config error (CONFIG_INVALID), never a property of a deposit.
 */
import { SpvError } from '../../errors/spvError.js';
import { toHex } from '../../util/bytes.js';
import { readMultisigRedeem } from '../multisigScript.js';
import type { ParsedRedeem } from '../multisigScript.js';

export type MultisigRedeem = ParsedRedeem;

/** Parse a standard bare multisig script; throws CONFIG_INVALID for anything else. */
export function parseMultisigRedeem(redeem: Uint8Array): MultisigRedeem {
  const r = readMultisigRedeem(redeem);
  if (r.ok) return r.redeem;
  throw new SpvError('CONFIG_INVALID', `redeem script: not a standard multisig (${r.reason})`, {
    reason: r.reason,
    redeem: toHex(redeem.subarray(0, 80)),
    length: redeem.length,
    ...r.details,
  });
}
