import { HEADER_SIZE } from '../chain/header.js';
import { SpvError } from '../errors/spvError.js';
import { ByteReader } from '../util/byteReader.js';
import { encodeMerkleBlockPayload } from '../wire/merkleBlock.js';
import type { MerkleProof } from './types.js';

export const HASH_SIZE = 32;

/**
 * ByteReader with the merkle module's codes: a read or length prefix past the end is MERKLE_TRUNCATED, bytes left
 * over are MERKLE_TRAILING_BYTES, and what the base reader rejects itself (a non-canonical CompactSize, as Core's
 * ReadCompactSize does) is MERKLE_MALFORMED. Bounds are checked before delegating, so no read ever allocates or
 * touches memory beyond the input.
 */
class ProofReader extends ByteReader {
  constructor(bytes: Uint8Array) {
    super(bytes, 'MERKLE_MALFORMED');
  }

  require(n: number, what: string): void {
    if (n > this.remaining) {
      throw new SpvError('MERKLE_TRUNCATED', `merkle proof truncated: ${what}`, {
        offset: this.offset,
        need: n,
        remaining: this.remaining,
      });
    }
  }

  override u8(): number {
    this.require(1, 'compact size');
    return super.u8();
  }

  override u16le(): number {
    this.require(2, 'compact size');
    return super.u16le();
  }

  override u32le(): number {
    this.require(4, 'u32');
    return super.u32le();
  }

  override u64le(): bigint {
    this.require(8, 'compact size');
    return super.u64le();
  }

  override bytesView(n: number, what = 'bytes'): Uint8Array {
    this.require(n, what);
    return super.bytesView(n, what);
  }

  override end(): void {
    if (this.remaining !== 0) {
      throw new SpvError('MERKLE_TRAILING_BYTES', 'bytes after the end of the merkle proof', {
        offset: this.offset,
        remaining: this.remaining,
      });
    }
  }
}

/**
 * Parses the BIP37 `merkleblock` / Core `gettxoutproof` serialization (Core: CMerkleBlock = CBlockHeader ‖
 * CPartialMerkleTree, src/merkleblock.h):
 *
 *   80-byte header ‖ u32 LE total tx count ‖ CompactSize n ‖ n × 32-byte hashes ‖ CompactSize m ‖ m flag bytes
 *
 * Structure only: the tree rules are verifyMerkleProof's. Each length prefix is checked against the bytes that
 * remain before anything is allocated, and trailing bytes are an error.
 *
 * The wire codec's decodeMerkleBlockPayload reads the same layout, but for peers: it reports PEER_* codes and
 * applies Core's 16,666-transaction bound while decoding. This parser serves callers holding a proof (REST,
 * bridge) and reports MERKLE_* codes, leaving every semantic rule to verifyMerkleProof.
 */
export function parseMerkleProof(raw: Uint8Array): MerkleProof {
  const r = new ProofReader(raw);
  const header = r.bytesCopy(HEADER_SIZE, 'header');
  const totalTransactions = r.u32le();
  const hashCount = r.varint();
  r.require(hashCount * HASH_SIZE, 'hashes');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < hashCount; i++) hashes.push(r.bytesCopy(HASH_SIZE, 'hash'));
  const flagCount = r.varint();
  r.require(flagCount, 'flag bytes');
  const flags = r.bytesCopy(flagCount, 'flag bytes');
  r.end();
  return { header, totalTransactions, hashes, flags };
}

/** The inverse of parseMerkleProof (the wire codec's merkleblock encoder: same bytes). */
export function serializeMerkleProof(proof: MerkleProof): Uint8Array {
  return encodeMerkleBlockPayload({ command: 'merkleblock', ...proof });
}
