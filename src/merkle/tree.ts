/**
 * Shape of the (partial) merkle tree over a block's transactions, as Core's CPartialMerkleTree sees it
 * (src/merkleblock.h): level 0 holds the txids, each level above pairs the one below, and an odd last node is paired
 * with itself.
 */

/**
 * Largest transaction count a proof may claim: 4,000,000 / 60 = 66,666 (the project's issue states the bound as
 * "tx count >= 1 and <= 4,000,000/60").
 *
 * Core is tighter: CPartialMerkleTree::ExtractMatches rejects nTransactions > MAX_BLOCK_WEIGHT /
 * MIN_TRANSACTION_WEIGHT = 4,000,000 / (4 * 60) = 16,666, and the wire codec's merkleblock decoder uses that
 * (src/wire/limits.ts MAX_MERKLE_TRANSACTIONS), so `merkleblock` messages from peers never get here with more.
 * The looser bound only admits trees up to height 17 instead of 15; every other rule below still applies, and a
 * claimed count larger than the real one cannot make a fake leaf verify without an inner node that is a
 * transaction (rejected as MERKLE_INNER_NODE_IS_TX).
 */
export const MAX_PROOF_TRANSACTIONS = Math.floor(4_000_000 / 60);

/** Core: CPartialMerkleTree::CalcTreeWidth = (nTransactions + (1 << height) - 1) >> height. */
export function treeWidth(totalTransactions: number, height: number): number {
  const span = 2 ** height;
  return Math.floor((totalTransactions + span - 1) / span);
}

/** Core: ExtractMatches' `while (CalcTreeWidth(nHeight) > 1) nHeight++`. The root is at this height. */
export function treeHeight(totalTransactions: number): number {
  let height = 0;
  while (treeWidth(totalTransactions, height) > 1) height++;
  return height;
}
