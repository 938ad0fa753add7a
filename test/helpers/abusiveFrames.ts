/** Corrupted and abusive frames and header floods for the adversarial suites (bytes only, no sockets). */
import { randomBytes } from 'node:crypto';
import { serializeHeader } from '../../src/chain/header.js';
import type { ChainParams } from '../../src/chain/params.js';
import { REGTEST } from '../../src/chain/params.js';
import { ByteWriter } from '../../src/util/byteWriter.js';
import type { WireMessage } from '../../src/wire/index.js';
import { FRAME_HEADER_SIZE, MAX_HEADERS_RESULTS, encodeMessage, frameChecksum, maxPayloadLength } from '../../src/wire/index.js';
import { ChainBuilder } from './chainBuilder.js';

const HEADER_SIZE = 80;
const MAINNET_MAGIC = Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]);

/** A frame with any command and payload, and optionally a forged length field or checksum. */
export function rawFrame(
  magic: Uint8Array,
  command: string,
  payload: Uint8Array,
  opts: { length?: number; checksum?: Uint8Array } = {},
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  out.set(magic.subarray(0, 4), 0);
  for (let i = 0; i < command.length && i < 12; i++) out[4 + i] = command.charCodeAt(i);
  new DataView(out.buffer).setUint32(16, opts.length ?? payload.length, true);
  out.set(opts.checksum ?? frameChecksum(payload), 20);
  out.set(payload, FRAME_HEADER_SIZE);
  return out;
}

/** `msg` framed with its checksum's first byte flipped: the receiver's FrameDecoder fails PEER_BAD_CHECKSUM. */
export function badChecksumFrame(msg: WireMessage, magic: Uint8Array = REGTEST.magic): Uint8Array {
  const frame = encodeMessage(magic, msg);
  frame[20] = frame[20]! ^ 0xff;
  return frame;
}

/** `msg` framed for another network (default: mainnet magic f9beb4d9): PEER_BAD_MAGIC. */
export function wrongMagicFrame(msg: WireMessage, magic: Uint8Array = MAINNET_MAGIC): Uint8Array {
  return encodeMessage(magic, msg);
}

/**
 * Just the 24-byte header of a `command` frame declaring `length` payload bytes (default one over the command's
 * limit): PEER_OVERSIZED, reported before any payload arrives.
 */
export function oversizedFrameHeader(
  command = 'headers',
  magic: Uint8Array = REGTEST.magic,
  length = maxPayloadLength(command) + 1,
): Uint8Array {
  return rawFrame(magic, command, new Uint8Array(0), { length, checksum: new Uint8Array(4) });
}

/** A `headers` payload of any number of raw 80-byte headers (no 2000 cap): each entry is header + tx count 0. */
export function headersPayload(headers: Uint8Array): Uint8Array {
  const count = headers.length / HEADER_SIZE;
  const w = new ByteWriter(5 + count * 81);
  w.varint(count);
  for (let i = 0; i < count; i++) w.bytes(headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE)).u8(0);
  return w.finish();
}

/**
 * `count` headers with valid proof of work under `params` (default regtest) that link to each other but whose first
 * parent is a random, unknown block: they never connect to anyone's chain.
 */
export function unconnectedHeaders(count: number, params: ChainParams = REGTEST): Uint8Array {
  const base = serializeHeader({
    version: 0x20000000,
    prevHash: randomBytes(32),
    merkleRoot: randomBytes(32),
    time: Math.floor(Date.now() / 1000) - 3600,
    bits: params.powLimitBits,
    nonce: 0,
  });
  return new ChainBuilder(params, { header: base, height: 100_000 }).extend(count).raw;
}

/**
 * A `headers` frame with `count` (default 2001, one over MAX_HEADERS_RESULTS) linked regtest headers. Its size passes
 * the frame decoder's limit, so the receiver's decodeMessage reports PEER_TOO_MANY_ITEMS.
 */
export function tooManyHeadersFrame(count = MAX_HEADERS_RESULTS + 1, magic: Uint8Array = REGTEST.magic): Uint8Array {
  return rawFrame(magic, 'headers', headersPayload(unconnectedHeaders(count)));
}

/** `messages` `headers` frames of `perMessage` headers each, every batch on its own unknown parent. */
export function unconnectedHeadersFlood(
  messages: number,
  perMessage = 1,
  magic: Uint8Array = REGTEST.magic,
): Uint8Array[] {
  if (messages > 10_000 || perMessage > MAX_HEADERS_RESULTS) throw new RangeError('flood too large for a test');
  const frames: Uint8Array[] = [];
  for (let i = 0; i < messages; i++) {
    const headers = unconnectedHeaders(perMessage);
    frames.push(encodeMessage(magic, { command: 'headers', count: perMessage, headers }));
  }
  return frames;
}
