import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1';
import { Transaction } from 'bitcoinjs-lib';
import { REGTEST } from '../../../../src/chain/params.js';
import type { DepositPolicy } from '../../../../src/alliance/deposit/index.js';
import { depositScriptsFor } from '../../../../src/alliance/deposit/index.js';
import type { BtcProof } from '../../../../src/alliance/poly/index.js';
import { buildMerkleProof, merkleRoot, serializeMerkleProof } from '../../../../src/merkle/index.js';
import { ChainService } from '../../../../src/store/chainService.js';
import { inThreadPowVerifier } from '../../../../src/store/powVerifier.js';
import { ByteWriter } from '../../../../src/util/byteWriter.js';
import { concatBytes } from '../../../../src/util/bytes.js';
import { ChainBuilder } from '../../../helpers/chainBuilder.js';
import type { BuiltHeader } from '../../../helpers/chainBuilder.js';
import { tempDir } from '../../../helpers/tmp.js';

/** Deterministic secp256k1 keys: private keys 1, 2, 3, … (never use outside tests). */
export function testPubkey(i: number, compressed = true): Uint8Array {
  const priv = new Uint8Array(32);
  new DataView(priv.buffer).setUint32(28, i, false);
  return secp256k1.getPublicKey(priv, compressed);
}

/** `OP_m <keys> OP_n OP_CHECKMULTISIG`, keys as given (small m and n only). */
export function multisig(m: number, keys: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter().u8(0x50 + m);
  for (const k of keys) w.u8(k.length).bytes(k);
  return w.u8(0x50 + keys.length).u8(0xae).finish();
}

/** The bridge's 2-of-3 redeem used by most tests. */
export const REDEEM = multisig(2, [testPubkey(1), testPubkey(2), testPubkey(3)]);
export const SCRIPTS = depositScriptsFor(REDEEM);

export function scriptFor(kind: 'bare' | 'p2sh' | 'p2wsh', redeem: Uint8Array = REDEEM): Uint8Array {
  const s = depositScriptsFor(redeem)[kind];
  assert.ok(s !== null, `no ${kind} script for this redeem`);
  return s;
}

export function policy(overrides: Partial<DepositPolicy> = {}): DepositPolicy {
  return { redeemScript: REDEEM, minConfirmations: 1, argsLayout: 'A3', allowTrailingArgs: false, ...overrides };
}

export const ADDRESS20 = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);

/** flag 0x66 ‖ u64 LE chain ‖ i64 LE fee ‖ var-bytes address (layout A3). */
export function a3Payload(chain: bigint, fee: bigint, address: Uint8Array = ADDRESS20): Uint8Array {
  return new ByteWriter().u8(0x66).u64le(chain).i64le(fee).varBytes(address).finish();
}

/** Layout A4: … ‖ var-bytes ToContractAddress ‖ var-bytes Address. */
export function a4Payload(chain: bigint, fee: bigint, contract: Uint8Array, address: Uint8Array): Uint8Array {
  return new ByteWriter().u8(0x66).u64le(chain).i64le(fee).varBytes(contract).varBytes(address).finish();
}

/** OP_RETURN with one push: a direct push (≤ 75 bytes) or OP_PUSHDATA1. */
export function opReturn(payload: Uint8Array, push: 'direct' | 'PUSHDATA1' = 'direct'): Uint8Array {
  const w = new ByteWriter().u8(0x6a);
  if (push === 'direct') {
    assert.ok(payload.length <= 75);
    w.u8(payload.length);
  } else {
    w.u8(0x4c).u8(payload.length);
  }
  return w.bytes(payload).finish();
}

export interface TxOut {
  readonly script: Uint8Array;
  readonly value: bigint;
}

export interface DepositTxOptions {
  /** Default: pays SCRIPTS.p2sh 100,000 sats, then OP_RETURN A3(chain 2, fee 1,000). */
  readonly outputs?: readonly TxOut[];
  /** Distinguishes otherwise equal txs (the fake funding outpoint's index). */
  readonly salt?: number;
  /** Give the input a witness, so the tx is serialized with BIP144 marker and flag. */
  readonly witness?: boolean;
}

export const DEFAULT_VALUE = 100_000n;

export function defaultOutputs(script: Uint8Array = scriptFor('p2sh')): TxOut[] {
  return [
    { script, value: DEFAULT_VALUE },
    { script: opReturn(a3Payload(2n, 1_000n)), value: 0n },
  ];
}

/** A deposit-shaped tx spending a fake outpoint (the verifier does not look at inputs). */
export function depositTx(opts: DepositTxOptions = {}): { raw: Uint8Array; txid: string; hash: Uint8Array } {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(new Uint8Array(32).fill(0x42), opts.salt ?? 0, 0xfffffffd);
  for (const o of opts.outputs ?? defaultOutputs()) tx.addOutput(o.script, o.value);
  if (opts.witness === true) tx.setWitness(0, [new Uint8Array(72).fill(0x30), testPubkey(9)]);
  return { raw: tx.toBuffer(), txid: tx.getId(), hash: tx.getHash(false) };
}

/** A coinbase-shaped tx (null outpoint, BIP34 height push) paying `outputs`. */
export function coinbaseTx(height: number, outputs: readonly TxOut[] = [{ script: Uint8Array.of(0x51), value: 50n }]): Uint8Array {
  const tx = new Transaction();
  tx.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, concatBytes(Uint8Array.of(4), u32le(height), Uint8Array.of(0x00)));
  for (const o of outputs) tx.addOutput(o.script, o.value);
  return tx.toBuffer();
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** Some unrelated txs to fill a block. */
export function fillerTx(n: number): Uint8Array {
  const tx = new Transaction();
  tx.addInput(new Uint8Array(32).fill(0x17), n);
  tx.addOutput(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(n & 0xff)), 5_000n + BigInt(n));
  return tx.toBuffer();
}

export function txidOf(raw: Uint8Array): Uint8Array {
  return Transaction.fromBuffer(raw).getHash(false);
}

export interface MinedBlock {
  readonly header: BuiltHeader;
  readonly txs: readonly Uint8Array[];
  readonly txids: readonly Uint8Array[];
}

/** Proof bytes for `indexes` of a block (Core's CPartialMerkleTree construction). */
export function proofBytes(block: MinedBlock, indexes: readonly number[]): Uint8Array {
  return serializeMerkleProof(buildMerkleProof(block.txids, indexes, block.header.raw));
}

/** Mines a header committing to `txs` (their merkle root) on `builder`, not connected anywhere. */
export function mineBlock(builder: ChainBuilder, txs: readonly Uint8Array[]): MinedBlock {
  const txids = txs.map(txidOf);
  const header = builder.next({ merkleRoot: merkleRoot(txids).root });
  return { header, txs, txids };
}

/** A block: coinbase, `before` fillers, the given txs, `after` fillers. Returns it and the txs' indexes. */
export function blockWith(
  builder: ChainBuilder,
  txs: readonly Uint8Array[],
  before = 2,
  after = 2,
): { block: MinedBlock; indexes: number[] } {
  const height = builder.tipHeight + 1;
  const all = [coinbaseTx(height)];
  for (let i = 0; i < before; i++) all.push(fillerTx(height * 100 + i));
  const indexes = txs.map((t) => all.push(t) - 1);
  for (let i = 0; i < after; i++) all.push(fillerTx(height * 100 + 50 + i));
  return { block: mineBlock(builder, all), indexes };
}

export function btcProof(tx: Uint8Array, proof: Uint8Array, height: number, blocksToWait: bigint): BtcProof {
  return { tx, proof, height, blocksToWait };
}

export interface DepositChain {
  readonly chain: ChainService;
  readonly builder: ChainBuilder;
  /** Connects headers to the service; asserts they are accepted. */
  connect(...headers: BuiltHeader[]): Promise<void>;
  /** Mines and connects `n` empty-ish headers on the main builder. */
  mine(n: number): Promise<void>;
}

/** A real ChainService (regtest, temp LevelDB, in-thread PoW) with `initial` headers, closed after `fn`. */
export async function withDepositChain(initial: number, fn: (c: DepositChain) => Promise<void>): Promise<void> {
  const dir = tempDir('spv-deposit-');
  const chain = new ChainService({ params: REGTEST, storePath: dir.path, start: { kind: 'genesis' }, pow: inThreadPowVerifier() });
  try {
    await chain.ready();
    const builder = new ChainBuilder(REGTEST);
    const connect = async (...headers: BuiltHeader[]): Promise<void> => {
      const raw = new Uint8Array(headers.length * 80);
      headers.forEach((h, i) => raw.set(h.raw, i * 80));
      const r = await chain.connectHeaders(raw);
      assert.ok(r.outcome !== 'invalid' && r.outcome !== 'unconnected', `headers not stored: ${r.outcome}`);
    };
    const mine = async (n: number): Promise<void> => {
      if (n > 0) await connect(...builder.extend(n).headers);
    };
    await mine(initial);
    await fn({ chain, builder, connect, mine });
  } finally {
    await chain.close();
    dir.cleanup();
  }
}
