import { SpvError } from '../errors/spvError.js';
import { bigintToBytes32, hashToHex } from '../util/bytes.js';
import { decodeCompact } from './compact.js';
import { workFromTarget } from './work.js';

/** A decoded target as big-endian bytes (for a fast hash comparison) and its work. */
export interface TargetInfo {
  readonly bits: number;
  readonly target: bigint;
  readonly targetBE: Uint8Array;
  /** The target as 8 little-endian 32-bit words, least significant first (for hashMeetsTargetAt). */
  readonly targetWords: Uint32Array;
  readonly work: bigint;
}

/**
 * Decodes and validates `bits` once per distinct value: a header chain changes bits at most once per
 * 2016 headers (testnet: alternating between two values), so hot-path checks are a byte compare.
 */
export class TargetCache {
  private readonly cache = new Map<number, TargetInfo | SpvError>();

  constructor(private readonly powLimit: bigint) {}

  /** Core: DeriveTarget (src/pow.cpp): negative, overflowing, zero or above-powLimit targets are invalid. */
  get(bits: number): TargetInfo | SpvError {
    let v = this.cache.get(bits);
    if (v === undefined) {
      v = this.compute(bits);
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(bits, v);
    }
    return v;
  }

  private compute(bits: number): TargetInfo | SpvError {
    const d = decodeCompact(bits);
    const why = d.negative
      ? 'negative'
      : d.overflow
        ? 'overflow'
        : d.target === 0n
          ? 'zero'
          : d.target > this.powLimit
            ? 'above powLimit'
            : null;
    if (why !== null) {
      return new SpvError('HEADER_BAD_TARGET', `compact target is ${why}`, { bits, reason: why });
    }
    const targetBE = bigintToBytes32(d.target);
    const targetWords = new Uint32Array(8);
    for (let i = 0; i < 8; i++) {
      const o = 28 - 4 * i;
      targetWords[i] = ((targetBE[o]! << 24) | (targetBE[o + 1]! << 16) | (targetBE[o + 2]! << 8) | targetBE[o + 3]!) >>> 0;
    }
    return { bits, target: d.target, targetBE, targetWords, work: workFromTarget(d.target) };
  }
}

/** hash (internal, little-endian) <= target, compared as 256-bit integers without bigint. */
export function hashMeetsTarget(hash: Uint8Array, targetBE: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const h = hash[31 - i]!;
    const t = targetBE[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The same test as hashMeetsTarget for the hash at word `at` of `hashWords` (a Uint32Array view of a hash
 * array, 8 words per hash), a word at a time: a batch compares without a subarray per header.
 */
export function hashMeetsTargetAt(hashWords: Uint32Array, at: number, t: TargetInfo): boolean {
  if (!LITTLE_ENDIAN) {
    const bytes = new Uint8Array(hashWords.buffer, hashWords.byteOffset + at * 4, 32);
    return hashMeetsTarget(bytes, t.targetBE);
  }
  const tw = t.targetWords;
  for (let i = 7; i >= 0; i--) {
    const h = hashWords[at + i]!;
    const w = tw[i]!;
    if (h !== w) return h < w;
  }
  return true;
}

/**
 * Core: CheckProofOfWork (src/pow.cpp). Throws HEADER_BAD_TARGET for an unusable target and
 * HEADER_BAD_POW when the hash is above it; returns the target info (with the header's work).
 */
export function checkProofOfWork(hash: Uint8Array, bits: number, cache: TargetCache): TargetInfo {
  const t = cache.get(bits);
  if (t instanceof SpvError) throw t;
  if (!hashMeetsTarget(hash, t.targetBE)) {
    throw new SpvError('HEADER_BAD_POW', 'block hash is above the target', { hashHex: hashToHex(hash), bits });
  }
  return t;
}
