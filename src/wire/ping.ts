import { ByteWriter } from '../util/byteWriter.js';
import { WireReader } from './wireReader.js';

/**
 * BIP31 ping/pong: a u64 nonce the pong echoes. Pre-BIP31 (version <= 60000) peers sent an empty ping; such peers
 * are far below any version we connect to, so an empty ping is PEER_TRUNCATED here.
 */
export interface PingMessage {
  readonly command: 'ping' | 'pong';
  readonly nonce: bigint;
}

export function decodePingPayload(command: 'ping' | 'pong', payload: Uint8Array): PingMessage {
  const r = new WireReader(payload);
  const nonce = r.u64le();
  r.end();
  return { command, nonce };
}

export function encodePingPayload(msg: PingMessage): Uint8Array {
  return new ByteWriter(8).u64le(msg.nonce).finish();
}
