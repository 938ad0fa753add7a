/**
 * The chain-free half of deposit verification (original-spvclient.md §6.3 steps 1 and 6–7, hardened per §8 items
 * 6 and 7): the raw tx, its txid and its outputs. Whether the tx is in a block of our best chain, and how deep, is
 * verifyDeposit's business.
 */
import { Transaction } from 'bitcoinjs-lib';
import type { ErrorCode } from '../../errors/codes.js';
import { isSpvError } from '../../errors/spvError.js';
import { bytesEqual, toHex } from '../../util/bytes.js';
import { parseOpReturnArgs } from '../poly/opReturnArgs.js';
import type { OpReturnArgs } from '../poly/opReturnArgs.js';
import type { DepositPolicy } from './depositPolicy.js';
import { validateDepositPolicy } from './depositPolicy.js';
import { MAX_MONEY } from '../../chain/params.js';
import { matchDepositScript } from './depositScripts.js';
import type { DepositScriptKind } from './depositScripts.js';

export { MAX_MONEY };

export interface DepositTxOk {
  readonly ok: true;
  /** Display hex. */
  readonly txid: string;
  /** Output 0, satoshis. */
  readonly value: bigint;
  readonly scriptKind: DepositScriptKind;
  readonly args: OpReturnArgs;
  /** Core CTransaction::IsCoinBase: one input spending the null outpoint. */
  readonly isCoinbase: boolean;
}

export interface DepositTxFail {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type DepositTxCheck = DepositTxOk | DepositTxFail;

function fail(code: ErrorCode, message: string, details: Record<string, unknown> = {}): DepositTxFail {
  return { ok: false, code, message, details };
}

function isNullOutpoint(hash: Uint8Array, index: number): boolean {
  return index === 0xffffffff && hash.every((b) => b === 0);
}

/**
 * Checks what needs no chain, in this order (first failure wins):
 * 1. DEPOSIT_TX_MALFORMED: the bytes are not exactly one canonical transaction (bitcoinjs Transaction.fromBuffer
 *    rejects trailing bytes; re-serialising must give the same bytes, because bitcoinjs accepts non-canonical
 *    CompactSize lengths that Core rejects), it has no inputs (Core CheckTransaction bad-txns-vin-empty), or an output
 *    value is negative or above MAX_MONEY, or their sum is (bad-txns-vout-negative / -toolarge / txouttotal-toolarge).
 * 2. DEPOSIT_TXID_MISMATCH: the tx's txid is not `btcTxidHex` (display hex, any case).
 * 3. DEPOSIT_TOO_FEW_OUTPUTS: fewer than 2 outputs.
 * 4. DEPOSIT_WRONG_SCRIPT: output 0 is not the redeem as bare multisig, P2SH or P2WSH (depositScripts.ts).
 * 5. DEPOSIT_ZERO_VALUE: output 0 pays nothing.
 * 6. OPRETURN_NOT_FOUND / OPRETURN_BAD_FLAG / OPRETURN_ARGS_MALFORMED: output 1 is not OP_RETURN + one push of
 *    0x66 ‖ Args in the policy's layout (parseOpReturnArgs: tokenized, so short scripts, bare OP_RETURN and
 *    OP_PUSHDATA1 payloads are handled; trailing Args bytes rejected unless allowTrailingArgs).
 * 7. DEPOSIT_BAD_FEE: the Args fee is negative or above output 0's value. (The original only rejected
 *    `fee >= 0 && value < fee`, so a negative fee passed.)
 * Throws (never returns) CONFIG_INVALID when the policy itself is unusable: that is our fault, not the deposit's.
 */
export function checkDepositTx(btcTxidHex: string, tx: Uint8Array, policy: DepositPolicy): DepositTxCheck {
  const scripts = validateDepositPolicy(policy);

  let decoded: Transaction;
  try {
    decoded = Transaction.fromBuffer(tx);
  } catch (err) {
    return fail('DEPOSIT_TX_MALFORMED', 'deposit tx does not decode', {
      reason: err instanceof Error ? err.message : String(err),
      length: tx.length,
    });
  }
  if (!bytesEqual(decoded.toBuffer(), tx)) {
    return fail('DEPOSIT_TX_MALFORMED', 'deposit tx is not canonically serialized', { length: tx.length });
  }
  if (decoded.ins.length === 0) return fail('DEPOSIT_TX_MALFORMED', 'deposit tx has no inputs');
  let total = 0n;
  for (const [i, out] of decoded.outs.entries()) {
    total += out.value;
    if (out.value < 0n || out.value > MAX_MONEY || total > MAX_MONEY) {
      return fail('DEPOSIT_TX_MALFORMED', 'deposit tx output value out of range', {
        output: i,
        value: out.value.toString(),
        total: total.toString(),
      });
    }
  }

  const txid = decoded.getId();
  if (txid !== btcTxidHex.toLowerCase()) {
    return fail('DEPOSIT_TXID_MISMATCH', 'the notified txid is not the txid of the deposit tx', {
      expected: btcTxidHex,
      actual: txid,
    });
  }

  const out0 = decoded.outs[0];
  const out1 = decoded.outs[1];
  if (out0 === undefined || out1 === undefined) {
    return fail('DEPOSIT_TOO_FEW_OUTPUTS', 'a deposit needs the multisig output and the OP_RETURN output', {
      outputs: decoded.outs.length,
    });
  }
  const scriptKind = matchDepositScript(out0.script, scripts);
  if (scriptKind === null) {
    return fail('DEPOSIT_WRONG_SCRIPT', 'output 0 does not pay the redeem script', {
      script: toHex(out0.script.subarray(0, 80)),
    });
  }
  const value = out0.value;
  if (value === 0n) return fail('DEPOSIT_ZERO_VALUE', 'output 0 pays nothing', { scriptKind });

  let args: OpReturnArgs;
  try {
    args = parseOpReturnArgs(out1.script, policy.argsLayout, { allowTrailing: policy.allowTrailingArgs });
  } catch (err) {
    if (!isSpvError(err)) throw err;
    return fail(err.code, err.message, { ...err.details });
  }
  if (args.fee < 0n || args.fee > value) {
    return fail('DEPOSIT_BAD_FEE', 'the Args fee is negative or above the deposited value', {
      fee: args.fee.toString(),
      value: value.toString(),
    });
  }

  const in0 = decoded.ins[0]!;
  const isCoinbase = decoded.ins.length === 1 && isNullOutpoint(in0.hash, in0.index);
  return { ok: true, txid, value, scriptKind, args, isCoinbase };
}
