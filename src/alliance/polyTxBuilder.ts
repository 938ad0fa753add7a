/**
 * Builds the two alliance-chain transactions the validator sends: `Vote` on a BTC deposit and `MultiSign` of a
 * withdrawal, as native invokes of the cross-chain manager (poly-protocol.md §3), signed by the validator's
 * Poly account. The bytes are returned whole so they can be persisted BEFORE sending: a resend after a crash
 * is the same transaction (same hash), never a second vote.
 */
import { randomInt } from 'node:crypto';
import { SpvError } from '../errors/spvError.js';
import { hexToHash, toHex } from '../util/bytes.js';
import type { MultiSignLayout, PolySigner, PolyTxEra, Secp256k1Digest } from './poly/index.js';
import {
  MULTISIGN_METHOD,
  VOTE_METHOD,
  encodeMultiSignParam,
  encodeNativeInvoke,
  encodeSignedTx,
  encodeUnsignedTx,
  encodeVoteParam,
  polyTxHash,
  polyTxHashHex,
  signPolyTxHash,
} from './poly/index.js';

export interface PolyTxContext {
  readonly signer: PolySigner;
  readonly era: PolyTxEra;
  readonly chainId: bigint;
  /** The CCM contract as `getsmartcodeevent` prints it (byte-reversed hex); the invoke carries the raw bytes. */
  readonly ccmAddressHex: string;
  readonly secp256k1Digest: Secp256k1Digest;
  readonly multiSignLayout: MultiSignLayout;
  /** MultiSign RedeemKey (era C only). */
  readonly redeemKey?: Uint8Array;
}

export interface BuiltPolyTx {
  /** Display hex, as the node reports it. */
  readonly txHash: string;
  readonly raw: Uint8Array;
}

/** The contract's raw 20 bytes from the display (reversed) hex. */
export function contractBytes(ccmAddressHex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{40}$/.test(ccmAddressHex)) {
    throw new SpvError('CONFIG_INVALID', 'the CCM address must be 40 hex digits', { ccmAddressHex });
  }
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20; i++) bytes[19 - i] = Number.parseInt(ccmAddressHex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function build(ctx: PolyTxContext, method: string, args: Uint8Array, nonce: number): BuiltPolyTx {
  const payload = encodeNativeInvoke(contractBytes(ctx.ccmAddressHex), method, args);
  const unsigned = encodeUnsignedTx({ era: ctx.era, nonce, chainId: ctx.chainId, payload });
  const sig = signPolyTxHash(ctx.signer.curve, polyTxHash(unsigned), ctx.signer.privateKey, ctx.secp256k1Digest);
  return { txHash: polyTxHashHex(unsigned), raw: encodeSignedTx(unsigned, sig, ctx.signer.publicKey) };
}

/** `Vote(FromChainID 0 = BTC, our base58 address, BTC txid internal order)` (original-spvclient.md §6.5). */
export function buildVoteTx(ctx: PolyTxContext, btcTxidHex: string, nonce = randomInt(0, 0xffff_ffff)): BuiltPolyTx {
  const args = encodeVoteParam({ fromChainId: 0n, address: ctx.signer.polyAddress, txid: hexToHash(btcTxidHex) });
  return build(ctx, VOTE_METHOD, args, nonce);
}

/** `MultiSign(ChainID 0, unsigned tx hash internal order, our BTC P2PKH address, one signature per input)`. */
export function buildMultiSignTx(
  ctx: PolyTxContext,
  unsignedTxid: string,
  btcAddress: string,
  sigs: readonly Uint8Array[],
  nonce = randomInt(0, 0xffff_ffff),
): BuiltPolyTx {
  const param = {
    chainId: 0n,
    txHash: hexToHash(unsignedTxid),
    address: btcAddress,
    sigs,
    ...(ctx.multiSignLayout === 'C' && ctx.redeemKey !== undefined ? { redeemKey: ctx.redeemKey } : {}),
  };
  return build(ctx, MULTISIGN_METHOD, encodeMultiSignParam(param, ctx.multiSignLayout), nonce);
}

export const rawHex = (tx: BuiltPolyTx): string => toHex(tx.raw);
