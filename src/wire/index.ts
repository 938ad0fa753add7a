/** Public API of the Bitcoin P2P wire codec (pure: no I/O). */
export type { Frame, FrameHeader } from './frame.js';
export {
  CHECKSUM_SIZE,
  FRAME_HEADER_SIZE,
  MAGIC_SIZE,
  decodeFrame,
  encodeFrame,
  frameChecksum,
  parseCommand,
  parseFrameHeader,
  verifyChecksum,
} from './frame.js';
export { FrameDecoder } from './frameDecoder.js';
export type { MessageOf, UnknownMessage, WireCommand, WireMessage } from './message.js';
export { decodeMessage, encodeMessage, encodePayload, messageCommand } from './message.js';
export * from './limits.js';
export type { NetAddr } from './netAddr.js';
export type { VersionMessage } from './version.js';
export type { EmptyCommand, EmptyMessage } from './emptyMessage.js';
export { EMPTY_COMMANDS } from './emptyMessage.js';
export type { PingMessage } from './ping.js';
export type { GetHeadersMessage } from './getHeaders.js';
export type { HeadersMessage } from './headers.js';
export type { InvItem, InventoryCommand, InventoryMessage } from './inventory.js';
export {
  MSG_BLOCK,
  MSG_CMPCT_BLOCK,
  MSG_FILTERED_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_FLAG,
  MSG_WITNESS_TX,
  MSG_WTX,
} from './inventory.js';
export type { MerkleBlockMessage } from './merkleBlock.js';
export type { OpaqueMessage } from './opaqueMessage.js';
export type { AddrEntry, AddrMessage, AddrV2Entry, AddrV2Message } from './addr.js';
export {
  BIP155_ADDRESS_LENGTHS,
  BIP155_CJDNS,
  BIP155_I2P,
  BIP155_IPV4,
  BIP155_IPV6,
  BIP155_TORV2,
  BIP155_TORV3,
} from './addr.js';
export type { SendCmpctMessage } from './sendCmpct.js';
export type { FeeFilterMessage } from './feeFilter.js';
export type { RejectMessage } from './reject.js';
