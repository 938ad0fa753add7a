/**
 * Shapes of the merkle-proof module. Hashes are internal byte order (`txid`, `root`, `headerHash`); the `*Hex` fields
 * are display order (reversed), as everywhere in spvclient.
 */

/**
 * A BIP37 `merkleblock` / Core `gettxoutproof` partial merkle tree, structure only (nothing checked yet).
 * The wire codec's MerkleBlockMessage (src/wire/merkleBlock.ts) has these fields, so a decoded `merkleblock`
 * message can be passed to verifyMerkleProof as it is.
 */
export interface MerkleProof {
  /** The 80-byte block header. */
  readonly header: Uint8Array;
  /** Total number of transactions in the block (u32 on the wire). */
  readonly totalTransactions: number;
  /** The partial tree's hashes, depth first, 32 bytes each. */
  readonly hashes: readonly Uint8Array[];
  /** Flag bits, depth first, least significant bit of each byte first. */
  readonly flags: Uint8Array;
}

/** A matched leaf: a txid the proof commits to, at its position in the block. */
export interface MerkleMatch {
  readonly txid: Uint8Array;
  readonly txidHex: string;
  readonly index: number;
}

/** What verifyMerkleProof proved: these txids are at these indexes of the block whose header is `headerHash`. */
export interface VerifiedMerkleProof {
  /** The merkle root the partial tree hashes to (equal to the header's merkle root). */
  readonly root: Uint8Array;
  /** Matched leaves in ascending index order (the traversal is left to right). */
  readonly matches: readonly MerkleMatch[];
  readonly headerHash: Uint8Array;
  readonly headerHashHex: string;
  /**
   * The count the proof claims. A partial merkle tree commits to the tree's shape only along the paths it visits, so
   * a nearby count with the same shape there (e.g. 2354 for 2355 when the last leaf is not on a path) verifies with the
   * same root and matches: do not treat this as the block's proven transaction count.
   */
  readonly totalTransactions: number;
}

/**
 * What verifyTxInProof proved. The caller still has to check that `headerHashHex` is a best-chain header
 * (bitcoin-rules.md §4.7): this module never sees the chain.
 */
export interface VerifiedTxInProof {
  readonly txidHex: string;
  readonly index: number;
  readonly headerHashHex: string;
  readonly root: Uint8Array;
}
