import { HEADER_SIZE, headerHash } from '../chain/header.js';
import { SpvError } from '../errors/spvError.js';
import type { ErrorDetails } from '../errors/spvError.js';
import { bytesEqual, hashToHex, toHex } from '../util/bytes.js';
import { maxMerkleFlagBytes } from '../wire/limits.js';
import { parsesAsTransaction } from './innerNode.js';
import { HASH_SIZE, parseMerkleProof } from './parse.js';
import { nodeHash, nodePreimage } from './root.js';
import { MAX_PROOF_TRANSACTIONS, treeHeight, treeWidth } from './tree.js';
import type { MerkleMatch, MerkleProof, VerifiedMerkleProof } from './types.js';
import type { ErrorCode } from '../errors/codes.js';

function fail(code: ErrorCode, message: string, details: ErrorDetails = {}): never {
  throw new SpvError(code, message, details);
}

/** A leaf the traversal matched, with the depth (distance from the root) at which it was found. */
export interface MatchedLeaf {
  readonly txid: Uint8Array;
  readonly index: number;
  readonly depth: number;
}

/**
 * Matched leaves must sit at the leaf level implied by the transaction count and inside the block
 * (bitcoin-rules.md §4 hardening 5). The traversal below only ever matches at height 0 and only visits positions
 * within each level's width, so for the CPartialMerkleTree format this cannot fail: it is a separate, explicit
 * check so that a change to the traversal can never let a leaf be matched at the wrong depth or past the end.
 */
export function checkMatchDepth(leaves: readonly MatchedLeaf[], totalTransactions: number): void {
  const leafDepth = treeHeight(totalTransactions);
  for (const leaf of leaves) {
    if (leaf.depth !== leafDepth || !Number.isInteger(leaf.index) || leaf.index < 0 || leaf.index >= totalTransactions) {
      fail('MERKLE_DEPTH_MISMATCH', 'matched leaf is not at the leaf level of the tree', {
        index: leaf.index,
        depth: leaf.depth,
        leafDepth,
        totalTransactions,
      });
    }
  }
}

/** Field sizes of a proof object (parseMerkleProof guarantees them; a hand-built object may not). */
function checkShape(proof: MerkleProof): void {
  if (proof.header.length !== HEADER_SIZE) {
    fail('MERKLE_MALFORMED', 'merkle proof header must be 80 bytes', { length: proof.header.length });
  }
  const n = proof.totalTransactions;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    fail('MERKLE_MALFORMED', 'merkle proof transaction count must be a u32', { totalTransactions: String(n) });
  }
  proof.hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) fail('MERKLE_MALFORMED', 'merkle proof hash must be 32 bytes', { i, length: h.length });
  });
}

/**
 * Verifies a partial merkle tree the way Core's CPartialMerkleTree::ExtractMatches / TraverseAndExtract does
 * (src/merkleblock.cpp), hardened (bitcoin-rules.md §4), and returns the root, the matched txids and their indexes.
 * Each rule has its own code, checked in this order:
 *
 * 1. MERKLE_TX_COUNT_ZERO / MERKLE_TX_COUNT_TOO_LARGE: 1 ≤ tx count ≤ MAX_PROOF_TRANSACTIONS (66,666; see tree.ts).
 *    Core added the upper check after verifytxoutproof accepted absurd counts (bitcoin#13452).
 * 2. MERKLE_TOO_MANY_HASHES: no more hashes than transactions (Core: "never more hashes than one for every txid").
 * 3. MERKLE_TOO_FEW_FLAG_BITS: at least one flag bit per hash (Core: vBits.size() < vHash.size()).
 *    MERKLE_FLAGS_NOT_CONSUMED already here when there are more flag bytes than the tree has nodes.
 * 4. Depth-first traversal from the root. A 0 bit: the next hash is this node's. A 1 bit at a leaf: the next hash is
 *    a matched txid. A 1 bit at an inner node: descend left, then right if that position exists on the level below,
 *    and hash left ‖ right (left ‖ left without a right child).
 *    MERKLE_BAD_TREE when the bits or hashes run out (Core: fBad).
 *    MERKLE_DUPLICATE_CHILDREN when a node's real right child equals its left one (CVE-2012-2459: a block whose txid
 *    list ends in a duplicate has the same root as the honest one, so such a proof could credit a tx twice or prove a
 *    mutated block; Core: "if (right == left) fBad = true").
 * 5. MERKLE_FLAGS_NOT_CONSUMED: every flag bit is used except the zero padding of the last byte (Core:
 *    (nBitsUsed + 7) / 8 != (vBits.size() + 7) / 8); we also require the padding bits to be zero.
 *    MERKLE_HASHES_NOT_CONSUMED: every hash is used (Core: nHashUsed != vHash.size()).
 * 6. MERKLE_ROOT_MISMATCH: the computed root equals the header's merkle root (Core: CMerkleBlock's caller,
 *    rpc/txoutproof.cpp verifytxoutproof).
 * 7. MERKLE_INNER_NODE_IS_TX: no computed inner node's 64-byte preimage is a transaction (CVE-2017-12842; see
 *    innerNode.ts). Beyond Core, as Electrum and RSK do.
 * 8. MERKLE_DEPTH_MISMATCH: matched leaves at the leaf depth, index < tx count (checkMatchDepth).
 * 9. MERKLE_DUPLICATE_MATCH: the same txid matched at two indexes. A valid block never holds one txid twice, and
 *    callers must never credit one txid twice (bitcoin-rules.md §4.8; summa-tx/bitcoin-spv#108). Beyond Core.
 * 10. MERKLE_NO_MATCH: at least one matched txid (Core's verifytxoutproof returns nothing for an empty match).
 *
 * Header validity (PoW, best chain) is the caller's business: this module proves membership under this header only.
 */
export function verifyMerkleProof(proof: MerkleProof): VerifiedMerkleProof {
  checkShape(proof);
  const { header, hashes, flags } = proof;
  const total = proof.totalTransactions;

  if (total === 0) fail('MERKLE_TX_COUNT_ZERO', 'merkle proof of a block with zero transactions');
  if (total > MAX_PROOF_TRANSACTIONS) {
    fail('MERKLE_TX_COUNT_TOO_LARGE', 'merkle proof claims more transactions than a block can hold', {
      totalTransactions: total,
      max: MAX_PROOF_TRANSACTIONS,
    });
  }
  if (hashes.length > total) {
    fail('MERKLE_TOO_MANY_HASHES', 'merkle proof has more hashes than the block has transactions', {
      hashes: hashes.length,
      totalTransactions: total,
    });
  }
  const bitCount = flags.length * 8;
  if (bitCount < hashes.length) {
    fail('MERKLE_TOO_FEW_FLAG_BITS', 'merkle proof has fewer flag bits than hashes', {
      flagBits: bitCount,
      hashes: hashes.length,
    });
  }
  const maxFlagBytes = maxMerkleFlagBytes(total);
  if (flags.length > maxFlagBytes) {
    fail('MERKLE_FLAGS_NOT_CONSUMED', 'merkle proof has more flag bytes than the tree has nodes', {
      flagBytes: flags.length,
      max: maxFlagBytes,
    });
  }

  const height = treeHeight(total);
  let bitsUsed = 0;
  let hashesUsed = 0;
  const leaves: MatchedLeaf[] = [];
  // Preimages that pass parsesAsTransaction's cheap shortcut; fully checked once the root is known to be right.
  const suspects: Array<{ preimage: Uint8Array; height: number; pos: number }> = [];

  // Core: CPartialMerkleTree::TraverseAndExtract. Recursion depth is at most height + 1 (≤ 18).
  const traverse = (h: number, pos: number): Uint8Array => {
    if (bitsUsed >= bitCount) fail('MERKLE_BAD_TREE', 'merkle proof ran out of flag bits', { height: h, pos });
    const bit = (flags[bitsUsed >> 3]! >> (bitsUsed & 7)) & 1;
    bitsUsed++;
    if (h === 0 || bit === 0) {
      const hash = hashes[hashesUsed];
      if (hash === undefined) fail('MERKLE_BAD_TREE', 'merkle proof ran out of hashes', { height: h, pos });
      hashesUsed++;
      if (h === 0 && bit === 1) leaves.push({ txid: hash, index: pos, depth: height - h });
      return hash;
    }
    const left = traverse(h - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < treeWidth(total, h - 1)) {
      right = traverse(h - 1, pos * 2 + 1);
      if (bytesEqual(left, right)) {
        fail('MERKLE_DUPLICATE_CHILDREN', 'merkle proof node has identical left and right children (CVE-2012-2459)', {
          height: h,
          pos,
        });
      }
    }
    // The preimage's byte 4 is left[4]; only then is the 64-byte copy worth making (parsesAsTransaction's shortcut).
    if (left[4]! <= 1) suspects.push({ preimage: nodePreimage(left, right), height: h, pos });
    return nodeHash(left, right);
  };
  const root = traverse(height, 0);

  if (Math.ceil(bitsUsed / 8) !== flags.length) {
    fail('MERKLE_FLAGS_NOT_CONSUMED', 'merkle proof has unused flag bytes', { bitsUsed, flagBytes: flags.length });
  }
  for (let i = bitsUsed; i < bitCount; i++) {
    if ((flags[i >> 3]! >> (i & 7)) & 1) {
      fail('MERKLE_FLAGS_NOT_CONSUMED', 'merkle proof has non-zero padding bits', { bitsUsed, bit: i });
    }
  }
  if (hashesUsed !== hashes.length) {
    fail('MERKLE_HASHES_NOT_CONSUMED', 'merkle proof has unused hashes', { hashesUsed, hashes: hashes.length });
  }

  const headerRoot = header.subarray(36, 68);
  if (!bytesEqual(root, headerRoot)) {
    fail('MERKLE_ROOT_MISMATCH', "merkle proof root does not match the header's merkle root", {
      root: hashToHex(root),
      headerRoot: hashToHex(headerRoot),
    });
  }

  for (const s of suspects) {
    if (parsesAsTransaction(s.preimage)) {
      fail('MERKLE_INNER_NODE_IS_TX', 'merkle proof inner node is also a valid transaction (CVE-2017-12842)', {
        height: s.height,
        pos: s.pos,
        preimage: toHex(s.preimage),
      });
    }
  }

  checkMatchDepth(leaves, total);

  const seen = new Set<string>();
  const matches: MerkleMatch[] = [];
  for (const leaf of leaves) {
    const txidHex = hashToHex(leaf.txid);
    if (seen.has(txidHex)) {
      fail('MERKLE_DUPLICATE_MATCH', 'merkle proof matches the same txid at two indexes', { txid: txidHex, index: leaf.index });
    }
    seen.add(txidHex);
    matches.push({ txid: new Uint8Array(leaf.txid), txidHex, index: leaf.index });
  }
  if (matches.length === 0) fail('MERKLE_NO_MATCH', 'merkle proof matches no transaction');

  const hash = headerHash(header);
  return {
    root,
    matches,
    headerHash: hash,
    headerHashHex: hashToHex(hash),
    totalTransactions: total,
  };
}

/** parseMerkleProof then verifyMerkleProof. */
export function verifyMerkleProofBytes(raw: Uint8Array): VerifiedMerkleProof {
  return verifyMerkleProof(parseMerkleProof(raw));
}
