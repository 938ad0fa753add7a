/** A transaction proven in a block on our best chain. */
export interface ProofResult {
  /** Display hex. */
  readonly txid: string;
  readonly blockHash: string;
  readonly height: number;
  /** Position of the transaction in the block. */
  readonly index: number;
  readonly confirmations: number;
}
