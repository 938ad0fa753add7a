import { Transaction } from 'bitcoinjs-lib';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual } from '../../util/bytes.js';

/**
 * Decodes the unsigned withdrawal tx of a makeBtcTx event: the non-witness serialization (BIP144 §Serialization; the
 * contract builds it without scriptSigs), at least one input and one output, no scriptSig and no witness on any
 * input, no trailing bytes, and canonical: re-serializing gives the same bytes, so the txid we compute and sign for is
 * the hash of exactly the bytes the contract stored. Anything else: SIGNER_TX_MALFORMED with `details.reason`.
 */
export function decodeUnsignedTx(unsignedTx: Uint8Array): Transaction {
  const malformed = (reason: string, details: Record<string, unknown> = {}): never => {
    throw new SpvError('SIGNER_TX_MALFORMED', `unsigned withdrawal tx rejected: ${reason}`, { reason, ...details });
  };
  let tx: Transaction;
  try {
    // fromBuffer throws on truncation and on trailing bytes ("Transaction has unexpected data").
    tx = Transaction.fromBuffer(unsignedTx);
  } catch (err) {
    return malformed('does-not-decode', { error: err instanceof Error ? err.message : String(err) });
  }
  if (tx.ins.length === 0) malformed('no-inputs');
  if (tx.outs.length === 0) malformed('no-outputs');
  tx.ins.forEach((input, index) => {
    if (input.script.length !== 0) malformed('input-has-scriptsig', { index });
    if (input.witness.length !== 0) malformed('input-has-witness', { index });
  });
  if (!bytesEqual(tx.toBuffer(), unsignedTx)) malformed('not-canonical');
  return tx;
}
