/**
 * Poly (alliance chain) codecs for the BTC bridge validator: addresses, tx bytes, signatures, Vote/MultiSign args,
 * wallet.dat, BtcProof and OP_RETURN Args. Pure functions (wallet decryption awaits scrypt). See
 * shared/reference/poly-protocol.md for the eras (A: late-2019 multi-chain, C: Poly 2020+).
 */
export type { PolyCurve } from './polyAddress.js';
export {
  POLY_ADDRESS_VERSION,
  parseSerializedPublicKey,
  polyAddressFromBase58,
  polyAddressFromPublicKey,
  polyAddressToBase58,
  polyAddressToHex,
  polyBase58FromPublicKey,
  serializePublicKey,
} from './polyAddress.js';
export type { DecodedPolyTx, NativeInvoke, PolyTxEra, PolyTxSig, UnsignedPolyTx } from './polyTx.js';
export {
  decodeNativeInvoke,
  decodeSignedTx,
  encodeNativeInvoke,
  encodeSignedTx,
  encodeUnsignedTx,
  polyTxHash,
  polyTxHashHex,
} from './polyTx.js';
export type { Secp256k1Digest } from './polySign.js';
export {
  SCHEME_SHA256_WITH_ECDSA,
  SCHEME_SHA3_256_WITH_ECDSA,
  polyPublicKey,
  recoverSecp256k1,
  signP256,
  signPolyTxHash,
  signSecp256k1,
  verifyP256,
  verifyPolySignature,
  verifySecp256k1,
} from './polySign.js';
export type { MultiSignLayout, MultiSignParam, VoteParam } from './voteParams.js';
export {
  MULTISIGN_METHOD,
  VOTE_METHOD,
  decodeMultiSignParam,
  decodeVoteParam,
  encodeMultiSignParam,
  encodeVoteParam,
} from './voteParams.js';
export type { PolySigner, WalletAccount, WalletEncAlg, WalletFile, WalletScrypt } from './wallet.js';
export { decryptAccount, openWallet, parseWalletFile, selectDefaultAccount, walletScrypt } from './wallet.js';
export type { BtcProof, BtcProofEncoding } from './btcProof.js';
export { decodeBtcProof, decodeNeoBigInt, encodeBtcProof, encodeNeoBigInt } from './btcProof.js';
export type { OpReturnArgs, OpReturnLayout, OpReturnOptions, OpReturnPush } from './opReturnArgs.js';
export { CROSS_CHAIN_FLAG, parseOpReturnArgs, readOpReturnPush } from './opReturnArgs.js';
