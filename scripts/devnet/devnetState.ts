/**
 * The plain-data snapshot `devnet_state` and `Devnet.state()` return: everything a test or the demo needs to judge
 * the validators (votes per voter, executed deposits, UTXOs, withdrawals and their signers, relayed transactions,
 * every rejected transaction with its reason).
 */
import type { UtxoKind } from './btcMultisig.js';

/** Why a transaction was refused by the pool (no block) or failed in execution (State 0). */
export type RejectReason =
  // pool (JSON-RPC error, no block)
  | 'BAD_HEX'
  | 'UNDECODABLE'
  | 'BAD_SIGNATURE'
  | 'DUPLICATE_TX'
  // execution (State 0)
  | 'NOT_NATIVE_INVOKE'
  | 'NOT_CCM'
  | 'UNKNOWN_METHOD'
  | 'BAD_CHAIN_ID'
  | 'BAD_PARAM'
  | 'NO_WITNESS'
  | 'NOT_VOTER'
  | 'UNKNOWN_DEPOSIT'
  | 'DUPLICATE_VOTE'
  | 'UNKNOWN_WITHDRAWAL'
  | 'WITHDRAWAL_COMPLETE'
  | 'UNKNOWN_SIGNER'
  | 'ALREADY_SIGNED'
  | 'WRONG_SIG_COUNT'
  | 'BAD_BTC_SIGNATURE';

export interface DevnetRejection {
  /** Poly tx hash (display hex) when the tx decoded. */
  readonly txHash: string | null;
  readonly reason: RejectReason;
  readonly detail: string;
  /** 'pool': refused with a JSON-RPC error; 'exec': in a block with State 0. */
  readonly stage: 'pool' | 'exec';
  /** The block of a State 0 tx. */
  readonly height: number | null;
}

export interface DevnetDeposit {
  /** BTC txid, display hex. */
  readonly txid: string;
  /** The notifyBtcProof block's synthetic tx hash. */
  readonly polyTxHash: string;
  readonly btcHeight: number;
  readonly blocksToWait: number;
  readonly submittedAtHeight: number;
  /** Every configured voter → whether it voted (successfully) for this deposit. */
  readonly votes: Readonly<Record<string, boolean>>;
  readonly voteCount: number;
  readonly executed: boolean;
  readonly executedAtHeight: number | null;
  /** Output 0 value in satoshis (0 when the tx has no outputs). */
  readonly value: number;
  /** Whether output 0 paid the multisig and was recorded as a UTXO at execution. */
  readonly utxoRecorded: boolean;
  /**
   * Set at execution when the deposit breaks a rule validators must check (outputs, OP_RETURN Args): the devnet
   * accepts any relayed deposit (so negative tests can offer bad ones), so an executed deposit with a problem means
   * a quorum of validators voted for something they should have refused.
   */
  readonly problem: string | null;
}

export type UtxoStatus = 'available' | 'reserved' | 'spent';

export interface DevnetUtxo {
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
  readonly kind: UtxoKind;
  readonly origin: 'deposit' | 'change';
  readonly status: UtxoStatus;
  /** Withdrawal id that reserved or spent it. */
  readonly withdrawalId: string | null;
}

export interface DevnetWithdrawal {
  /** Unsigned tx hash, display hex (the MultiSign param's TxHash reversed). */
  readonly id: string;
  readonly unsignedTxHex: string;
  readonly requestedAtHeight: number;
  readonly outputs: ReadonlyArray<{ readonly address: string; readonly value: number }>;
  readonly inputs: ReadonlyArray<{ readonly txid: string; readonly vout: number; readonly value: number; readonly kind: UtxoKind }>;
  readonly fee: number;
  readonly change: number;
  /** The signed-size upper bound the fee was computed from. */
  readonly estimatedVsize: number;
  /** Signer P2PKH address → its signatures (hex, one per input), in arrival order. */
  readonly signatures: Readonly<Record<string, readonly string[]>>;
  readonly signers: readonly string[];
  readonly complete: boolean;
  readonly finalTxHex: string | null;
  readonly finalTxid: string | null;
  readonly completedAtHeight: number | null;
}

export interface DevnetRelayedTx {
  readonly withdrawalId: string;
  readonly txid: string;
  readonly txHex: string;
  readonly height: number;
}

export type FaultMode = 'none' | 'down' | 'garbage' | 'http500' | 'slow' | 'wrongId' | 'nullResult' | 'refuse';

export interface DevnetFault {
  readonly mode: FaultMode;
  /** Non-devnet requests still to be answered badly. */
  readonly remaining: number;
  /** Reply delay of 'slow'. */
  readonly delayMs: number;
  /** Only requests for these methods are faulted (null: every non-devnet request). */
  readonly methods: readonly string[] | null;
}

export interface DevnetState {
  readonly height: number;
  readonly quorum: number;
  readonly voters: readonly string[];
  readonly ccmAddressHex: string;
  readonly deposits: readonly DevnetDeposit[];
  readonly utxos: readonly DevnetUtxo[];
  readonly withdrawals: readonly DevnetWithdrawal[];
  readonly relayed: readonly DevnetRelayedTx[];
  readonly rejected: {
    readonly count: number;
    readonly byReason: Readonly<Partial<Record<RejectReason, number>>>;
    readonly entries: readonly DevnetRejection[];
  };
  readonly fault: DevnetFault;
}
