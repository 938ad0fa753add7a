import { sha256d } from '../chain/hash.js';
import { invariant, SpvError } from '../errors/spvError.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import { COMMAND_SIZE, maxPayloadLength } from './limits.js';

/** Core: protocol.h CMessageHeader: magic(4) + command(12) + length(4) + checksum(4). */
export const FRAME_HEADER_SIZE = 24;
export const MAGIC_SIZE = 4;
export const CHECKSUM_SIZE = 4;

/** One framed message: its command and its (checksum-verified) payload. */
export interface Frame {
  readonly command: string;
  readonly payload: Uint8Array;
}

/** The 24-byte header of a frame, already validated against the magic and the command's size limit. */
export interface FrameHeader {
  readonly command: string;
  readonly length: number;
  readonly checksum: Uint8Array;
}

/** First 4 bytes of sha256d(payload) (Core: Hash(msg) in V1Transport). */
export function frameChecksum(payload: Uint8Array): Uint8Array {
  return sha256d(payload).subarray(0, CHECKSUM_SIZE);
}

/**
 * The command name of a 12-byte field, or null when it is not printable ASCII (0x20..0x7e) followed only by NUL
 * padding (Core: CMessageHeader::IsMessageTypeValid). Unlike Core we also refuse an empty name: no message has one.
 */
export function parseCommand(field: Uint8Array): string | null {
  let end = 0;
  while (end < field.length && field[end] !== 0) {
    const c = field[end]!;
    if (c < 0x20 || c > 0x7e) return null;
    end++;
  }
  if (end === 0) return null;
  for (let i = end; i < field.length; i++) if (field[i] !== 0) return null;
  return String.fromCharCode(...field.subarray(0, end));
}

function isValidCommandName(command: string): boolean {
  return command.length >= 1 && command.length <= COMMAND_SIZE && /^[\x20-\x7e]+$/.test(command);
}

/**
 * Validates a frame header: magic, command bytes, then the declared length against the command's limit, so an
 * oversized frame is refused before any of its payload is buffered.
 */
export function parseFrameHeader(magic: Uint8Array, header: Uint8Array): FrameHeader {
  invariant(header.length === FRAME_HEADER_SIZE, 'frame header must be 24 bytes', { length: header.length });
  const got = header.subarray(0, MAGIC_SIZE);
  if (!bytesEqual(got, magic)) {
    throw new SpvError('PEER_BAD_MAGIC', 'wrong network magic', { magic: toHex(got), expected: toHex(magic) });
  }
  const command = parseCommand(header.subarray(MAGIC_SIZE, MAGIC_SIZE + COMMAND_SIZE));
  if (command === null) {
    throw new SpvError('PEER_BAD_COMMAND', 'invalid command bytes', {
      command: toHex(header.subarray(MAGIC_SIZE, MAGIC_SIZE + COMMAND_SIZE)),
    });
  }
  const view = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_SIZE);
  const length = view.getUint32(16, true);
  const max = maxPayloadLength(command);
  if (length > max) throw new SpvError('PEER_OVERSIZED', 'payload too large', { command, length, max });
  return { command, length, checksum: header.slice(20, 24) };
}

/** Fails with PEER_BAD_CHECKSUM unless the payload matches the header's checksum. */
export function verifyChecksum(header: FrameHeader, payload: Uint8Array): void {
  const actual = frameChecksum(payload);
  if (!bytesEqual(actual, header.checksum)) {
    throw new SpvError('PEER_BAD_CHECKSUM', 'payload checksum mismatch', {
      command: header.command,
      checksum: toHex(header.checksum),
      actual: toHex(actual),
    });
  }
}

/**
 * A complete frame (24-byte header + payload). Our own messages only: a bad command or an oversized payload here
 * is a bug, not peer input.
 */
export function encodeFrame(magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  invariant(magic.length === MAGIC_SIZE, 'magic must be 4 bytes', { length: magic.length });
  invariant(isValidCommandName(command), 'invalid command name', { command });
  invariant(payload.length <= maxPayloadLength(command), 'payload over the limit for its command', {
    command,
    length: payload.length,
  });
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  out.set(magic, 0);
  for (let i = 0; i < command.length; i++) out[MAGIC_SIZE + i] = command.charCodeAt(i);
  new DataView(out.buffer).setUint32(16, payload.length, true);
  out.set(frameChecksum(payload), 20);
  out.set(payload, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Decodes exactly one complete frame held in `bytes` (tests, one-shot use). A short buffer is PEER_TRUNCATED and
 * bytes after the frame are PEER_MALFORMED; streams use FrameDecoder.
 */
export function decodeFrame(magic: Uint8Array, bytes: Uint8Array): Frame {
  if (bytes.length < FRAME_HEADER_SIZE) {
    throw new SpvError('PEER_TRUNCATED', 'truncated frame header', { length: bytes.length });
  }
  const header = parseFrameHeader(magic, bytes.subarray(0, FRAME_HEADER_SIZE));
  const end = FRAME_HEADER_SIZE + header.length;
  if (bytes.length < end) {
    throw new SpvError('PEER_TRUNCATED', 'truncated frame payload', { need: end, length: bytes.length });
  }
  if (bytes.length > end) {
    throw new SpvError('PEER_MALFORMED', 'bytes after the frame', { remaining: bytes.length - end });
  }
  const payload = bytes.slice(FRAME_HEADER_SIZE, end);
  verifyChecksum(header, payload);
  return { command: header.command, payload };
}
