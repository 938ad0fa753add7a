/**
 * What the signer is willing to co-sign (original-spvclient §8 items 1 and 9: the original signed any tx with any
 * redeem script). Pure: the caller supplies the multisig's known UTXOs and our own record of what we signed.
 */
import type { Transaction } from 'bitcoinjs-lib';
import type { NetworkName } from '../../chain/params.js';
import type { ErrorCode } from '../../errors/codes.js';
import { SpvError, invariant, isSpvError } from '../../errors/spvError.js';
import { bytesEqual, hashToHex, toHex } from '../../util/bytes.js';
import { decodeUnsignedTx } from './decodeUnsignedTx.js';
import { MAX_MONEY } from '../../chain/params.js';
import { multisigOutputScripts, parseMultisigRedeem } from './multisigRedeem.js';
import type { MultisigRedeem } from './multisigRedeem.js';
import { estimateMultisigVsize } from './multisigVsize.js';
import { standardOutputType } from './standardOutput.js';

export type SpendKind = 'bare' | 'p2sh' | 'p2wsh';

export interface KnownUtxo {
  /** Display hex. */
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly kind: SpendKind;
  /** id (display hex of the unsigned tx hash) of the withdrawal we signed that spends it, or null */
  readonly committedTo: string | null;
}

export interface UtxoLookup {
  get(txid: string, vout: number): KnownUtxo | null;
}

export interface SignerPolicy {
  readonly redeemScript: Uint8Array;
  /** e.g. 10 */
  readonly maxOutputs: number;
  /** sat/vbyte, e.g. 500 */
  readonly maxFeeRate: number;
  /** per non-change output, null = unlimited */
  readonly maxOutputValue: bigint | null;
  /** e.g. 546n; every output must be >= this */
  readonly dustLimit: bigint;
  readonly network: NetworkName;
}

export interface WithdrawalOutput {
  readonly scriptHex: string;
  readonly value: bigint;
  /** Pays the multisig itself (bare, P2SH or P2WSH of the redeem script). */
  readonly change: boolean;
}

export interface WithdrawalPlan {
  /** unsigned tx hash (txid of the unsigned tx), display hex */
  readonly id: string;
  /** in input order */
  readonly inputs: readonly KnownUtxo[];
  readonly outputs: readonly WithdrawalOutput[];
  readonly fee: bigint;
  /** estimated size when fully signed with m sigs (estimateMultisigVsize) */
  readonly vsize: number;
  /** fee / vsize, sat/vbyte */
  readonly feeRate: number;
}

export type WithdrawalCheck =
  | { readonly kind: 'ok'; readonly plan: WithdrawalPlan }
  | { readonly kind: 'reject'; readonly code: ErrorCode; readonly message: string; readonly details: Record<string, unknown> };

export { MAX_MONEY };

/**
 * Throws CONFIG_INVALID when the policy itself is unusable (a configuration fault, never the event's): the redeem
 * is not a canonical multisig, or a limit is out of range. Returns the parsed redeem.
 */
export function assertSignerPolicy(policy: SignerPolicy): MultisigRedeem {
  let redeem: MultisigRedeem;
  try {
    redeem = parseMultisigRedeem(policy.redeemScript);
  } catch (err) {
    if (!isSpvError(err)) throw err;
    throw new SpvError('CONFIG_INVALID', 'signer policy: the redeem script is not a canonical multisig', { ...err.details });
  }
  const bad = (field: string): never => {
    throw new SpvError('CONFIG_INVALID', `signer policy: ${field} is out of range`, { field });
  };
  if (!Number.isSafeInteger(policy.maxOutputs) || policy.maxOutputs < 1) bad('maxOutputs');
  if (!Number.isFinite(policy.maxFeeRate) || policy.maxFeeRate <= 0) bad('maxFeeRate');
  if (policy.dustLimit < 0n || policy.dustLimit > MAX_MONEY) bad('dustLimit');
  if (policy.maxOutputValue !== null && (policy.maxOutputValue < policy.dustLimit || policy.maxOutputValue > MAX_MONEY)) {
    bad('maxOutputValue');
  }
  return redeem;
}

class Reject {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly details: Record<string, unknown>,
  ) {}
}

function reject(code: ErrorCode, message: string, details: Record<string, unknown>): never {
  throw new Reject(code, message, details);
}

/**
 * Decides whether to co-sign a makeBtcTx event's unsigned tx. Each rule has its own code:
 *
 * - SIGNER_TX_MALFORMED: see decodeUnsignedTx; also the same outpoint spent twice (Core: CheckTransaction
 *   "bad-txns-inputs-duplicate");
 * - SIGNER_REDEEM_MISMATCH: the event's redeem script is not byte-equal to the configured one (§8 item 9);
 * - SIGNER_UNKNOWN_INPUT: an input spends an outpoint `utxos` does not know as the multisig's;
 * - SIGNER_INPUT_CONFLICT: an input is already committed to a different withdrawal we signed (signing both would
 *   let either be broadcast; re-signing the same id is harmless);
 * - SIGNER_TOO_MANY_OUTPUTS: more than policy.maxOutputs;
 * - SIGNER_OUTPUT_INVALID: below dustLimit (Core: IsDust), above MAX_MONEY, a non-change output above
 *   maxOutputValue, or a non-change script that is not P2PKH/P2SH/P2WPKH/P2WSH/P2TR (OP_RETURN refused);
 * - SIGNER_FEE_INVALID: outputs worth more than the inputs, or fee / estimated vsize above maxFeeRate.
 *
 * Change is an output paying the multisig's own bare, P2SH or P2WSH script; it is exempt from maxOutputValue only.
 * Throws (CONFIG_INVALID) only when the policy is unusable — see assertSignerPolicy.
 */
export function checkWithdrawal(unsignedTx: Uint8Array, eventRedeem: Uint8Array, utxos: UtxoLookup, policy: SignerPolicy): WithdrawalCheck {
  const redeem = assertSignerPolicy(policy);
  try {
    return { kind: 'ok', plan: plan(unsignedTx, eventRedeem, utxos, policy, redeem) };
  } catch (err) {
    if (err instanceof Reject) return { kind: 'reject', code: err.code, message: err.message, details: err.details };
    if (isSpvError(err) && err.code === 'SIGNER_TX_MALFORMED') {
      return { kind: 'reject', code: err.code, message: err.message, details: { ...err.details } };
    }
    throw err;
  }
}

function plan(
  unsignedTx: Uint8Array,
  eventRedeem: Uint8Array,
  utxos: UtxoLookup,
  policy: SignerPolicy,
  redeem: MultisigRedeem,
): WithdrawalPlan {
  const tx: Transaction = decodeUnsignedTx(unsignedTx);
  const id = tx.getId();

  if (!bytesEqual(eventRedeem, policy.redeemScript)) {
    reject('SIGNER_REDEEM_MISMATCH', 'the event redeem script is not the configured one', {
      id,
      eventRedeemHex: toHex(eventRedeem),
      configuredRedeemHex: toHex(policy.redeemScript),
    });
  }

  const seen = new Set<string>();
  const inputs: KnownUtxo[] = [];
  tx.ins.forEach((input, index) => {
    const txid = hashToHex(input.hash);
    const vout = input.index;
    const outpoint = `${txid}:${vout}`;
    if (seen.has(outpoint)) {
      reject('SIGNER_TX_MALFORMED', 'unsigned withdrawal tx spends an outpoint twice', {
        reason: 'duplicate-input',
        id,
        index,
        txid,
        vout,
      });
    }
    seen.add(outpoint);
    const utxo = utxos.get(txid, vout);
    if (utxo === null) reject('SIGNER_UNKNOWN_INPUT', 'input spends an outpoint not known as the multisig\'s', { id, index, txid, vout });
    invariant(utxo.txid === txid && utxo.vout === vout, 'UtxoLookup returned another outpoint', { txid, vout });
    if (utxo.committedTo !== null && utxo.committedTo !== id) {
      reject('SIGNER_INPUT_CONFLICT', 'input is already committed to another withdrawal', {
        id,
        index,
        txid,
        vout,
        committedTo: utxo.committedTo,
      });
    }
    inputs.push(utxo);
  });

  if (tx.outs.length > policy.maxOutputs) {
    reject('SIGNER_TOO_MANY_OUTPUTS', 'too many outputs', { id, outputs: tx.outs.length, maxOutputs: policy.maxOutputs });
  }

  const own = multisigOutputScripts(policy.redeemScript);
  const outputs: WithdrawalOutput[] = tx.outs.map((out, index) => {
    const scriptHex = toHex(out.script);
    const change = bytesEqual(out.script, own.p2sh) || bytesEqual(out.script, own.p2wsh) || bytesEqual(out.script, own.bare);
    const bad = (reason: string): never =>
      reject('SIGNER_OUTPUT_INVALID', `output ${index} rejected: ${reason}`, { reason, id, index, scriptHex, value: out.value.toString() });
    if (out.value < policy.dustLimit) bad('dust');
    if (out.value > MAX_MONEY) bad('above-max-money');
    if (!change) {
      if (standardOutputType(out.script) === null) bad(out.script[0] === 0x6a ? 'op-return' : 'nonstandard-script');
      if (policy.maxOutputValue !== null && out.value > policy.maxOutputValue) bad('above-max-output-value');
    }
    return { scriptHex, value: out.value, change };
  });

  const totalIn = inputs.reduce((sum, u) => sum + u.value, 0n);
  const totalOut = tx.outs.reduce((sum, o) => sum + o.value, 0n);
  if (totalOut > totalIn) {
    reject('SIGNER_FEE_INVALID', 'outputs are worth more than the inputs', {
      reason: 'outputs-exceed-inputs',
      id,
      totalIn: totalIn.toString(),
      totalOut: totalOut.toString(),
    });
  }
  const fee = totalIn - totalOut;
  const vsize = estimateMultisigVsize({
    inputKinds: inputs.map((u) => u.kind),
    outputScriptLengths: tx.outs.map((o) => o.script.length),
    m: redeem.m,
    redeemLength: policy.redeemScript.length,
  });
  const feeRate = Number(fee) / vsize;
  if (feeRate > policy.maxFeeRate) {
    reject('SIGNER_FEE_INVALID', 'fee rate above the limit', {
      reason: 'fee-rate-too-high',
      id,
      fee: fee.toString(),
      vsize,
      feeRate,
      maxFeeRate: policy.maxFeeRate,
    });
  }
  return { id, inputs, outputs, fee, vsize, feeRate };
}
