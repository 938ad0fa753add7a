/**
 * Full verification of a `notifyBtcProof` deposit before the validator votes for it (original-spvclient.md §6.3,
 * fixing §8 items 2, 5, 6 and 10): checkDepositTx, then the chain worker's verifyProof, which proves the tx in a
 * block that is stored in OUR header store and on OUR best chain, and gives the height and confirmations from that
 * store. The relayer's `proof.height` is never used.
 */
import type { ErrorCode } from '../../errors/codes.js';
import { isSpvError } from '../../errors/spvError.js';
import type { ChainApi } from '../../protocol/chain.js';
import type { ProofResult } from '../../protocol/proof.js';
import { toHex } from '../../util/bytes.js';
import type { BtcProof } from '../poly/btcProof.js';
import { checkDepositTx } from './checkDepositTx.js';
import type { DepositPolicy } from './depositPolicy.js';
import { requiredConfirmations } from './depositPolicy.js';
import type { DepositScriptKind } from './depositScripts.js';

export interface VerifiedDeposit {
  /** Display hex. */
  readonly txid: string;
  /** Display hex, from OUR store. */
  readonly blockHash: string;
  /** From OUR store. */
  readonly height: number;
  /** Position of the tx in its block. */
  readonly index: number;
  readonly confirmations: number;
  /** Output 0, satoshis. */
  readonly value: bigint;
  readonly scriptKind: DepositScriptKind;
  readonly toChainId: bigint;
  readonly fee: bigint;
  /** Args address, hex. */
  readonly addressHex: string;
  /** Args ToContractAddress, hex (layout A4 only, else null). */
  readonly toContractAddressHex: string | null;
}

export type DepositCheck =
  | { readonly kind: 'ok'; readonly deposit: VerifiedDeposit }
  | {
      readonly kind: 'wait';
      readonly code: ErrorCode;
      readonly message: string;
      readonly confirmations: number;
      readonly required: number;
    }
  | { readonly kind: 'reject'; readonly code: ErrorCode; readonly message: string; readonly details: Record<string, unknown> };

/**
 * The deposit's block is not (yet) where we can count it: our header chain may be behind the relayer's
 * (PROOF_BLOCK_UNKNOWN), or the block is on a branch that may become best again (PROOF_NOT_ON_BEST_CHAIN).
 * Retry when the tip changes.
 */
const WAIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['PROOF_BLOCK_UNKNOWN', 'PROOF_NOT_ON_BEST_CHAIN']);

/**
 * What the proof or the tx itself got wrong: a permanent rejection. TX_INVALID is verifyTxInProof's decode failure
 * (checkDepositTx decodes first, so it should not occur). Every other error, whether a transient worker fault
 * (WORKER_CRASHED, WORKER_UNAVAILABLE, SHUTTING_DOWN, STORE_CLOSED), a local fault (STORE_*, INVARIANT) or not an
 * SpvError at all, is rethrown: a fault on our side must never turn a user's deposit into a rejection; the caller
 * retries later.
 */
function isProofFault(code: ErrorCode): boolean {
  return code.startsWith('MERKLE_') || code.startsWith('DEPOSIT_') || code === 'TX_INVALID';
}

/**
 * checkDepositTx, then `chain.verifyProof(proof.tx, proof.proof)`:
 * - 'reject' with the checkDepositTx code, or a MERKLE_* code for a bad proof (one that does not prove this tx,
 *   hostile trees, a 64-byte tx);
 * - 'wait' for PROOF_BLOCK_UNKNOWN / PROOF_NOT_ON_BEST_CHAIN (confirmations 0), and DEPOSIT_TOO_FEW_CONFIRMATIONS
 *   while confirmations < requiredConfirmations(proof.blocksToWait, policy, coinbase);
 * - 'ok' with the block, height and confirmations from our store.
 * Throws CONFIG_INVALID for an unusable policy and rethrows every chain error that is not the deposit's fault.
 */
export async function verifyDeposit(
  event: { readonly btcTxidHex: string; readonly proof: BtcProof },
  chain: Pick<ChainApi, 'verifyProof'>,
  policy: DepositPolicy,
): Promise<DepositCheck> {
  const checked = checkDepositTx(event.btcTxidHex, event.proof.tx, policy);
  if (!checked.ok) return { kind: 'reject', code: checked.code, message: checked.message, details: checked.details };
  const required = requiredConfirmations(event.proof.blocksToWait, policy, checked.isCoinbase);

  let proven: ProofResult;
  try {
    proven = await chain.verifyProof(event.proof.tx, event.proof.proof);
  } catch (err) {
    if (!isSpvError(err)) throw err;
    if (WAIT_CODES.has(err.code)) return { kind: 'wait', code: err.code, message: err.message, confirmations: 0, required };
    if (isProofFault(err.code)) return { kind: 'reject', code: err.code, message: err.message, details: { ...err.details } };
    throw err;
  }

  // verifyProof matches the tx's own txid, so this holds unless the chain side has a bug; never vote on a mismatch.
  if (proven.txid !== checked.txid) {
    return {
      kind: 'reject',
      code: 'DEPOSIT_TXID_MISMATCH',
      message: 'the proof proves another txid',
      details: { expected: checked.txid, proven: proven.txid },
    };
  }
  if (proven.confirmations < required) {
    return {
      kind: 'wait',
      code: 'DEPOSIT_TOO_FEW_CONFIRMATIONS',
      message: `deposit has ${proven.confirmations} of ${required} confirmations`,
      confirmations: proven.confirmations,
      required,
    };
  }
  const { args } = checked;
  return {
    kind: 'ok',
    deposit: {
      txid: checked.txid,
      blockHash: proven.blockHash,
      height: proven.height,
      index: proven.index,
      confirmations: proven.confirmations,
      value: checked.value,
      scriptKind: checked.scriptKind,
      toChainId: args.toChainId,
      fee: args.fee,
      addressHex: toHex(args.address),
      toContractAddressHex: args.toContractAddress === undefined ? null : toHex(args.toContractAddress),
    },
  };
}
