import { invariant } from '../errors/spvError.js';
import { ByteWriter } from '../util/byteWriter.js';
import { MAX_LOCATOR_SZ } from './limits.js';
import { WireReader } from './wireReader.js';

const HASH_SIZE = 32;

/**
 * `getheaders`: a block locator (newest first) and a stop hash (all zero = as many as allowed). Hashes are in
 * internal byte order.
 */
export interface GetHeadersMessage {
  readonly command: 'getheaders';
  readonly version: number; // u32; Core writes its protocol version here and ignores it on receipt
  readonly locator: readonly Uint8Array[];
  readonly stopHash: Uint8Array;
}

export function decodeGetHeadersPayload(payload: Uint8Array): GetHeadersMessage {
  const r = new WireReader(payload);
  const version = r.u32le();
  // Core: net_processing.cpp disconnects a peer whose locator exceeds MAX_LOCATOR_SZ.
  const n = r.count(MAX_LOCATOR_SZ, HASH_SIZE, 'locator hashes');
  const locator: Uint8Array[] = [];
  for (let i = 0; i < n; i++) locator.push(r.bytesCopy(HASH_SIZE, 'locator hash'));
  const stopHash = r.bytesCopy(HASH_SIZE, 'stop hash');
  r.end();
  return { command: 'getheaders', version, locator, stopHash };
}

export function encodeGetHeadersPayload(msg: GetHeadersMessage): Uint8Array {
  invariant(msg.locator.length <= MAX_LOCATOR_SZ, 'locator too long', { length: msg.locator.length });
  invariant(msg.stopHash.length === HASH_SIZE, 'stop hash must be 32 bytes');
  const w = new ByteWriter(4 + 1 + (msg.locator.length + 1) * HASH_SIZE);
  w.u32le(msg.version).varint(msg.locator.length);
  for (const h of msg.locator) {
    invariant(h.length === HASH_SIZE, 'locator hash must be 32 bytes');
    w.bytes(h);
  }
  return w.bytes(msg.stopHash).finish();
}
