import { decodeCompact } from './compact.js';

const TWO_256 = 1n << 256n;

/**
 * Expected number of hashes for a target: 2^256 / (target + 1). Core: GetBlockProof (src/chain.cpp),
 * computed there as ~target / (target + 1) + 1, which is the same integer.
 */
export function workFromTarget(target: bigint): bigint {
  return TWO_256 / (target + 1n);
}

/** Work of a header with these bits; 0 for targets that cannot be valid (negative, overflow, zero). */
export function workFromBits(bits: number): bigint {
  const d = decodeCompact(bits);
  if (d.negative || d.overflow || d.target === 0n) return 0n;
  return workFromTarget(d.target);
}

/** Chainwork is a full 256-bit value (bitcoinj's 12-byte field overflowed at block 849,138 in 2024). */
export const MAX_CHAINWORK = TWO_256 - 1n;
