import { invariant } from '../errors/spvError.js';
import { ByteWriter } from '../util/byteWriter.js';
import { COMMAND_SIZE, MAX_REJECT_MESSAGE_LENGTH } from './limits.js';
import { WireReader } from './wireReader.js';

const HASH_SIZE = 32;

/**
 * BIP61 `reject` (removed from Core in 0.20, still sent by old nodes and some other implementations).
 * Informational only: never act on it.
 */
export interface RejectMessage {
  readonly command: 'reject';
  readonly message: string; // the rejected command
  readonly ccode: number; // u8 reject code
  readonly reason: string;
  /** Present for rejected `tx` / `block` (BIP61); taken whenever 32 bytes follow, so other senders' habits decode. */
  readonly hash?: Uint8Array;
}

export function decodeRejectPayload(payload: Uint8Array): RejectMessage {
  const r = new WireReader(payload);
  // Core 0.19: LIMITED_STRING(strMsg, COMMAND_SIZE) >> ccode >> LIMITED_STRING(strReason, MAX_REJECT_MESSAGE_LENGTH).
  const message = r.varString(COMMAND_SIZE, 'reject message');
  const ccode = r.u8();
  const reason = r.varString(MAX_REJECT_MESSAGE_LENGTH, 'reject reason');
  const hash = r.remaining > 0 ? r.bytesCopy(HASH_SIZE, 'reject hash') : undefined;
  r.end();
  const msg: RejectMessage = { command: 'reject', message, ccode, reason };
  return hash === undefined ? msg : { ...msg, hash };
}

export function encodeRejectPayload(msg: RejectMessage): Uint8Array {
  const message = new TextEncoder().encode(msg.message);
  const reason = new TextEncoder().encode(msg.reason);
  invariant(message.length <= COMMAND_SIZE, 'reject message too long');
  invariant(reason.length <= MAX_REJECT_MESSAGE_LENGTH, 'reject reason too long');
  invariant(msg.hash === undefined || msg.hash.length === HASH_SIZE, 'reject hash must be 32 bytes');
  const w = new ByteWriter(64);
  w.varBytes(message).u8(msg.ccode).varBytes(reason);
  if (msg.hash !== undefined) w.bytes(msg.hash);
  return w.finish();
}
