import { ByteWriter } from '../util/byteWriter.js';
import { WireReader } from './wireReader.js';

/** BIP152 sendcmpct: whether to announce new blocks with cmpctblock (high-bandwidth) and the protocol version. */
export interface SendCmpctMessage {
  readonly command: 'sendcmpct';
  readonly announce: boolean;
  readonly version: bigint; // u64
}

export function decodeSendCmpctPayload(payload: Uint8Array): SendCmpctMessage {
  const r = new WireReader(payload);
  // Core: `vRecv >> sendcmpct_hb >> sendcmpct_version`; a bool is any non-zero byte.
  const announce = r.bool();
  const version = r.u64le();
  r.end();
  return { command: 'sendcmpct', announce, version };
}

export function encodeSendCmpctPayload(msg: SendCmpctMessage): Uint8Array {
  return new ByteWriter(9).u8(msg.announce ? 1 : 0).u64le(msg.version).finish();
}
