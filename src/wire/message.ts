import { assertNever, SpvError } from '../errors/spvError.js';
import type { AddrMessage, AddrV2Message } from './addr.js';
import { decodeAddrPayload, decodeAddrV2Payload, encodeAddrPayload, encodeAddrV2Payload } from './addr.js';
import type { EmptyMessage } from './emptyMessage.js';
import { decodeEmptyPayload } from './emptyMessage.js';
import type { FeeFilterMessage } from './feeFilter.js';
import { decodeFeeFilterPayload, encodeFeeFilterPayload } from './feeFilter.js';
import type { Frame } from './frame.js';
import { encodeFrame } from './frame.js';
import type { GetHeadersMessage } from './getHeaders.js';
import { decodeGetHeadersPayload, encodeGetHeadersPayload } from './getHeaders.js';
import type { HeadersMessage } from './headers.js';
import { decodeHeadersPayload, encodeHeadersPayload } from './headers.js';
import type { InventoryMessage } from './inventory.js';
import { decodeInventoryPayload, encodeInventoryPayload } from './inventory.js';
import { MAX_PROTOCOL_MESSAGE_LENGTH } from './limits.js';
import type { MerkleBlockMessage } from './merkleBlock.js';
import { decodeMerkleBlockPayload, encodeMerkleBlockPayload } from './merkleBlock.js';
import type { OpaqueMessage } from './opaqueMessage.js';
import { decodeOpaquePayload } from './opaqueMessage.js';
import type { PingMessage } from './ping.js';
import { decodePingPayload, encodePingPayload } from './ping.js';
import type { RejectMessage } from './reject.js';
import { decodeRejectPayload, encodeRejectPayload } from './reject.js';
import type { SendCmpctMessage } from './sendCmpct.js';
import { decodeSendCmpctPayload, encodeSendCmpctPayload } from './sendCmpct.js';
import type { VersionMessage } from './version.js';
import { decodeVersionPayload, encodeVersionPayload } from './version.js';

/**
 * A command we do not decode. Core ignores unknown commands, so they are data, not errors; the payload is kept
 * (checksum-verified, within the protocol cap) for logging or later use.
 */
export interface UnknownMessage {
  readonly command: 'unknown';
  readonly name: string;
  readonly payload: Uint8Array;
}

/** Every P2P message the codec understands, discriminated by `command`. */
export type WireMessage =
  | VersionMessage
  | EmptyMessage
  | PingMessage
  | GetHeadersMessage
  | HeadersMessage
  | InventoryMessage
  | MerkleBlockMessage
  | OpaqueMessage
  | AddrMessage
  | AddrV2Message
  | SendCmpctMessage
  | FeeFilterMessage
  | RejectMessage
  | UnknownMessage;

/** Every command tag of WireMessage. */
export type WireCommand = WireMessage['command'];

/** The message type(s) carrying command tag C, e.g. MessageOf<'pong'> = PingMessage (handler tables, tests). */
export type MessageOf<C extends WireCommand> = WireMessage extends infer M
  ? M extends { readonly command: infer K }
    ? C extends K
      ? M
      : never
    : never
  : never;

/** The command name a message travels under. */
export function messageCommand(msg: WireMessage): string {
  return msg.command === 'unknown' ? msg.name : msg.command;
}

/** The payload bytes of a message (no frame header). */
export function encodePayload(msg: WireMessage): Uint8Array {
  switch (msg.command) {
    case 'version':
      return encodeVersionPayload(msg);
    case 'verack':
    case 'getaddr':
    case 'sendheaders':
    case 'wtxidrelay':
    case 'sendaddrv2':
      return new Uint8Array(0);
    case 'ping':
    case 'pong':
      return encodePingPayload(msg);
    case 'getheaders':
      return encodeGetHeadersPayload(msg);
    case 'headers':
      return encodeHeadersPayload(msg);
    case 'inv':
    case 'getdata':
    case 'notfound':
      return encodeInventoryPayload(msg);
    case 'merkleblock':
      return encodeMerkleBlockPayload(msg);
    case 'tx':
    case 'block':
      return msg.raw;
    case 'addr':
      return encodeAddrPayload(msg);
    case 'addrv2':
      return encodeAddrV2Payload(msg);
    case 'sendcmpct':
      return encodeSendCmpctPayload(msg);
    case 'feefilter':
      return encodeFeeFilterPayload(msg);
    case 'reject':
      return encodeRejectPayload(msg);
    case 'unknown':
      return msg.payload;
    default:
      return assertNever(msg);
  }
}

/** A complete frame (header + payload) for `msg` on the network with this magic. */
export function encodeMessage(magic: Uint8Array, msg: WireMessage): Uint8Array {
  return encodeFrame(magic, messageCommand(msg), encodePayload(msg));
}

/**
 * Decodes a frame's payload by its command. Peer faults are SpvError with a PEER_* code and nothing else is
 * thrown for any input. An unknown command is returned as `unknown`, never an error.
 */
export function decodeMessage(frame: Frame): WireMessage {
  const { command, payload } = frame;
  // The tight per-command byte limits belong to FrameDecoder, which applies them to the declared length to bound
  // buffering. Here the content rules speak (an inv of 50,001 entries is PEER_TOO_MANY_ITEMS, a ping with a 9th
  // byte PEER_MALFORMED); they bound every message below the per-command limit anyway. Only the protocol cap is
  // repeated, for frames that did not come through a FrameDecoder.
  if (payload.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
    throw new SpvError('PEER_OVERSIZED', 'payload too large', {
      command,
      length: payload.length,
      max: MAX_PROTOCOL_MESSAGE_LENGTH,
    });
  }
  switch (command) {
    case 'version':
      return decodeVersionPayload(payload);
    case 'verack':
    case 'getaddr':
    case 'sendheaders':
    case 'wtxidrelay':
    case 'sendaddrv2':
      return decodeEmptyPayload(command, payload);
    case 'ping':
    case 'pong':
      return decodePingPayload(command, payload);
    case 'getheaders':
      return decodeGetHeadersPayload(payload);
    case 'headers':
      return decodeHeadersPayload(payload);
    case 'inv':
    case 'getdata':
    case 'notfound':
      return decodeInventoryPayload(command, payload);
    case 'merkleblock':
      return decodeMerkleBlockPayload(payload);
    case 'tx':
    case 'block':
      return decodeOpaquePayload(command, payload);
    case 'addr':
      return decodeAddrPayload(payload);
    case 'addrv2':
      return decodeAddrV2Payload(payload);
    case 'sendcmpct':
      return decodeSendCmpctPayload(payload);
    case 'feefilter':
      return decodeFeeFilterPayload(payload);
    case 'reject':
      return decodeRejectPayload(payload);
    default:
      return { command: 'unknown', name: command, payload };
  }
}
