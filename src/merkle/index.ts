/**
 * Merkle proofs (pure, no I/O): BIP37 `merkleblock` / Core `gettxoutproof` partial merkle trees, verified as Core's
 * CPartialMerkleTree does plus the hardening of bitcoin-rules.md §4; merkle roots as Core's ComputeMerkleRoot.
 */
export type { MerkleMatch, MerkleProof, VerifiedMerkleProof, VerifiedTxInProof } from './types.js';
export { parseMerkleProof, serializeMerkleProof } from './parse.js';
export type { MatchedLeaf } from './verify.js';
export { checkMatchDepth, verifyMerkleProof, verifyMerkleProofBytes } from './verify.js';
export { verifyTxInProof } from './tx.js';
export type { MerkleRootResult } from './root.js';
export { merkleRoot } from './root.js';
export { buildMerkleProof } from './build.js';
export { parsesAsTransaction } from './innerNode.js';
export { MAX_PROOF_TRANSACTIONS, treeHeight, treeWidth } from './tree.js';
