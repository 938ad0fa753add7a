/** Poly (alliance chain) JSON-RPC client and `getsmartcodeevent` decoding for the BTC bridge validator. */
export type { PolyRpcClientOptions } from './polyRpcClient.js';
export { POLY_RPC_CODES, PolyRpcClient } from './polyRpcClient.js';
export type { BlockEvents, BtcDepositEvent, BtcRelayEvent, BtcWithdrawalEvent, DecodeBlockEventsOptions, SkippedEvent } from './events.js';
export { CCM_ADDRESS_ERA_A, CCM_ADDRESS_ERA_C, decodeBlockEvents } from './events.js';
