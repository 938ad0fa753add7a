import { Transaction } from 'bitcoinjs-lib';
import { fromHexOrNull } from '../util/bytes.js';
import { RestError } from './envelope.js';

/**
 * Decodes a raw transaction at the edge and checks what a node would reject before looking at scripts: it must
 * parse completely (no trailing bytes), spend at least one input, pay at least one output and not be a coinbase.
 */
export function decodeTransaction(hex: string): { raw: Uint8Array; txid: string } {
  const raw = fromHexOrNull(hex);
  if (raw === null || raw.length === 0) throw new RestError(400, 'INVALID_PARAMS', 'tx must be non-empty hex');
  let tx: Transaction;
  try {
    tx = Transaction.fromBuffer(raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RestError(400, 'ILLEGAL_DATAFORMAT', `tx is not a valid Bitcoin transaction: ${reason}`);
  }
  if (tx.ins.length === 0 || tx.outs.length === 0) {
    throw new RestError(400, 'ILLEGAL_DATAFORMAT', 'tx has no inputs or no outputs');
  }
  if (tx.isCoinbase()) throw new RestError(400, 'ILLEGAL_DATAFORMAT', 'a coinbase transaction cannot be broadcast');
  return { raw, txid: tx.getId() };
}
