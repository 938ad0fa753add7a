import { SpvError, invariant } from '../errors/spvError.js';
import { HEADER_SIZE, headerVersion } from '../chain/header.js';
import { ByteWriter } from '../util/byteWriter.js';
import { FOREIGN_HEADER_SIZE, HEADERS_ENTRY_SIZE, MAX_HEADERS_RESULTS } from './limits.js';
import { WireReader } from './wireReader.js';

/**
 * `headers`: up to 2000 block headers as ONE contiguous buffer of count * 80 bytes (header i at i * 80), ready to
 * hand to the pow pool / chain worker as a single transferable array.
 */
export interface HeadersMessage {
  readonly command: 'headers';
  readonly count: number;
  readonly headers: Uint8Array;
}

/**
 * A run of `count` 164-byte headers (optionally each followed by a tx count byte) whose nVersion all have bit 31
 * set: the post-fork header format of the 2026 BLAKE2b minority fork, which shares our magic and port
 * (shared/reference/bitcoin-rules.md §2, knots#425). Such a peer is on another chain, not merely malformed.
 */
function isForeignHeaderRun(payload: Uint8Array, start: number, count: number): boolean {
  if (count === 0) return false;
  const rest = payload.length - start;
  let stride: number;
  if (rest === count * FOREIGN_HEADER_SIZE) stride = FOREIGN_HEADER_SIZE;
  else if (rest === count * (FOREIGN_HEADER_SIZE + 1)) stride = FOREIGN_HEADER_SIZE + 1;
  else return false;
  for (let i = 0; i < count; i++) {
    if (headerVersion(payload, start + i * stride) >= 0) return false; // bit 31 clear
  }
  return true;
}

export function decodeHeadersPayload(payload: Uint8Array): HeadersMessage {
  const r = new WireReader(payload);
  // Core: net_processing.cpp MAX_HEADERS_RESULTS; more is misbehaviour (bcoin bans).
  const count = r.count(MAX_HEADERS_RESULTS, HEADERS_ENTRY_SIZE, 'headers');
  if (isForeignHeaderRun(payload, r.offset, count)) {
    throw new SpvError('PEER_FOREIGN_CHAIN', 'headers of a foreign chain (164-byte, nVersion bit 31)', { count });
  }
  const headers = new Uint8Array(count * HEADER_SIZE);
  for (let i = 0; i < count; i++) {
    headers.set(r.bytesView(HEADER_SIZE, 'header'), i * HEADER_SIZE);
    // Core reads and ignores this CompactSize; btcd and bcoin reject non-zero. A header carries no transactions.
    const txCount = r.varint();
    if (txCount !== 0) r.fail('headers entry with non-zero tx count', { index: i, txCount });
  }
  r.end();
  return { command: 'headers', count, headers };
}

export function encodeHeadersPayload(msg: HeadersMessage): Uint8Array {
  invariant(msg.count <= MAX_HEADERS_RESULTS, 'too many headers', { count: msg.count });
  invariant(msg.headers.length === msg.count * HEADER_SIZE, 'headers must be count * 80 bytes', {
    count: msg.count,
    length: msg.headers.length,
  });
  const w = new ByteWriter(3 + msg.count * HEADERS_ENTRY_SIZE);
  w.varint(msg.count);
  for (let i = 0; i < msg.count; i++) {
    w.bytes(msg.headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE)).u8(0);
  }
  return w.finish();
}
