/**
 * BTC deposit verification for the alliance voter: which outputs pay the bridge's multisig, the chain-free tx
 * checks, and the full check against our header chain (verifyDeposit). Pure domain code; the chain is injected.
 */
export type { MultisigRedeem } from './multisigRedeem.js';
export { parseMultisigRedeem } from './multisigRedeem.js';
export type { DepositScriptKind, DepositScripts } from './depositScripts.js';
export { MAX_P2SH_REDEEM_SIZE, classifyDepositOutput, depositScriptsFor, hash160, matchDepositScript } from './depositScripts.js';
export type { DepositPolicy } from './depositPolicy.js';
export { COINBASE_MATURITY, requiredConfirmations, validateDepositPolicy } from './depositPolicy.js';
export type { DepositTxCheck, DepositTxFail, DepositTxOk } from './checkDepositTx.js';
export { MAX_MONEY, checkDepositTx } from './checkDepositTx.js';
export type { DepositCheck, VerifiedDeposit } from './depositVerifier.js';
export { verifyDeposit } from './depositVerifier.js';
