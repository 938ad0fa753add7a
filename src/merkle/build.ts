import { HEADER_SIZE } from '../chain/header.js';
import { invariant } from '../errors/spvError.js';
import { merkleLevels } from './root.js';
import { MAX_PROOF_TRANSACTIONS, treeHeight } from './tree.js';
import type { MerkleProof } from './types.js';

/**
 * Builds the partial merkle tree proving `matchIndexes` among `txids` (internal order), under `header80` (not checked
 * against the txids, so tests can build proofs for a wrong header): Core's CPartialMerkleTree(vTxid, vMatch)
 * constructor and TraverseAndBuild (src/merkleblock.cpp). For tests, benchmarks and fuzzers; misuse is a bug
 * (InvariantError). It builds whatever tree the txids give, including CVE-2012-2459 duplicates and inner nodes that
 * are transactions, so hostile proofs can be made with it.
 */
export function buildMerkleProof(
  txids: readonly Uint8Array[],
  matchIndexes: readonly number[],
  header80: Uint8Array,
): MerkleProof {
  invariant(header80.length === HEADER_SIZE, 'header must be 80 bytes', { length: header80.length });
  invariant(txids.length > 0 && txids.length <= MAX_PROOF_TRANSACTIONS, 'tx count out of range', {
    count: txids.length,
  });
  for (const t of txids) invariant(t.length === 32, 'txid must be 32 bytes', { length: t.length });
  const matched = new Set<number>();
  for (const i of matchIndexes) {
    invariant(Number.isInteger(i) && i >= 0 && i < txids.length, 'match index out of range', { index: i });
    matched.add(i);
  }

  const levels = merkleLevels(txids);
  // parentOfMatch[h][pos]: some leaf below (h, pos) is matched (Core computes this by a scan per node).
  const parentOfMatch: boolean[][] = [txids.map((_, i) => matched.has(i))];
  for (let h = 1; h < levels.length; h++) {
    const below = parentOfMatch[h - 1]!;
    parentOfMatch.push(levels[h]!.map((_, pos) => below[pos * 2] === true || below[pos * 2 + 1] === true));
  }

  const bits: boolean[] = [];
  const hashes: Uint8Array[] = [];
  const build = (h: number, pos: number): void => {
    const flag = parentOfMatch[h]![pos]!;
    bits.push(flag);
    if (h === 0 || !flag) {
      hashes.push(new Uint8Array(levels[h]![pos]!));
      return;
    }
    build(h - 1, pos * 2);
    if (pos * 2 + 1 < levels[h - 1]!.length) build(h - 1, pos * 2 + 1);
  };
  build(treeHeight(txids.length), 0);

  // Core serializes vBits as (bits + 7) / 8 bytes, least significant bit first, zero padding.
  const flags = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) flags[i >> 3]! |= 1 << (i & 7);
  });
  return { header: new Uint8Array(header80), totalTransactions: txids.length, hashes, flags };
}
