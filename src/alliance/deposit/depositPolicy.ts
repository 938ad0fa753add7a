/**
 * What the operator configures for deposit verification, and the confirmation rule.
 *
 * Confirmations (original-spvclient.md §6.3 step 3 and §8 items 5 and 10): the original required
 * `besth − item.Height ≥ BlocksToWait − 1` in uint32 arithmetic, so BlocksToWait 0 wrapped to 2^32 − 1 and the
 * deposit was never voted, and it trusted the relayer's height. Here the count comes from OUR store
 * (ChainApi.verifyProof) and the requirement is max(BlocksToWait, minConfirmations, 1) in bigint arithmetic.
 */
import type { OpReturnLayout } from '../poly/opReturnArgs.js';
import { SpvError } from '../../errors/spvError.js';
import { depositScriptsFor } from './depositScripts.js';
import type { DepositScripts } from './depositScripts.js';

export interface DepositPolicy {
  readonly redeemScript: Uint8Array;
  /** Configured floor; the effective requirement is max(item.blocksToWait, minConfirmations), and at least 1. */
  readonly minConfirmations: number;
  readonly argsLayout: OpReturnLayout;
  /** Ignore bytes after the Args, as the Go original did. Default false. */
  readonly allowTrailingArgs: boolean;
}

/**
 * Core consensus COINBASE_MATURITY (src/consensus/consensus.h): a coinbase output can be spent only in a block at
 * least 100 blocks above it, i.e. once it has 100 confirmations. A coinbase deposit waits until then, so the
 * multisig never holds a UTXO it cannot spend yet (and a deeper block is far less likely to be reorged away).
 */
export const COINBASE_MATURITY = 100;

const LAYOUTS: ReadonlySet<string> = new Set<OpReturnLayout>(['A3', 'A4', 'BE']);

/** Checks the policy and returns the deposit scripts of its redeem. Throws CONFIG_INVALID: our fault, not the deposit's. */
export function validateDepositPolicy(policy: DepositPolicy): DepositScripts {
  if (!Number.isSafeInteger(policy.minConfirmations) || policy.minConfirmations < 0) {
    throw new SpvError('CONFIG_INVALID', 'minConfirmations must be a non-negative integer', {
      minConfirmations: String(policy.minConfirmations),
    });
  }
  if (!LAYOUTS.has(policy.argsLayout)) {
    throw new SpvError('CONFIG_INVALID', 'unknown OP_RETURN Args layout', { argsLayout: String(policy.argsLayout) });
  }
  return depositScriptsFor(policy.redeemScript);
}

/**
 * Confirmations a deposit needs: max(blocksToWait, minConfirmations, 1), and COINBASE_MATURITY for a coinbase.
 * `blocksToWait` is the chain's u64; values beyond Number.MAX_SAFE_INTEGER are clamped (they can never be met
 * either way, and the result stays an exact integer).
 */
export function requiredConfirmations(blocksToWait: bigint, policy: Pick<DepositPolicy, 'minConfirmations'>, isCoinbase = false): number {
  let need = blocksToWait > BigInt(policy.minConfirmations) ? blocksToWait : BigInt(policy.minConfirmations);
  if (need < 1n) need = 1n;
  if (isCoinbase && need < BigInt(COINBASE_MATURITY)) need = BigInt(COINBASE_MATURITY);
  return need > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(need);
}
