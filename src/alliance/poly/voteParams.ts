/**
 * Cross-chain-manager native-call args (polynetwork/poly native/service/cross_chain_manager/common/param.go):
 * - `VoteParam` (era A from e0c79b8a): u64 FromChainID ‖ var-bytes(base58 address ASCII) ‖ var-bytes(BTC txid, internal).
 * - `MultiSignParam`: u64 ChainID ‖ [era C, f2fe219e: var-bytes RedeemKey] ‖ var-bytes TxHash ‖ var-bytes Address
 *   (BTC P2PKH string) ‖ u64 count (8 bytes, not var-uint) ‖ count × var-bytes(DER ‖ sighash byte).
 * Decoders reject truncation and trailing bytes with POLY_PARAM_MALFORMED.
 */
import { SpvError } from '../../errors/spvError.js';
import { ByteReader } from '../../util/byteReader.js';
import { ByteWriter } from '../../util/byteWriter.js';

export const VOTE_METHOD = 'Vote';
export const MULTISIGN_METHOD = 'MultiSign';

const U64_MAX = (1n << 64n) - 1n;
const MAX_FIELD = 1 << 16;
const MAX_SIGS = 1024;

export interface VoteParam {
  readonly fromChainId: bigint;
  /** The signer's base58 Poly address text. */
  readonly address: string;
  /** BTC txid, internal byte order (32 bytes). */
  readonly txid: Uint8Array;
}

export interface MultiSignParam {
  readonly chainId: bigint;
  /** Era C only (present iff the layout has it). */
  readonly redeemKey?: Uint8Array;
  /** Unsigned BTC tx hash, internal order. */
  readonly txHash: Uint8Array;
  /** Signer's BTC P2PKH address string. */
  readonly address: string;
  /** DER ‖ sighash byte each. */
  readonly sigs: readonly Uint8Array[];
}

export type MultiSignLayout = 'A' | 'C';

function checkU64(v: bigint, what: string): void {
  if (v < 0n || v > U64_MAX) throw new SpvError('POLY_PARAM_MALFORMED', `${what} out of u64 range`);
}

function ascii(bytes: Uint8Array, r: ByteReader, what: string): string {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) r.fail(`${what} is not printable ASCII`);
  return new TextDecoder().decode(bytes);
}

export function encodeVoteParam(p: VoteParam): Uint8Array {
  checkU64(p.fromChainId, 'fromChainId');
  if (p.txid.length !== 32) throw new SpvError('POLY_PARAM_MALFORMED', 'txid must be 32 bytes');
  return new ByteWriter(96).u64le(p.fromChainId).varString(p.address).varBytes(p.txid).finish();
}

export function decodeVoteParam(raw: Uint8Array): VoteParam {
  const r = new ByteReader(raw, 'POLY_PARAM_MALFORMED');
  const fromChainId = r.u64le();
  const address = ascii(r.varBytes(MAX_FIELD, 'address'), r, 'address');
  const txid = r.varBytes(MAX_FIELD, 'txid');
  if (txid.length !== 32) r.fail('txid must be 32 bytes', { length: txid.length });
  r.end();
  return { fromChainId, address, txid };
}

export function encodeMultiSignParam(p: MultiSignParam, layout: MultiSignLayout): Uint8Array {
  checkU64(p.chainId, 'chainId');
  const w = new ByteWriter(256).u64le(p.chainId);
  if (layout === 'C') {
    if (p.redeemKey === undefined) throw new SpvError('POLY_PARAM_MALFORMED', 'era C MultiSign needs redeemKey');
    w.varBytes(p.redeemKey);
  } else if (p.redeemKey !== undefined) {
    throw new SpvError('POLY_PARAM_MALFORMED', 'era A MultiSign has no redeemKey');
  }
  w.varBytes(p.txHash).varString(p.address).u64le(BigInt(p.sigs.length));
  for (const s of p.sigs) w.varBytes(s);
  return w.finish();
}

export function decodeMultiSignParam(raw: Uint8Array, layout: MultiSignLayout): MultiSignParam {
  const r = new ByteReader(raw, 'POLY_PARAM_MALFORMED');
  const chainId = r.u64le();
  const redeemKey = layout === 'C' ? r.varBytes(MAX_FIELD, 'redeemKey') : undefined;
  const txHash = r.varBytes(MAX_FIELD, 'txHash');
  const address = ascii(r.varBytes(MAX_FIELD, 'address'), r, 'address');
  const count = r.u64le();
  // each sig takes at least its 1-byte length prefix
  if (count > BigInt(MAX_SIGS) || count > BigInt(r.remaining)) r.fail('bad signature count', { count: count.toString() });
  const sigs: Uint8Array[] = [];
  for (let i = 0; i < Number(count); i++) sigs.push(r.varBytes(MAX_FIELD, 'sig'));
  r.end();
  return redeemKey === undefined ? { chainId, txHash, address, sigs } : { chainId, redeemKey, txHash, address, sigs };
}
