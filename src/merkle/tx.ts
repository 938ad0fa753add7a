import { SpvError } from '../errors/spvError.js';
import { bytesEqual, hashToHex } from '../util/bytes.js';
import { parseMerkleProof } from './parse.js';
import type { VerifiedTxInProof } from './types.js';
import { scanTx } from './txScan.js';
import { verifyMerkleProof } from './verify.js';

/**
 * Proves that a transaction is in the block whose header the proof carries:
 *
 * - TX_INVALID: `txRaw` is not exactly one transaction (scanTx: canonical CompactSizes, inputs and outputs, BIP144
 *   witness serialization allowed, nothing after the locktime).
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
  const { txid, strippedSize } = scanTx(txRaw);
  if (strippedSize === 64) {
    throw new SpvError('MERKLE_TX_64_BYTES', 'a 64-byte transaction cannot be proven (CVE-2017-12842)', {
      size: strippedSize,
    });
  }
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
