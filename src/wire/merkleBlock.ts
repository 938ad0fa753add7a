import { invariant } from '../errors/spvError.js';
import { HEADER_SIZE } from '../chain/header.js';
import { ByteWriter } from '../util/byteWriter.js';
import { MAX_MERKLE_TRANSACTIONS, maxMerkleFlagBytes } from './limits.js';
import { WireReader } from './wireReader.js';

const HASH_SIZE = 32;

/**
 * BIP37 `merkleblock` (also the `gettxoutproof` format): header, total transactions, and a partial merkle tree
 * (hashes + flag bits, least significant bit first). Structure only: the tree is walked and checked by the merkle
 * module, never trusted from here.
 */
export interface MerkleBlockMessage {
  readonly command: 'merkleblock';
  readonly header: Uint8Array; // 80 bytes
  readonly totalTransactions: number; // u32
  readonly hashes: readonly Uint8Array[]; // 32 bytes each, internal order
  readonly flags: Uint8Array;
}

export function decodeMerkleBlockPayload(payload: Uint8Array): MerkleBlockMessage {
  const r = new WireReader(payload);
  const header = r.bytesCopy(HEADER_SIZE, 'header');
  const totalTransactions = r.u32le();
  // Core: CPartialMerkleTree::ExtractMatches refuses an empty tree and more than MAX_BLOCK_WEIGHT /
  // MIN_TRANSACTION_WEIGHT transactions; refusing here bounds every allocation below.
  if (totalTransactions === 0) r.fail('merkleblock with zero transactions');
  if (totalTransactions > MAX_MERKLE_TRANSACTIONS) {
    r.fail('merkleblock with more transactions than a block can hold', { totalTransactions });
  }
  // Core: "there can never be more hashes provided than one for every txid".
  const n = r.count(totalTransactions, HASH_SIZE, 'merkle hashes');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) hashes.push(r.bytesCopy(HASH_SIZE, 'merkle hash'));
  // At most one flag bit per tree node (limits.ts maxMerkleFlagBytes).
  const flagBytes = r.count(maxMerkleFlagBytes(totalTransactions), 1, 'merkle flag bytes');
  const flags = r.bytesCopy(flagBytes, 'merkle flags');
  r.end();
  return { command: 'merkleblock', header, totalTransactions, hashes, flags };
}

export function encodeMerkleBlockPayload(msg: MerkleBlockMessage): Uint8Array {
  invariant(msg.header.length === HEADER_SIZE, 'merkleblock header must be 80 bytes');
  const w = new ByteWriter(HEADER_SIZE + 4 + 3 + msg.hashes.length * HASH_SIZE + 3 + msg.flags.length);
  w.bytes(msg.header).u32le(msg.totalTransactions).varint(msg.hashes.length);
  for (const h of msg.hashes) {
    invariant(h.length === HASH_SIZE, 'merkle hash must be 32 bytes');
    w.bytes(h);
  }
  return w.varBytes(msg.flags).finish();
}
