/**
 * Compact ("nBits") target encoding. Core: arith_uint256::SetCompact / GetCompact
 * (src/arith_uint256.cpp); vectors in src/test/arith_uint256_tests.cpp.
 */

export interface DecodedCompact {
  readonly target: bigint;
  /** Sign bit set with a non-zero mantissa. */
  readonly negative: boolean;
  /** The value does not fit in 256 bits. */
  readonly overflow: boolean;
}

export function decodeCompact(bits: number): DecodedCompact {
  const b = bits >>> 0;
  const size = b >>> 24;
  // Core shifts the mantissa before the sign/overflow tests: 0x00923456 is 0, not negative.
  let word = b & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else target = BigInt(word) << BigInt(8 * (size - 3));
  const negative = word !== 0 && (b & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** Encode a non-negative value in compact form, keeping 3 significant bytes (truncating) as Core does. */
export function encodeCompact(value: bigint): number {
  if (value < 0n) throw new RangeError('compact encoding of a negative value');
  let size = 0;
  for (let v = value; v > 0n; v >>= 8n) size++;
  let compact: number;
  if (size <= 3) compact = Number(value) << (8 * (3 - size));
  else compact = Number(value >> BigInt(8 * (size - 3)));
  // The mantissa's top bit is the sign: move it down a byte instead (Core: GetCompact).
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((compact | (size << 24)) >>> 0);
}

/**
 * A target is usable for proof of work when it is not negative, not overflowing, not zero and
 * at most powLimit (Core: DeriveTarget in src/pow.cpp). Returns null otherwise.
 */
export function targetFromBits(bits: number, powLimit: bigint): bigint | null {
  const d = decodeCompact(bits);
  if (d.negative || d.overflow || d.target === 0n || d.target > powLimit) return null;
  return d.target;
}
