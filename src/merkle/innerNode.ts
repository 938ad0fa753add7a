import { isSpvError } from '../errors/spvError.js';
import { Cursor, skipInputs, skipOutputs, skipWitnesses } from './txScan.js';

/**
 * True when these bytes read as a Bitcoin transaction serialization, deliberately more widely than a valid
 * transaction: the plain form with any input and output counts (zero included) or the BIP144 extended form
 * (marker 0x00, flag 0x01) with a witness that is not all empty, canonical CompactSizes, nothing trailing.
 * This is the set bitcoinjs-lib's Transaction.fromBuffer accepts and re-serializes to the same bytes; it holds
 * every transaction a block can contain, so erring wide only ever rejects more proofs.
 *
 * Used on the 64-byte preimage left ‖ right of every inner node a proof makes us compute. If that preimage is a
 * transaction, the node's hash is also that transaction's txid, so the tree is ambiguous about what a leaf is
 * (CVE-2017-12842; Lerner 2018, "Leaf-node weakness in Bitcoin merkle tree design"). Electrum
 * (electrum/verifier.py _raise_if_valid_tx) and RSK reject such proofs; so do we (MERKLE_INNER_NODE_IS_TX).
 * A walk over the bytes rather than a bitcoinjs-lib parse: the chain worker does not load bitcoinjs-lib for it.
 */
export function parsesAsTransaction(bytes: Uint8Array): boolean {
  // Exact shortcut for 64 bytes: byte 4 is the input count (or the segwit marker 0). Two or more inputs need at
  // least 4 + 1 + 2 * 41 > 64 bytes; a non-canonical CompactSize (0xfd..0xff) does not round-trip. Only 0 and 1
  // can pass, and random hashes rarely start a half with them.
  if (bytes.length === 64 && bytes[4]! > 1) return false;
  try {
    return readsAsTransaction(bytes);
  } catch (err) {
    if (isSpvError(err)) return false;
    throw err;
  }
}

function readsAsTransaction(bytes: Uint8Array): boolean {
  const c = new Cursor(bytes);
  c.skip(4); // version
  const extended = bytes.length > 5 && bytes[4] === 0x00 && bytes[5] === 0x01;
  if (extended) c.skip(2);
  const inputs = c.compactSize();
  skipInputs(c, inputs);
  skipOutputs(c, c.compactSize());
  // An extended serialization without witness data re-serializes in the plain form: not these bytes.
  if (extended && skipWitnesses(c, inputs) === 0) return false;
  c.skip(4); // locktime
  return c.pos === bytes.length;
}
