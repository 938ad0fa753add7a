import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvariantError } from '../../../src/errors/spvError.js';
import { toHex } from '../../../src/util/bytes.js';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_SIZE,
  frameChecksum,
  MAX_PROTOCOL_MESSAGE_LENGTH,
  maxPayloadLength,
  parseCommand,
  parseFrameHeader,
} from '../../../src/wire/index.js';
import { CAPTURED_HEADERS_FRAME, hex, MAINNET_MAGIC, TESTNET3_MAGIC, VERACK_FRAME } from './vectors.js';
import { throwsCode } from './wireTestUtil.js';

function header(command: Uint8Array | string, length: number, magic = MAINNET_MAGIC): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_SIZE);
  h.set(magic, 0);
  const cmd = typeof command === 'string' ? new TextEncoder().encode(command) : command;
  h.set(cmd, 4);
  new DataView(h.buffer).setUint32(16, length, true);
  return h;
}

describe('frame', () => {
  it('encodes the real mainnet verack frame byte for byte', () => {
    assert.equal(toHex(encodeFrame(MAINNET_MAGIC, 'verack', new Uint8Array(0))), toHex(VERACK_FRAME));
    const frame = decodeFrame(MAINNET_MAGIC, VERACK_FRAME);
    assert.equal(frame.command, 'verack');
    assert.equal(frame.payload.length, 0);
  });

  it('checksum of the empty payload is 5df6e0e2', () => {
    assert.equal(toHex(frameChecksum(new Uint8Array(0))), '5df6e0e2');
  });

  it('round-trips a captured mainnet headers frame', () => {
    const frame = decodeFrame(MAINNET_MAGIC, CAPTURED_HEADERS_FRAME);
    assert.equal(frame.command, 'headers');
    assert.equal(frame.payload.length, 82);
    assert.equal(toHex(encodeFrame(MAINNET_MAGIC, frame.command, frame.payload)), toHex(CAPTURED_HEADERS_FRAME));
  });

  it('rejects another network magic', () => {
    throwsCode(() => decodeFrame(TESTNET3_MAGIC, VERACK_FRAME), 'PEER_BAD_MAGIC');
  });

  it('rejects a corrupted checksum and a corrupted payload', () => {
    const badSum = new Uint8Array(VERACK_FRAME);
    badSum[23]! ^= 1;
    throwsCode(() => decodeFrame(MAINNET_MAGIC, badSum), 'PEER_BAD_CHECKSUM');
    const badPayload = new Uint8Array(CAPTURED_HEADERS_FRAME);
    badPayload[FRAME_HEADER_SIZE + 10]! ^= 0x80;
    throwsCode(() => decodeFrame(MAINNET_MAGIC, badPayload), 'PEER_BAD_CHECKSUM');
  });

  it('parses valid command fields (printable ASCII, then NUL padding)', () => {
    assert.equal(parseCommand(hex('76657261636b000000000000')), 'verack');
    assert.equal(parseCommand(new TextEncoder().encode('getheadersXY')), 'getheadersXY'); // all 12 used
    assert.equal(parseCommand(new TextEncoder().encode('a b~\x20\x7e\0\0\0\0\0\0')), 'a b~ ~');
  });

  it('rejects bad command bytes with PEER_BAD_COMMAND', () => {
    const cases: [string, string][] = [
      ['non-NUL after NUL', '76657261636b00ff00000000'],
      ['text after NUL', '76657200636b000000000000'],
      ['control character', '76657261636b0a0000000000'],
      ['DEL 0x7f', '7f0000000000000000000000'],
      ['high byte', '76e900000000000000000000'],
      ['empty command', '000000000000000000000000'],
    ];
    for (const [name, field] of cases) {
      assert.equal(parseCommand(hex(field)), null, name);
      throwsCode(() => parseFrameHeader(MAINNET_MAGIC, header(hex(field), 0)), 'PEER_BAD_COMMAND', name);
    }
  });

  it('rejects an oversized length from the header alone, per command', () => {
    const parse = (command: string, length: number) => parseFrameHeader(MAINNET_MAGIC, header(command, length));
    throwsCode(() => parse('block', MAX_PROTOCOL_MESSAGE_LENGTH + 1), 'PEER_OVERSIZED');
    throwsCode(() => parse('foo', 0xffffffff), 'PEER_OVERSIZED');
    throwsCode(() => parse('verack', 1), 'PEER_OVERSIZED');
    throwsCode(() => parse('ping', 9), 'PEER_OVERSIZED');
    throwsCode(() => parse('headers', maxPayloadLength('headers') + 1), 'PEER_OVERSIZED');
    throwsCode(() => parse('inv', maxPayloadLength('inv') + 1), 'PEER_OVERSIZED');
    // At the limit is fine.
    assert.equal(parse('block', MAX_PROTOCOL_MESSAGE_LENGTH).length, 4_000_000);
    assert.equal(parse('unknownthing', MAX_PROTOCOL_MESSAGE_LENGTH).command, 'unknownthing');
  });

  it('per-command limits are what the rules say', () => {
    for (const c of ['verack', 'getaddr', 'sendheaders', 'wtxidrelay', 'sendaddrv2']) {
      assert.equal(maxPayloadLength(c), 0, c);
    }
    assert.equal(maxPayloadLength('ping'), 8);
    assert.equal(maxPayloadLength('pong'), 8);
    assert.equal(maxPayloadLength('feefilter'), 8);
    assert.equal(maxPayloadLength('sendcmpct'), 9);
    assert.equal(maxPayloadLength('getheaders'), 4 + 1 + 101 * 32 + 32);
    assert.equal(maxPayloadLength('inv'), 3 + 50_000 * 36);
    assert.equal(maxPayloadLength('addr'), 3 + 1000 * 30);
    assert.equal(maxPayloadLength('block'), 4_000_000);
    assert.equal(maxPayloadLength('tx'), 4_000_000);
    assert.ok(maxPayloadLength('headers') >= 3 + 2000 * 81);
    assert.ok(maxPayloadLength('merkleblock') < 600_000);
    for (const c of ['version', 'headers', 'merkleblock', 'addrv2', 'reject', 'getdata', 'notfound']) {
      assert.ok(maxPayloadLength(c) <= MAX_PROTOCOL_MESSAGE_LENGTH, c);
    }
  });

  it('decodeFrame: truncated header or payload, trailing bytes', () => {
    throwsCode(() => decodeFrame(MAINNET_MAGIC, VERACK_FRAME.subarray(0, 23)), 'PEER_TRUNCATED');
    throwsCode(() => decodeFrame(MAINNET_MAGIC, CAPTURED_HEADERS_FRAME.subarray(0, 50)), 'PEER_TRUNCATED');
    const extra = new Uint8Array(VERACK_FRAME.length + 1);
    extra.set(VERACK_FRAME);
    throwsCode(() => decodeFrame(MAINNET_MAGIC, extra), 'PEER_MALFORMED');
  });

  it('refuses to encode an invalid frame (a local bug, not peer input)', () => {
    assert.throws(() => encodeFrame(MAINNET_MAGIC, 'toolongcommand', new Uint8Array(0)), InvariantError);
    assert.throws(() => encodeFrame(MAINNET_MAGIC, '', new Uint8Array(0)), InvariantError);
    assert.throws(() => encodeFrame(MAINNET_MAGIC, 've\nack', new Uint8Array(0)), InvariantError);
    assert.throws(() => encodeFrame(hex('f9beb4'), 'verack', new Uint8Array(0)), InvariantError);
    assert.throws(() => encodeFrame(MAINNET_MAGIC, 'verack', new Uint8Array(1)), InvariantError);
  });
});
