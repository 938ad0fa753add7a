import type { PlannedOutput, UtxoRecord } from '../protocol/allianceRecords.js';
import { fromHex } from '../util/bytes.js';
import { classifyDepositOutput } from './deposit/index.js';
import { AllianceStore } from './store/allianceStore.js';
import type { StoreOp } from './store/allianceStore.js';

/**
 * The change outputs (paying the multisig) of a relayed withdrawal, as coins of the multisig under the final txid
 * (for P2SH and bare inputs it differs from the unsigned id: the txid covers the scriptSigs).
 */
export function changeUtxoOps(outputs: readonly PlannedOutput[], finalTxid: string, redeem: Uint8Array): StoreOp[] {
  const ops: StoreOp[] = [];
  outputs.forEach((o, vout) => {
    if (!o.change) return;
    const kind = classifyDepositOutput(fromHex(o.scriptHex), redeem);
    if (kind === null) return;
    const utxo: UtxoRecord = { txid: finalTxid, vout, value: o.value, kind, source: 'change', committedTo: null };
    ops.push(AllianceStore.putUtxo(utxo));
  });
  return ops;
}
