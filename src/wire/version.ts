import { invariant } from '../errors/spvError.js';
import { ByteWriter } from '../util/byteWriter.js';
import { MAX_SUBVERSION_LENGTH } from './limits.js';
import type { NetAddr } from './netAddr.js';
import { readNetAddr, writeNetAddr } from './netAddr.js';
import { WireReader } from './wireReader.js';

/** `version`: the first message of the handshake (Core: net_processing.cpp, NetMsgType::VERSION). */
export interface VersionMessage {
  readonly command: 'version';
  readonly version: number; // int32 protocol version
  readonly services: bigint; // u64 service bits
  readonly time: bigint; // int64 unix seconds
  readonly addrRecv: NetAddr;
  readonly addrFrom: NetAddr;
  readonly nonce: bigint; // u64, detects connections to self
  readonly userAgent: string; // BIP14 subversion, <= 256 bytes
  readonly startHeight: number; // int32
  /**
   * BIP37 fRelay. Undefined when the peer omitted the byte (pre-70001 peers may); Core then assumes true. Kept
   * undefined rather than defaulted so a message re-encodes to the same bytes.
   */
  readonly relay?: boolean;
}

export function decodeVersionPayload(payload: Uint8Array): VersionMessage {
  const r = new WireReader(payload);
  const version = r.i32le();
  const services = r.u64le();
  const time = r.i64le();
  const addrRecv = readNetAddr(r);
  const addrFrom = readNetAddr(r);
  const nonce = r.u64le();
  // Core: LIMITED_STRING(strSubVer, MAX_SUBVERSION_LENGTH) — bytes, not characters.
  const userAgent = r.varString(MAX_SUBVERSION_LENGTH, 'user agent');
  const startHeight = r.i32le();
  // Core: `if (!vRecv.empty()) vRecv >> fRelay` and any non-zero byte is true.
  const relay = r.remaining > 0 ? r.bool() : undefined;
  r.end();
  const msg: VersionMessage = {
    command: 'version',
    version,
    services,
    time,
    addrRecv,
    addrFrom,
    nonce,
    userAgent,
    startHeight,
  };
  return relay === undefined ? msg : { ...msg, relay };
}

export function encodeVersionPayload(msg: VersionMessage): Uint8Array {
  const userAgent = new TextEncoder().encode(msg.userAgent);
  invariant(userAgent.length <= MAX_SUBVERSION_LENGTH, 'user agent too long', { length: userAgent.length });
  const w = new ByteWriter(128);
  w.i32le(msg.version).u64le(msg.services).i64le(msg.time);
  writeNetAddr(w, msg.addrRecv);
  writeNetAddr(w, msg.addrFrom);
  w.u64le(msg.nonce).varBytes(userAgent).i32le(msg.startHeight);
  if (msg.relay !== undefined) w.u8(msg.relay ? 1 : 0);
  return w.finish();
}
