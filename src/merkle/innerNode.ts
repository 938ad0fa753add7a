import { Transaction } from 'bitcoinjs-lib';
import { bytesEqual } from '../util/bytes.js';

/**
 * True when these bytes are a Bitcoin transaction serialization: bitcoinjs-lib's Transaction.fromBuffer accepts them
 * (witness form allowed) and re-serializes them to the very same bytes.
 *
 * Used on the 64-byte preimage left ‖ right of every inner node a proof makes us compute. If that preimage is a
 * transaction, the node's hash is also that transaction's txid, so the tree is ambiguous about what a leaf is
 * (CVE-2017-12842; Lerner 2018, "Leaf-node weakness in Bitcoin merkle tree design"). Electrum
 * (electrum/verifier.py _raise_if_valid_tx) and RSK reject such proofs; so do we (MERKLE_INNER_NODE_IS_TX).
 */
export function parsesAsTransaction(bytes: Uint8Array): boolean {
  // Exact shortcut for 64 bytes: byte 4 is the input count (or the segwit marker 0). Two or more inputs need at
  // least 4 + 1 + 2 * 41 > 64 bytes, so fromBuffer would throw; a non-canonical CompactSize (0xfd..0xff) either
  // throws or re-serializes shorter. Only 0 and 1 can pass, and random hashes rarely start a half with them.
  if (bytes.length === 64 && bytes[4]! > 1) return false;
  try {
    const tx = Transaction.fromBuffer(bytes);
    return bytesEqual(tx.toBuffer(), bytes);
  } catch {
    return false;
  }
}
