/**
 * Poly transaction bytes.
 * - Era A/B: polynetwork/poly @ 3dff22ba : core/types/transaction.go (ver, type, nonce, chainId, payload, attrs).
 * - Era C:   polynetwork/poly @ eb4489ee : core/types/transaction.go (+ gasLimit, gasPrice, payer, coinType).
 * - Invoke code: native/states/contract.go `ContractInvokeParam` (polynetwork/poly-go-sdk @ 7af2e94 : native_contract.go).
 * - Sig: core/types/transaction.go `Sig` (u16 n ‖ sigs, u16 k ‖ pubkeys, u16 M).
 * All integers little-endian; var-bytes = CompactSize length + bytes (common/zero_copy_sink.go).
 */
import { sha256 } from '@noble/hashes/sha2';
import { SpvError } from '../../errors/spvError.js';
import { ByteReader } from '../../util/byteReader.js';
import { ByteWriter } from '../../util/byteWriter.js';
import { hashToHex } from '../../util/bytes.js';

export type PolyTxEra = 'A' | 'C';

export const TX_VERSION = 0x00;
export const TX_TYPE_INVOKE = 0xd1;
/** Native contract invoke version byte. */
export const NATIVE_INVOKE_VERSION = 0x00;

const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;
const MAX_FIELD = 1 << 20;

export interface UnsignedPolyTx {
  readonly era: PolyTxEra;
  readonly nonce: number;
  readonly chainId: bigint;
  /** The invoke code (see encodeNativeInvoke). */
  readonly payload: Uint8Array;
  /** Era C only; default 0. */
  readonly gasLimit?: bigint;
  /** Era C only; default 0. */
  readonly gasPrice?: bigint;
  /** Era C only; 20 bytes, default zero. */
  readonly payer?: Uint8Array;
}

export interface NativeInvoke {
  readonly contract: Uint8Array;
  readonly method: string;
  readonly args: Uint8Array;
}

function checkU64(v: bigint, what: string): void {
  if (v < 0n || v > U64_MAX) throw new SpvError('POLY_PARAM_MALFORMED', `${what} out of u64 range`);
}

/** `0x00 ‖ 20 raw contract address bytes ‖ var-bytes(method) ‖ var-bytes(args)`. */
export function encodeNativeInvoke(contract: Uint8Array, method: string, args: Uint8Array): Uint8Array {
  if (contract.length !== 20) throw new SpvError('POLY_PARAM_MALFORMED', 'contract address must be 20 bytes');
  return new ByteWriter(64 + args.length)
    .u8(NATIVE_INVOKE_VERSION)
    .bytes(contract)
    .varString(method)
    .varBytes(args)
    .finish();
}

export function decodeNativeInvoke(code: Uint8Array): NativeInvoke {
  const r = new ByteReader(code, 'POLY_PARAM_MALFORMED');
  const version = r.u8();
  if (version !== NATIVE_INVOKE_VERSION) r.fail('unknown native invoke version', { version });
  const contract = r.bytesCopy(20, 'contract');
  const method = new TextDecoder().decode(r.varBytes(MAX_FIELD, 'method'));
  const args = r.varBytes(MAX_FIELD, 'args');
  r.end();
  return { contract, method, args };
}

/** The unsigned transaction bytes (what the hash covers). */
export function encodeUnsignedTx(tx: UnsignedPolyTx): Uint8Array {
  if (!Number.isInteger(tx.nonce) || tx.nonce < 0 || tx.nonce > U32_MAX) {
    throw new SpvError('POLY_PARAM_MALFORMED', 'nonce out of u32 range');
  }
  checkU64(tx.chainId, 'chainId');
  const w = new ByteWriter(64 + tx.payload.length).u8(TX_VERSION).u8(TX_TYPE_INVOKE).u32le(tx.nonce).u64le(tx.chainId);
  if (tx.era === 'C') {
    const gasLimit = tx.gasLimit ?? 0n;
    const gasPrice = tx.gasPrice ?? 0n;
    checkU64(gasLimit, 'gasLimit');
    checkU64(gasPrice, 'gasPrice');
    w.u64le(gasLimit).u64le(gasPrice);
  }
  w.varBytes(tx.payload).u8(0x00); // attributes: always empty (MAX_ATTRIBUTES_LEN = 0)
  if (tx.era === 'C') {
    const payer = tx.payer ?? new Uint8Array(20);
    if (payer.length !== 20) throw new SpvError('POLY_PARAM_MALFORMED', 'payer must be 20 bytes');
    w.bytes(payer).u8(0x00); // coinType 0
  }
  return w.finish();
}

/** Tx hash, internal order: SHA256(SHA256(unsigned)). */
export function polyTxHash(unsigned: Uint8Array): Uint8Array {
  return sha256(sha256(unsigned));
}

/** Tx hash as RPC shows/accepts it (byte-reversed hex). */
export function polyTxHashHex(unsigned: Uint8Array): string {
  return hashToHex(polyTxHash(unsigned));
}

/** unsigned ‖ var-uint(1) ‖ Sig{ u16 1 ‖ var-bytes(sig) ‖ u16 1 ‖ var-bytes(pk) ‖ u16 1 }. */
export function encodeSignedTx(unsigned: Uint8Array, signature: Uint8Array, serializedPublicKey: Uint8Array): Uint8Array {
  return new ByteWriter(unsigned.length + 160)
    .bytes(unsigned)
    .varint(1)
    .u16le(1)
    .varBytes(signature)
    .u16le(1)
    .varBytes(serializedPublicKey)
    .u16le(1)
    .finish();
}

export interface PolyTxSig {
  readonly sigs: readonly Uint8Array[];
  readonly publicKeys: readonly Uint8Array[];
  readonly m: number;
}

export interface DecodedPolyTx extends UnsignedPolyTx {
  readonly gasLimit: bigint;
  readonly gasPrice: bigint;
  readonly payer: Uint8Array;
  /** The unsigned bytes (hash input). */
  readonly unsigned: Uint8Array;
  readonly hash: Uint8Array;
  readonly sigs: readonly PolyTxSig[];
}

/** Independent decoder (for the fake node and tests): the whole signed tx, trailing bytes rejected. */
export function decodeSignedTx(raw: Uint8Array, era: PolyTxEra): DecodedPolyTx {
  const r = new ByteReader(raw, 'POLY_PARAM_MALFORMED');
  const version = r.u8();
  if (version !== TX_VERSION) r.fail('unsupported tx version', { version });
  const type = r.u8();
  if (type !== TX_TYPE_INVOKE) r.fail('unsupported tx type', { type });
  const nonce = r.u32le();
  const chainId = r.u64le();
  let gasLimit = 0n;
  let gasPrice = 0n;
  if (era === 'C') {
    gasLimit = r.u64le();
    gasPrice = r.u64le();
  }
  const payload = r.varBytes(MAX_FIELD, 'payload');
  const attrs = r.varint();
  if (attrs !== 0) r.fail('attributes must be empty', { attrs });
  let payer: Uint8Array = new Uint8Array(20);
  if (era === 'C') {
    payer = r.bytesCopy(20, 'payer');
    const coinType = r.u8();
    if (coinType !== 0) r.fail('coinType must be 0', { coinType });
  }
  const unsigned = raw.slice(0, r.offset);
  const nSigs = r.count(16, 6, 'sigs');
  const sigs: PolyTxSig[] = [];
  for (let i = 0; i < nSigs; i++) {
    const n = r.u16le();
    const sigList: Uint8Array[] = [];
    for (let j = 0; j < n; j++) sigList.push(r.varBytes(256, 'sigData'));
    const k = r.u16le();
    const keys: Uint8Array[] = [];
    for (let j = 0; j < k; j++) keys.push(r.varBytes(256, 'pubkey'));
    const m = r.u16le();
    sigs.push({ sigs: sigList, publicKeys: keys, m });
  }
  r.end();
  return { era, nonce, chainId, gasLimit, gasPrice, payload, payer, unsigned, hash: polyTxHash(unsigned), sigs };
}
