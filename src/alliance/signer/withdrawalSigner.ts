/**
 * Co-signing a withdrawal the policy accepted (checkWithdrawal) and, for tests and the devnet-free e2e, assembling
 * the fully signed tx the cross-chain manager would build from m validators' signatures.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { Transaction, script as bscript } from 'bitcoinjs-lib';
import type { Transaction as BtcTransaction } from 'bitcoinjs-lib';
import { SpvError, invariant } from '../../errors/spvError.js';
import { concatBytes, hashToHex, toHex } from '../../util/bytes.js';
import type { BtcKey } from './btcKey.js';
import { decodeUnsignedTx } from './decodeUnsignedTx.js';
import { parseMultisigRedeem, redeemKeyIndex } from './multisigRedeem.js';
import type { WithdrawalPlan } from './withdrawalPolicy.js';

const SIGHASH_ALL = Transaction.SIGHASH_ALL;

/** The unsigned tx, checked to be the one the plan was made for (a mismatch is a caller bug, not bad input). */
function planTx(unsignedTx: Uint8Array, plan: WithdrawalPlan): BtcTransaction {
  const tx = decodeUnsignedTx(unsignedTx);
  invariant(tx.getId() === plan.id, 'withdrawal plan is for another tx', { planId: plan.id, txid: tx.getId() });
  invariant(tx.ins.length === plan.inputs.length, 'withdrawal plan input count differs', { id: plan.id });
  tx.ins.forEach((input, i) => {
    const u = plan.inputs[i]!;
    invariant(u.txid === hashToHex(input.hash) && u.vout === input.index, 'withdrawal plan input differs', { id: plan.id, index: i });
  });
  return tx;
}

/**
 * The digest input i commits to: legacy (original sighash, scriptCode = the redeem script) for bare and P2SH, BIP143
 * (scriptCode = witness script, with the spent amount) for P2WSH.
 */
function sighash(tx: BtcTransaction, plan: WithdrawalPlan, index: number, redeem: Uint8Array): Uint8Array {
  const u = plan.inputs[index]!;
  return u.kind === 'p2wsh' ? tx.hashForWitnessV0(index, redeem, u.value, SIGHASH_ALL) : tx.hashForSignature(index, redeem, SIGHASH_ALL);
}

/**
 * One signature per input, in input order: DER (BIP66 strict, low S per BIP62/BIP146, RFC 6979 nonce) ‖ 0x01
 * (SIGHASH_ALL). SIGNER_KEY_NOT_IN_REDEEM when our public key is not one of the redeem's keys (a signature would be
 * useless, and signing for a foreign multisig is never intended); SIGNER_REDEEM_MISMATCH when `redeem` is not a
 * canonical multisig. Call only with a plan checkWithdrawal returned for the same tx.
 */
export function signWithdrawal(unsignedTx: Uint8Array, plan: WithdrawalPlan, redeem: Uint8Array, key: BtcKey): Uint8Array[] {
  const parsed = parseMultisigRedeem(redeem);
  if (redeemKeyIndex(parsed, key.publicKey) < 0) {
    throw new SpvError('SIGNER_KEY_NOT_IN_REDEEM', 'our BTC key is not one of the redeem script keys', {
      publicKeyHex: toHex(key.publicKey),
      redeemKeysHex: parsed.pubkeys.map((k) => toHex(k)),
    });
  }
  const tx = planTx(unsignedTx, plan);
  return tx.ins.map((_input, i) => {
    const digest = sighash(tx, plan, i, redeem);
    const sig = secp256k1.sign(digest, key.privateKey, { lowS: true, prehash: false });
    // Self-check: catches a BtcKey whose publicKey does not belong to privateKey (and faulty signing).
    const verifies = secp256k1.verify(sig.toCompactRawBytes(), digest, key.publicKey, { lowS: true, prehash: false });
    invariant(verifies, 'own signature does not verify', { index: i });
    return concatBytes(sig.toDERRawBytes(), Uint8Array.of(SIGHASH_ALL));
  });
}

/**
 * Builds the signed tx from validators' signatures (`sigsByPubkeyHex`: lower-case public key hex → one signature per
 * input, as signWithdrawal returns them). CHECKMULTISIG needs the signatures in the order of their keys in the
 * script, so the first m signers in redeem key order are used. Per input:
 *
 * - bare:  scriptSig `OP_0 <sig>…`                   (OP_0: CHECKMULTISIG's extra pop, BIP147 NULLDUMMY)
 * - P2SH:  scriptSig `OP_0 <sig>… <redeem>`           (BIP16)
 * - P2WSH: empty scriptSig, witness `[ <>, sig…, redeem ]` (BIP141)
 *
 * Signatures are not verified here. SIGNER_KEY_NOT_IN_REDEEM for a key that is not in the redeem;
 * SIGNER_TX_MALFORMED (details.reason) when a signer gave the wrong number of signatures or fewer than m signed.
 */
export function assembleMultisigTx(
  unsignedTx: Uint8Array,
  plan: WithdrawalPlan,
  redeem: Uint8Array,
  sigsByPubkeyHex: Map<string, Uint8Array[]>,
): Uint8Array {
  const parsed = parseMultisigRedeem(redeem);
  const tx = planTx(unsignedTx, plan);
  const byKey = new Map<string, Uint8Array[]>();
  for (const [hex, sigs] of sigsByPubkeyHex) {
    const k = hex.toLowerCase();
    if (!parsed.pubkeys.some((pk) => toHex(pk) === k)) {
      throw new SpvError('SIGNER_KEY_NOT_IN_REDEEM', 'a signer key is not one of the redeem script keys', { publicKeyHex: k });
    }
    if (sigs.length !== tx.ins.length) {
      throw new SpvError('SIGNER_TX_MALFORMED', 'a signer gave the wrong number of signatures', {
        reason: 'signature-count',
        publicKeyHex: k,
        signatures: sigs.length,
        inputs: tx.ins.length,
      });
    }
    byKey.set(k, sigs);
  }
  const signers = parsed.pubkeys.map((pk) => byKey.get(toHex(pk))).filter((s): s is Uint8Array[] => s !== undefined);
  if (signers.length < parsed.m) {
    throw new SpvError('SIGNER_TX_MALFORMED', 'fewer than m signers', {
      reason: 'too-few-signatures',
      signers: signers.length,
      m: parsed.m,
    });
  }
  const chosen = signers.slice(0, parsed.m);
  tx.ins.forEach((_input, i) => {
    const sigs = chosen.map((s) => s[i]!);
    switch (plan.inputs[i]!.kind) {
      case 'bare':
        tx.setInputScript(i, bscript.compile([bscript.OPS.OP_0, ...sigs]));
        break;
      case 'p2sh':
        tx.setInputScript(i, bscript.compile([bscript.OPS.OP_0, ...sigs, redeem]));
        break;
      case 'p2wsh':
        tx.setWitness(i, [new Uint8Array(0), ...sigs, redeem]);
        break;
    }
  });
  return tx.toBuffer();
}
