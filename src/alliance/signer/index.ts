/**
 * BTC withdrawal signer: key loading, the multisig redeem script, the signing policy and the signatures
 * (original-spvclient §6.7; §8 items 1, 8, 9 are what this fixes). Pure functions except loadBtcKeyFile.
 */
export type { BtcKey } from './btcKey.js';
export { WIF_VERSION_MAINNET, WIF_VERSION_TESTNET, loadBtcKeyFile, p2pkhAddress, parseBtcKey } from './btcKey.js';
export { bitcoinjsNetwork } from './bitcoinjsNetwork.js';
export { decodeUnsignedTx } from './decodeUnsignedTx.js';
export type { MultisigOutputScripts, MultisigRedeem } from './multisigRedeem.js';
export {
  MAX_MULTISIG_KEYS,
  MAX_REDEEM_SIZE,
  hash160,
  multisigOutputScripts,
  parseMultisigRedeem,
  redeemKeyHexes,
  redeemKeyIndex,
} from './multisigRedeem.js';
export type { VsizeShape } from './multisigVsize.js';
export { MAX_SIG_SIZE, estimateMultisigVsize } from './multisigVsize.js';
export type { StandardOutputType } from './standardOutput.js';
export { standardOutputType } from './standardOutput.js';
export type {
  KnownUtxo,
  SignerPolicy,
  SpendKind,
  UtxoLookup,
  WithdrawalCheck,
  WithdrawalOutput,
  WithdrawalPlan,
} from './withdrawalPolicy.js';
export { MAX_MONEY, assertSignerPolicy, checkWithdrawal } from './withdrawalPolicy.js';
export { assembleMultisigTx, signWithdrawal } from './withdrawalSigner.js';
