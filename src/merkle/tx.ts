import { Transaction } from 'bitcoinjs-lib';
import { sha256d } from '../chain/hash.js';
import { SpvError } from '../errors/spvError.js';
import { bytesEqual, hashToHex } from '../util/bytes.js';
import { parseMerkleProof } from './parse.js';
import type { VerifiedTxInProof } from './types.js';
import { verifyMerkleProof } from './verify.js';

/**
 * The txid: sha256d of the non-witness serialization. When `raw` is exactly the canonical serialization bitcoinjs
 * parsed (same length as its re-serialization, so every CompactSize was canonical), the stripped form is `raw` itself
 * (no witness) or version ‖ raw without marker, flag and witnesses ‖ locktime (BIP144), hashed through node:crypto.
 * bitcoinjs's getHash re-serializes and hashes in pure JS: ~3x slower, which scripts/bench-proof.ts showed.
 * Anything else falls back to getHash.
 */
function txidOf(tx: Transaction, raw: Uint8Array, strippedSize: number): Uint8Array {
  if (tx.byteLength(true) !== raw.length) return tx.getHash(false);
  if (!tx.hasWitnesses()) return sha256d(raw);
  if (raw[4] !== 0 || raw[5] !== 1) return tx.getHash(false);
  const stripped = new Uint8Array(strippedSize);
  stripped.set(raw.subarray(0, 4), 0);
  stripped.set(raw.subarray(6, 6 + strippedSize - 8), 4);
  stripped.set(raw.subarray(raw.length - 4), strippedSize - 4);
  return sha256d(stripped);
}

/**
 * Proves that a transaction is in the block whose header the proof carries:
 *
 * - TX_INVALID: `txRaw` is not a transaction (bitcoinjs-lib Transaction.fromBuffer; witness serialization allowed).
 * - MERKLE_TX_64_BYTES: its non-witness serialization is 64 bytes, the size of an inner node's preimage, so its txid
 *   could stand for an inner node and a fake leaf could be proven below it (CVE-2017-12842; non-standard since
 *   bitcoin#11423, invalid under BIP53/BIP54).
 * - every rule of verifyMerkleProof;
 * - MERKLE_TX_NOT_IN_PROOF: its txid (sha256d of the NON-witness serialization, so a witness tx matches the txid
 *   in the tree, never its wtxid) is not among the proof's matches.
 *
 * The caller must still check that `headerHashHex` is on the best chain (bitcoin-rules.md §4.7) and credit by txid.
 */
export function verifyTxInProof(txRaw: Uint8Array, proofRaw: Uint8Array): VerifiedTxInProof {
  let tx: Transaction;
  try {
    // A Buffer view of the same bytes (no copy): bitcoinjs-lib's reader slices every script, hash and witness item
    // out of its input, and Buffer slices are views where Uint8Array slices are copies — 2-3x faster parsing
    // (scripts/bench-proof.ts). The transaction object never leaves this function.
    tx = Transaction.fromBuffer(Buffer.from(txRaw.buffer, txRaw.byteOffset, txRaw.byteLength));
  } catch (err) {
    throw new SpvError('TX_INVALID', 'not a valid Bitcoin transaction', {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
  const strippedSize = tx.byteLength(false);
  if (strippedSize === 64) {
    throw new SpvError('MERKLE_TX_64_BYTES', 'a 64-byte transaction cannot be proven (CVE-2017-12842)', {
      size: strippedSize,
    });
  }
  const txid = txidOf(tx, txRaw, strippedSize);
  const proof = verifyMerkleProof(parseMerkleProof(proofRaw));
  const match = proof.matches.find((m) => bytesEqual(m.txid, txid));
  if (match === undefined) {
    throw new SpvError('MERKLE_TX_NOT_IN_PROOF', 'the transaction is not among the merkle proof matches', {
      txid: hashToHex(txid),
      matches: proof.matches.map((m) => m.txidHex),
    });
  }
  return { txidHex: match.txidHex, index: match.index, headerHashHex: proof.headerHashHex, root: proof.root };
}
