/**
 * Shared builders for the signer tests: deterministic keys, a 2-of-3 redeem built with bitcoinjs-lib's p2ms (not
 * our parser), a funding tx paying the multisig's P2SH / P2WSH / bare scripts, and an in-memory UtxoLookup.
 */
import { sha256 } from '@noble/hashes/sha2';
import { Transaction, payments } from 'bitcoinjs-lib';
import type { BtcKey, KnownUtxo, SignerPolicy, SpendKind, UtxoLookup } from '../../../../src/alliance/signer/index.js';
import { parseBtcKey } from '../../../../src/alliance/signer/index.js';
import { toHex } from '../../../../src/util/bytes.js';
import { mulberry32 } from '../../../helpers/random.js';

/** A deterministic key (sha256 of a label; far from 0 and n). */
export function testKey(label: string): BtcKey {
  return parseBtcKey(toHex(sha256(new TextEncoder().encode(label))), 'regtest');
}

export const KEYS = [testKey('signer-key-a'), testKey('signer-key-b'), testKey('signer-key-c')] as const;
export const OUTSIDER = testKey('signer-key-outsider');

export function multisigRedeem(m: number, keys: readonly BtcKey[]): Uint8Array {
  const out = payments.p2ms({ m, pubkeys: keys.map((k) => k.publicKey) }).output;
  if (out === undefined) throw new Error('p2ms produced no output');
  return out;
}

export const REDEEM = multisigRedeem(2, KEYS);
export const P2SH_SCRIPT = payments.p2sh({ redeem: { output: REDEEM } }).output!;
export const P2WSH_SCRIPT = payments.p2wsh({ redeem: { output: REDEEM } }).output!;

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** A tx paying the multisig: output 0 P2SH 1 BTC, 1 P2WSH 2 BTC, 2 bare 0.5 BTC, 3 P2SH 0.3 BTC. */
export function fundingTx(seed = 1): Transaction {
  const rand = mulberry32(seed);
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(randomBytes(rand, 32), 0);
  tx.addOutput(P2SH_SCRIPT, 100_000_000n);
  tx.addOutput(P2WSH_SCRIPT, 200_000_000n);
  tx.addOutput(REDEEM, 50_000_000n);
  tx.addOutput(P2SH_SCRIPT, 30_000_000n);
  return tx;
}

export const FUNDING = fundingTx();
export const FUNDING_TXID = FUNDING.getId();
const KIND_BY_VOUT: readonly SpendKind[] = ['p2sh', 'p2wsh', 'bare', 'p2sh'];

/** The multisig's UTXOs from FUNDING; `committed` marks outpoints (`txid:vout`) as spent by a signed withdrawal id. */
export class MemoryUtxos implements UtxoLookup {
  readonly committed = new Map<string, string>();
  readonly extra = new Map<string, KnownUtxo>();

  get(txid: string, vout: number): KnownUtxo | null {
    const key = `${txid}:${vout}`;
    const extra = this.extra.get(key);
    if (extra !== undefined) return extra;
    if (txid !== FUNDING_TXID) return null;
    const out = FUNDING.outs[vout];
    const kind = KIND_BY_VOUT[vout];
    if (out === undefined || kind === undefined) return null;
    return { txid, vout, value: out.value, kind, committedTo: this.committed.get(key) ?? null };
  }
}

export function policy(overrides: Partial<SignerPolicy> = {}): SignerPolicy {
  return {
    redeemScript: REDEEM,
    maxOutputs: 10,
    maxFeeRate: 500,
    maxOutputValue: null,
    dustLimit: 546n,
    network: 'regtest',
    ...overrides,
  };
}

/** Destination scripts of every standard kind (hashes from a fixed seed). */
export function destinations(seed = 7): { p2pkh: Uint8Array; p2wpkh: Uint8Array; p2sh: Uint8Array; p2wsh: Uint8Array; p2tr: Uint8Array } {
  const rand = mulberry32(seed);
  const h20 = (): Uint8Array => randomBytes(rand, 20);
  const h32 = (): Uint8Array => randomBytes(rand, 32);
  return {
    p2pkh: Uint8Array.of(0x76, 0xa9, 20, ...h20(), 0x88, 0xac),
    p2wpkh: Uint8Array.of(0x00, 20, ...h20()),
    p2sh: Uint8Array.of(0xa9, 20, ...h20(), 0x87),
    p2wsh: Uint8Array.of(0x00, 32, ...h32()),
    p2tr: Uint8Array.of(0x51, 32, ...h32()),
  };
}

export interface SpendSpec {
  readonly inputs: readonly number[]; // vouts of FUNDING
  readonly outputs: readonly { readonly script: Uint8Array; readonly value: bigint }[];
}

/** The unsigned (non-witness, empty scriptSig) withdrawal tx, as the contract's makeBtcTx carries it. */
export function unsignedWithdrawal(spec: SpendSpec): Uint8Array {
  const tx = new Transaction();
  tx.version = 1;
  for (const vout of spec.inputs) tx.addInput(FUNDING.getHash(), vout);
  for (const o of spec.outputs) tx.addOutput(o.script, o.value);
  return tx.toBuffer();
}
