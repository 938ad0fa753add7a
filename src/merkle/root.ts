import { invariant } from '../errors/spvError.js';
import { bytesEqual } from '../util/bytes.js';
import { pairHash } from './pairHash.js';

/** The 64 bytes an inner node hashes: left ‖ right (Core: Hash(left, right)). */
export function nodePreimage(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(left, 0);
  out.set(right, 32);
  return out;
}

/** An inner node's hash: sha256d(left ‖ right) (pairHash.ts: no preimage copy, no node:crypto call overhead). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return pairHash(left, right);
}

export interface MerkleRootResult {
  readonly root: Uint8Array;
  /**
   * Core's `mutated`: some level has two equal hashes side by side at an even position, i.e. the list may be a
   * CVE-2012-2459 duplicate of a shorter one with the same root (blocks with this are rejected as bad-txns-duplicate).
   */
  readonly mutated: boolean;
}

/**
 * A block's merkle root from its txids (internal order): Core's ComputeMerkleRoot (src/consensus/merkle.cpp), an odd
 * last hash paired with itself on every level. An empty list gives the zero hash, as in Core.
 */
export function merkleRoot(txids: readonly Uint8Array[]): MerkleRootResult {
  for (const t of txids) invariant(t.length === 32, 'txid must be 32 bytes', { length: t.length });
  if (txids.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level: readonly Uint8Array[] = txids;
  let mutated = false;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let pos = 0; pos < level.length; pos += 2) {
      const left = level[pos]!;
      const right = level[pos + 1];
      if (right !== undefined && bytesEqual(left, right)) mutated = true;
      next.push(nodeHash(left, right ?? left));
    }
    level = next;
  }
  return { root: new Uint8Array(level[0]!), mutated };
}

/**
 * Every level of the full tree, level 0 = the txids, the last level = [root]. Widths are Core's CalcTreeWidth.
 * Used by buildMerkleProof (Core: CPartialMerkleTree::CalcHash, computed once instead of recursively).
 */
export function merkleLevels(txids: readonly Uint8Array[]): Uint8Array[][] {
  invariant(txids.length > 0, 'a merkle tree needs at least one txid');
  const levels: Uint8Array[][] = [txids.slice()];
  for (;;) {
    const level = levels[levels.length - 1]!;
    if (level.length === 1) return levels;
    const next: Uint8Array[] = [];
    for (let pos = 0; pos < level.length; pos += 2) {
      const left = level[pos]!;
      next.push(nodeHash(left, level[pos + 1] ?? left));
    }
    levels.push(next);
  }
}
