/**
 * The output scripts a BTC deposit may use to pay the bridge's multisig redeem script. The original accepted bare
 * multisig and P2SH only (original-spvclient.md §6.3 step 6); P2WSH is accepted as well, since later contracts
 * spend P2WSH inputs (BIP143 sighash with amounts).
 *
 * A wrapper is only offered when an output of that kind could actually be spent by the multisig, because crediting a
 * deposit that nobody can ever move would mint unbacked tokens on the other chain:
 * - P2SH: the redeem script is pushed by the scriptSig, and a push is at most 520 bytes (Core consensus
 *   MAX_SCRIPT_ELEMENT_SIZE, src/script/script.h). A 16-key compressed multisig is 547 bytes: too big.
 * - P2WSH: uncompressed keys make the spend non-standard (BIP143 "Restrictions on public key type"; Core policy
 *   SCRIPT_VERIFY_WITNESS_PUBKEYTYPE), so such a spend would not be relayed.
 * (The witness-script limits, 10,000 bytes consensus and 3,600 bytes policy, cannot be reached by a ≤ 16-key
 * multisig, which parseMultisigRedeem enforces.)
 */
import { hash160 } from '../../chain/hash.js';
import { bytesEqual } from '../../util/bytes.js';
import { p2shScript, p2wshScript } from '../multisigScript.js';
import { parseMultisigRedeem } from './multisigRedeem.js';

export { hash160 };

export type DepositScriptKind = 'bare' | 'p2sh' | 'p2wsh';

/** Core consensus MAX_SCRIPT_ELEMENT_SIZE: the largest push, hence the largest P2SH redeem script. */
export const MAX_P2SH_REDEEM_SIZE = 520;

export interface DepositScripts {
  /** The redeem script itself as the output script. */
  readonly bare: Uint8Array;
  /** `OP_HASH160 <HASH160(redeem)> OP_EQUAL` (BIP16); null when the redeem exceeds 520 bytes. */
  readonly p2sh: Uint8Array | null;
  /** `OP_0 <SHA256(redeem)>` (BIP141); null when the redeem has an uncompressed key. */
  readonly p2wsh: Uint8Array | null;
}

/**
 * The output scripts that pay `redeem`. Throws CONFIG_INVALID unless `redeem` is a standard multisig script
 * (parseMultisigRedeem): in particular an empty redeem would make the "bare" script empty, and an empty output
 * script can be spent by anyone.
 */
export function depositScriptsFor(redeem: Uint8Array): DepositScripts {
  const parsed = parseMultisigRedeem(redeem);
  const p2sh = redeem.length <= MAX_P2SH_REDEEM_SIZE ? p2shScript(redeem) : null;
  const p2wsh = parsed.allCompressed ? p2wshScript(redeem) : null;
  return { bare: new Uint8Array(redeem), p2sh, p2wsh };
}

/** Which of the scripts of depositScriptsFor(redeem) `script` is, byte for byte; null if none. */
export function classifyDepositOutput(script: Uint8Array, redeem: Uint8Array): DepositScriptKind | null {
  return matchDepositScript(script, depositScriptsFor(redeem));
}

/** classifyDepositOutput against precomputed scripts (avoids rehashing the redeem for every output). */
export function matchDepositScript(script: Uint8Array, scripts: DepositScripts): DepositScriptKind | null {
  if (bytesEqual(script, scripts.bare)) return 'bare';
  if (scripts.p2sh !== null && bytesEqual(script, scripts.p2sh)) return 'p2sh';
  if (scripts.p2wsh !== null && bytesEqual(script, scripts.p2wsh)) return 'p2wsh';
  return null;
}
