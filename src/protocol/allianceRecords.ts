/**
 * What the alliance worker persists: one record per deposit (keyed by BTC txid), one per withdrawal (keyed by
 * the unsigned BTC tx hash) and one per outpoint known to belong to the bridge's multisig. Plain JSON: amounts
 * and chain ids as decimal strings, hashes as display hex, so a record reads the same in a dump and in REST.
 */
import type { ErrorCode } from '../errors/codes.js';

export type ScriptKind = 'bare' | 'p2sh' | 'p2wsh';

/**
 * Deposit life cycle. `voting` is written BEFORE the vote is sent and holds the exact signed vote tx: a crash
 * or a transport error after that point resends the same bytes (same Poly tx hash), so one txid can never get
 * two different votes, across restarts.
 *
 *   waiting ──verify ok──▶ voting ──sent──▶ voteSent ──executed──▶ voteConfirmed
 *      ▲  │                   │                 └──failed on chain──▶ voteFailed
 *      └──┴─ block left best chain / too few confirmations          rejected (reason)
 */
export type DepositState = 'waiting' | 'voting' | 'voteSent' | 'voteConfirmed' | 'voteFailed' | 'rejected';

export const OPEN_DEPOSIT_STATES: ReadonlySet<DepositState> = new Set(['waiting', 'voting', 'voteSent']);

export interface Reason {
  readonly code: ErrorCode | string;
  readonly message: string;
}

export interface VerifiedFacts {
  readonly blockHash: string;
  readonly height: number;
  readonly value: string;
  readonly scriptKind: ScriptKind;
  readonly toChainId: string;
  readonly fee: string;
  readonly addressHex: string;
}

export interface PreparedPolyTx {
  /** Poly tx hash, display hex. */
  readonly txHash: string;
  readonly rawHex: string;
  /** When sendrawtransaction last succeeded (ms), null until then. */
  readonly sentAt: number | null;
}

export interface DepositRecord {
  /** BTC txid, display hex. */
  readonly txid: string;
  /** The Poly tx that emitted notifyBtcProof, and its block. */
  readonly polyTxHash: string;
  readonly polyHeight: number;
  readonly txHex: string;
  readonly proofHex: string;
  /** What the relayer claimed; never trusted (we use our own store's height). */
  readonly relayerHeight: number;
  readonly blocksToWait: number;
  readonly state: DepositState;
  readonly reason: Reason | null;
  readonly verified: VerifiedFacts | null;
  readonly vote: PreparedPolyTx | null;
  /** Confirmations seen at the last check (0 = not on our best chain). */
  readonly confirmations: number;
  /** Set once when the deposit's block left our best chain after our vote was sent. */
  readonly reorgAlert: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Withdrawal life cycle. `signing` holds the exact signed MultiSign tx before it is sent (same exactly-once
 * rule as votes); its inputs are committed to this withdrawal in the same batch. `relayed`: the contract had
 * already assembled it without our signature when we got to it; it passed our policy, so its inputs are
 * committed and its change is known, but we did not sign.
 */
export type WithdrawalState = 'received' | 'refused' | 'signing' | 'submitted' | 'confirmed' | 'failed' | 'relayed';

export const OPEN_WITHDRAWAL_STATES: ReadonlySet<WithdrawalState> = new Set(['received', 'signing', 'submitted']);

export interface PlannedInput {
  readonly txid: string;
  readonly vout: number;
  readonly value: string;
  readonly kind: ScriptKind;
}

export interface PlannedOutput {
  readonly scriptHex: string;
  readonly value: string;
  readonly change: boolean;
}

export interface WithdrawalRecord {
  /** Unsigned BTC tx hash (its txid before signatures), display hex. */
  readonly id: string;
  readonly polyTxHash: string;
  readonly polyHeight: number;
  readonly unsignedTxHex: string;
  readonly redeemHex: string;
  readonly state: WithdrawalState;
  readonly reason: Reason | null;
  readonly inputs: readonly PlannedInput[];
  readonly outputs: readonly PlannedOutput[];
  readonly fee: string | null;
  readonly multiSign: PreparedPolyTx | null;
  /** txid of the fully signed transaction once the contract relayed it (btcTxToRelay). */
  readonly finalTxid: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UtxoRecord {
  readonly txid: string;
  readonly vout: number;
  readonly value: string;
  readonly kind: ScriptKind;
  /** A deposit we verified, or the change of a withdrawal we signed. */
  readonly source: 'deposit' | 'change';
  /** The withdrawal (id) we signed that spends it, or null. */
  readonly committedTo: string | null;
}
