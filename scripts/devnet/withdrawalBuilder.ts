/**
 * Builds the unsigned withdrawal the devnet contract announces in `makeBtcTx`: largest multisig UTXOs first, the
 * payments in request order, fee = feeRate × the signed vsize upper bound, change back to the multisig last when it
 * is at least the dust limit (else it is left to the fee). Version 2, locktime 0, sequence 0xffffffff, empty
 * scriptSigs (what the signer expects to fill in).
 */
import { Transaction } from 'bitcoinjs-lib';
import { hexToHash } from '../../src/util/bytes.js';
import type { MultisigRedeem, UtxoKind } from './btcMultisig.js';
import { estimateSignedVsize, lockScript } from './btcMultisig.js';

/** Core's dust threshold for a P2PKH output at 3 sat/vB (policy.cpp GetDustThreshold): change below it is dropped. */
export const DUST_LIMIT = 546;

export interface SpendableUtxo {
  /** Display hex. */
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
  readonly kind: UtxoKind;
}

export interface WithdrawalOutput {
  readonly script: Uint8Array;
  readonly value: number;
}

export interface BuiltWithdrawal {
  readonly tx: Transaction;
  readonly inputs: readonly SpendableUtxo[];
  readonly fee: number;
  readonly change: number;
  readonly vsize: number;
}

export interface BuildOptions {
  readonly redeem: MultisigRedeem;
  readonly changeKind: UtxoKind;
  /** sat/vbyte. */
  readonly feeRate: number;
}

/** Largest value first; ties by txid then vout so the choice is deterministic. */
function byValueDesc(a: SpendableUtxo, b: SpendableUtxo): number {
  if (a.value !== b.value) return b.value - a.value;
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.vout - b.vout;
}

/** null when the UTXOs cannot pay the outputs plus the fee. */
export function buildWithdrawal(
  available: readonly SpendableUtxo[],
  outputs: readonly WithdrawalOutput[],
  opts: BuildOptions,
): BuiltWithdrawal | null {
  const total = outputs.reduce((s, o) => s + o.value, 0);
  const changeScript = lockScript(opts.redeem, opts.changeKind);
  const payScripts = outputs.map((o) => o.script);
  const feeFor = (kinds: UtxoKind[], withChange: boolean): { fee: number; vsize: number } => {
    const vsize = estimateSignedVsize(opts.redeem, kinds, withChange ? [...payScripts, changeScript] : payScripts);
    return { fee: Math.ceil(opts.feeRate * vsize), vsize };
  };

  const chosen: SpendableUtxo[] = [];
  let sum = 0;
  for (const u of [...available].sort(byValueDesc)) {
    chosen.push(u);
    sum += u.value;
    const kinds = chosen.map((c) => c.kind);
    const withChange = feeFor(kinds, true);
    const change = sum - total - withChange.fee;
    if (change >= DUST_LIMIT) return assemble(chosen, outputs, { script: changeScript, value: change }, withChange.fee, withChange.vsize);
    const noChange = feeFor(kinds, false);
    if (sum - total >= noChange.fee) return assemble(chosen, outputs, null, sum - total, noChange.vsize);
  }
  return null;
}

function assemble(
  inputs: readonly SpendableUtxo[],
  outputs: readonly WithdrawalOutput[],
  change: WithdrawalOutput | null,
  fee: number,
  vsize: number,
): BuiltWithdrawal {
  const tx = new Transaction();
  tx.version = 2;
  tx.locktime = 0;
  for (const u of inputs) tx.addInput(hexToHash(u.txid), u.vout, 0xffffffff);
  for (const o of outputs) tx.addOutput(o.script, BigInt(o.value));
  if (change !== null) tx.addOutput(change.script, BigInt(change.value));
  return { tx, inputs, fee, change: change?.value ?? 0, vsize };
}
