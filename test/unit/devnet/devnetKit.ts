/**
 * Test kit for the devnet: deterministic keys, BTC deposits with merkleblocks, Poly Vote/MultiSign transactions
 * (built with src/alliance/poly), BTC multisig signatures made here with @noble/curves (independent of
 * src/alliance/signer and of the devnet's own code), a raw JSON-RPC caller and bcoin as the script interpreter.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { networks, opcodes, payments, script as bjsScript, Transaction } from 'bitcoinjs-lib';
import {
  encodeMultiSignParam,
  encodeNativeInvoke,
  encodeSignedTx,
  encodeUnsignedTx,
  encodeVoteParam,
  polyBase58FromPublicKey,
  polyPublicKey,
  polyTxHash,
  signPolyTxHash,
} from '../../../src/alliance/poly/index.js';
import type { PolyCurve, Secp256k1Digest } from '../../../src/alliance/poly/index.js';
import { serializeHeader } from '../../../src/chain/header.js';
import { buildMerkleProof, merkleRoot, serializeMerkleProof } from '../../../src/merkle/index.js';
import { concatBytes, fromHex, hexToHash, reversed, toHex } from '../../../src/util/bytes.js';
import { ByteWriter } from '../../../src/util/byteWriter.js';
import { startDevnet } from '../../../scripts/devnet/devnet.js';
import type { Devnet, DevnetOptions } from '../../../scripts/devnet/devnet.js';

export const CCM_HEX = '0200000000000000000000000000000000000000';
export const CCM_RAW = reversed(fromHex(CCM_HEX));
const enc = new TextEncoder();

export function seedBytes(label: string): Uint8Array {
  return sha256(enc.encode(label));
}

// ---------------------------------------------------------------------------------------------------------------
// Poly side

export interface PolyKey {
  readonly curve: PolyCurve;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: string;
}

export function polyKey(curve: PolyCurve, label: string): PolyKey {
  const privateKey = seedBytes(`poly-key/${label}`);
  const publicKey = polyPublicKey(curve, privateKey);
  return { curve, privateKey, publicKey, address: polyBase58FromPublicKey(publicKey) };
}

export interface InvokeOptions {
  readonly nonce?: number;
  readonly contract?: Uint8Array;
  readonly chainId?: bigint;
  /** Sign with this key instead (and present its public key). */
  readonly signWith?: PolyKey;
  /** Flip a byte of the signature. */
  readonly corruptSignature?: boolean;
  readonly digest?: Secp256k1Digest;
}

let nonceCounter = 1;

/** A signed era-A native invoke tx (hex). */
export function invokeTxHex(signer: PolyKey, method: string, args: Uint8Array, o: InvokeOptions = {}): string {
  const payload = encodeNativeInvoke(o.contract ?? CCM_RAW, method, args);
  const unsigned = encodeUnsignedTx({ era: 'A', nonce: o.nonce ?? nonceCounter++, chainId: o.chainId ?? 0n, payload });
  const key = o.signWith ?? signer;
  const sig = signPolyTxHash(key.curve, polyTxHash(unsigned), key.privateKey, o.digest ?? 'keccak256');
  if (o.corruptSignature === true) sig[sig.length - 5]! ^= 0x01;
  return toHex(encodeSignedTx(unsigned, sig, key.publicKey));
}

/** Vote for a deposit, as the validator `voter` (address = its own unless `address` is given). */
export function voteTxHex(voter: PolyKey, btcTxidHex: string, o: InvokeOptions & { address?: string } = {}): string {
  const args = encodeVoteParam({ fromChainId: 0n, address: o.address ?? voter.address, txid: hexToHash(btcTxidHex) });
  return invokeTxHex(voter, 'Vote', args, o);
}

export function multiSignTxHex(submitter: PolyKey, withdrawalId: string, btcAddress: string, sigs: readonly Uint8Array[], o: InvokeOptions = {}): string {
  const args = encodeMultiSignParam({ chainId: 0n, txHash: hexToHash(withdrawalId), address: btcAddress, sigs }, 'A');
  return invokeTxHex(submitter, 'MultiSign', args, o);
}

// ---------------------------------------------------------------------------------------------------------------
// BTC side

export interface BtcKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Compressed P2PKH address on regtest. */
  readonly address: string;
}

export function btcKey(label: string): BtcKey {
  const privateKey = seedBytes(`btc-key/${label}`);
  const publicKey = secp256k1.getPublicKey(privateKey, true);
  const address = payments.p2pkh({ pubkey: publicKey, network: REGTEST_NET }).address!;
  return { privateKey, publicKey, address };
}

export const REGTEST_NET = networks.regtest;

/** m-of-n OP_CHECKMULTISIG redeem script. */
export function multisigRedeem(m: number, keys: readonly BtcKey[]): Uint8Array {
  const op = (n: number): number => opcodes.OP_1! + n - 1;
  return bjsScript.compile([op(m), ...keys.map((k) => k.publicKey), op(keys.length), opcodes.OP_CHECKMULTISIG!]);
}

export type Kind = 'bare' | 'p2sh' | 'p2wsh';

export function lockScriptOf(redeem: Uint8Array, kind: Kind): Uint8Array {
  if (kind === 'bare') return redeem;
  if (kind === 'p2sh') return payments.p2sh({ redeem: { output: redeem }, network: REGTEST_NET }).output!;
  return payments.p2wsh({ redeem: { output: redeem }, network: REGTEST_NET }).output!;
}

/** `6a 26 66 ‖ u64 toChainId ‖ i64 fee ‖ var-bytes(addr20)` (era-A Args, little-endian). */
export function opReturnArgsScript(fee = 1000n, toChainId = 2n): Uint8Array {
  const args = new ByteWriter(64).u8(0x66).u64le(toChainId).i64le(fee).varBytes(seedBytes('receiver').subarray(0, 20)).finish();
  return concatBytes(Uint8Array.of(0x6a, args.length), args);
}

/** A deposit: output 0 pays `lock`, output 1 is the OP_RETURN Args (unless `outputs` overrides both). */
export function depositTx(lock: Uint8Array, value: number, seed: string, outputs?: ReadonlyArray<{ script: Uint8Array; value: number }>): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(seedBytes(`funding/${seed}`), 0, 0xffffffff, Uint8Array.of(0x51));
  for (const o of outputs ?? [
    { script: lock, value },
    { script: opReturnArgsScript(), value: 0 },
  ]) {
    tx.addOutput(o.script, BigInt(o.value));
  }
  return tx;
}

/** A merkleblock (BIP37) proving `tx` at index 1 of a 3-tx block. */
export function merkleblockFor(tx: Transaction, seed: string): Uint8Array {
  const txids = [seedBytes(`coinbase/${seed}`), tx.getHash(), seedBytes(`other/${seed}`)];
  const header = serializeHeader({
    version: 0x20000000,
    prevHash: seedBytes(`prev/${seed}`),
    merkleRoot: merkleRoot(txids).root,
    time: 1_700_000_000,
    bits: 0x207fffff,
    nonce: 0,
  });
  return serializeMerkleProof(buildMerkleProof(txids, [1], header));
}

/** DER ‖ SIGHASH_ALL per input (legacy sighash for bare/P2SH, BIP143 for P2WSH), low S. */
export function signInputs(
  unsignedHex: string,
  inputs: ReadonlyArray<{ kind: Kind; value: number }>,
  redeem: Uint8Array,
  key: BtcKey,
  o: { hashType?: number; highS?: boolean } = {},
): Uint8Array[] {
  const tx = Transaction.fromHex(unsignedHex);
  const hashType = o.hashType ?? Transaction.SIGHASH_ALL;
  return inputs.map((input, i) => {
    const digest =
      input.kind === 'p2wsh'
        ? tx.hashForWitnessV0(i, redeem, BigInt(input.value), hashType)
        : tx.hashForSignature(i, redeem, hashType);
    const low = secp256k1.sign(digest, key.privateKey, { prehash: false, lowS: true });
    const sig = o.highS === true ? new secp256k1.Signature(low.r, secp256k1.CURVE.n - low.s) : low;
    return concatBytes(sig.toDERRawBytes(), Uint8Array.of(hashType));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON-RPC

export interface RpcReply {
  readonly jsonrpc?: string;
  readonly error: number;
  readonly desc?: string;
  readonly result: unknown;
  readonly id: unknown;
}

export async function rpc(url: string, method: string, params: unknown, id: unknown = 1): Promise<RpcReply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id }),
  });
  assert.equal(res.status, 200);
  return JSON.parse(await res.text()) as RpcReply;
}

/** Calls and asserts success. */
export async function call<T = unknown>(url: string, method: string, params: unknown): Promise<T> {
  const reply = await rpc(url, method, params);
  assert.equal(reply.error, 0, `${method} failed: ${JSON.stringify(reply)}`);
  return reply.result as T;
}

export interface Notify {
  readonly ContractAddress: string;
  readonly States: unknown;
}

export interface ExecuteNotify {
  readonly TxHash: string;
  readonly State: number;
  readonly GasConsumed: number;
  readonly Notify: Notify[];
}

/** Sends a tx and returns its ExecuteNotify (the block it landed in). */
export async function send(url: string, txHex: string): Promise<ExecuteNotify> {
  const hash = await call<string>(url, 'sendrawtransaction', [txHex]);
  const ev = await call<ExecuteNotify | null>(url, 'getsmartcodeevent', [hash]);
  assert.ok(ev !== null, 'accepted tx has an event');
  return ev;
}

export function statesOf(ev: ExecuteNotify): unknown[][] {
  return ev.Notify.map((n) => n.States as unknown[]);
}

// ---------------------------------------------------------------------------------------------------------------
// A running devnet with 3 voters and a 2-of-3 multisig

export interface Kit {
  readonly devnet: Devnet;
  readonly url: string;
  readonly voters: readonly PolyKey[];
  readonly outsider: PolyKey;
  readonly btcKeys: readonly BtcKey[];
  readonly redeem: Uint8Array;
}

export async function startKit(overrides: Partial<DevnetOptions> = {}): Promise<Kit> {
  const voters = [polyKey('P-256', 'v0'), polyKey('secp256k1', 'v1'), polyKey('P-256', 'v2')];
  const btcKeys = [btcKey('k0'), btcKey('k1'), btcKey('k2')];
  const redeem = multisigRedeem(2, btcKeys);
  const devnet = await startDevnet({
    voters: voters.map((v) => v.address),
    redeemScript: redeem,
    btcNetwork: 'regtest',
    blocksToWait: 6,
    changeKind: 'p2sh',
    feeRate: 2,
    ...overrides,
  });
  return { devnet, url: devnet.url, voters, outsider: polyKey('P-256', 'outsider'), btcKeys, redeem };
}

/** Relays a deposit paying the multisig as `kind`; returns its txid. */
export async function relayDeposit(kit: Kit, kind: Kind, value: number, seed: string): Promise<string> {
  const tx = depositTx(lockScriptOf(kit.redeem, kind), value, seed);
  const r = await call<{ txid: string }>(kit.url, 'devnet_submitDeposit', [tx.toHex(), toHex(merkleblockFor(tx, seed)), 100]);
  assert.equal(r.txid, tx.getId());
  return r.txid;
}

/** Relays a deposit and votes it through with voters 0 and 1. */
export async function fund(kit: Kit, kind: Kind, value: number, seed: string): Promise<string> {
  const txid = await relayDeposit(kit, kind, value, seed);
  for (const v of kit.voters.slice(0, 2)) assert.equal((await send(kit.url, voteTxHex(v, txid))).State, 1);
  return txid;
}

// ---------------------------------------------------------------------------------------------------------------
// bcoin as an independent script interpreter

interface BcoinInput {
  readonly prevout: unknown;
}
interface BcoinTx {
  readonly inputs: readonly BcoinInput[];
  check(view: unknown, flags?: number): void;
  verify(view: unknown, flags?: number): boolean;
  getVirtualSize(): number;
}
interface Bcoin {
  TX: { fromRaw(raw: Buffer): BcoinTx };
  CoinView: new () => { addOutput(prevout: unknown, output: unknown): void };
  Output: { fromScript(script: unknown, value: number): unknown };
  Script: { fromRaw(raw: Buffer): unknown };
}

const bcoin = createRequire(import.meta.url)('bcoin') as Bcoin;

type Coins = ReadonlyArray<{ script: Uint8Array; value: number }>;

function bcoinTxAndView(txHex: string, spent: Coins): { tx: BcoinTx; view: unknown } {
  const tx = bcoin.TX.fromRaw(Buffer.from(txHex, 'hex'));
  const view = new bcoin.CoinView();
  tx.inputs.forEach((input, i) => {
    const coin = spent[i];
    assert.ok(coin !== undefined, `coin for input ${i}`);
    view.addOutput(input.prevout, bcoin.Output.fromScript(bcoin.Script.fromRaw(Buffer.from(coin.script)), coin.value));
  });
  return { tx, view };
}

/** Verifies every input of `txHex` under bcoin's standard script flags, spending the given coins. */
export function bcoinVerify(txHex: string, spent: Coins): { vsize: number } {
  const { tx, view } = bcoinTxAndView(txHex, spent);
  assert.doesNotThrow(() => tx.check(view), 'bcoin script check');
  assert.equal(tx.verify(view), true);
  return { vsize: tx.getVirtualSize() };
}

/** bcoin's verdict without asserting (to show a tampered tx fails). */
export function bcoinAccepts(txHex: string, spent: Coins): boolean {
  const { tx, view } = bcoinTxAndView(txHex, spent);
  return tx.verify(view);
}
