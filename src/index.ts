/**
 * spvclient as a library. `const client = await SpvClient.create(conf); await client.start();`
 * Everything a consumer needs is exported here; internals are not part of the API.
 */
export { SpvClient } from './client/spvClient.js';
export type { ChainTip, ResyncResult, SpvClientOptions, StartOptions } from './client/spvClient.js';
export type { ChildKey } from './client/childKey.js';
export { dustThreshold, isDust, DUST_RELAY_FEE_SAT_PER_KVB } from './client/dust.js';
export { SpvError } from './errors/spvError.js';
export { ERROR_CODES } from './errors/codes.js';
export type { ErrorCode } from './errors/codes.js';
export type { Config, ConfigInput } from './config/schema.js';
export type { ChainParams, NetworkName } from './chain/params.js';
export type { HeaderInfo, RollbackResult, StoreStats, AuditReport, ConnectResult } from './protocol/chainTypes.js';
export type { BroadcastResult, PeerInfo, SyncStatus, BanInfo } from './protocol/net.js';
export type { NodeEvents, NodeEventName, TipEvent, ReorgEvent, PeerEvent, SyncedEvent } from './protocol/events.js';
export type { ProofResult } from './protocol/proof.js';
