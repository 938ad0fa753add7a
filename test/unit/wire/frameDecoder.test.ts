import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpvError } from '../../../src/errors/spvError.js';
import { concatBytes, toHex } from '../../../src/util/bytes.js';
import type { Frame } from '../../../src/wire/index.js';
import { encodeFrame, FRAME_HEADER_SIZE, FrameDecoder, MAX_PROTOCOL_MESSAGE_LENGTH } from '../../../src/wire/index.js';
import {
  CAPTURED_ADDR_FRAME,
  CAPTURED_GETHEADERS_FRAME,
  CAPTURED_HEADERS_FRAME,
  CAPTURED_INV_FRAME,
  CAPTURED_PING_FRAME,
  CAPTURED_VERSION_FRAME,
  MAINNET_MAGIC,
  TESTNET3_MAGIC,
  VERACK_FRAME,
} from './vectors.js';
import { throwsCode } from './wireTestUtil.js';

const STREAM = [
  CAPTURED_VERSION_FRAME,
  VERACK_FRAME,
  CAPTURED_PING_FRAME,
  CAPTURED_GETHEADERS_FRAME,
  CAPTURED_HEADERS_FRAME,
  CAPTURED_INV_FRAME,
  CAPTURED_ADDR_FRAME,
];
const EXPECTED = ['version', 'verack', 'ping', 'getheaders', 'headers', 'inv', 'addr'];

function summary(frames: Frame[]): string[] {
  return frames.map((f) => `${f.command}:${toHex(f.payload)}`);
}

function frameHeader(command: string, length: number): Uint8Array {
  const h = encodeFrame(MAINNET_MAGIC, command, new Uint8Array(0)).slice(0, FRAME_HEADER_SIZE);
  new DataView(h.buffer).setUint32(16, length, true);
  return h;
}

describe('FrameDecoder', () => {
  it('decodes many frames from one chunk', () => {
    const d = new FrameDecoder(MAINNET_MAGIC);
    const frames = d.push(concatBytes(...STREAM));
    assert.deepEqual(
      frames.map((f) => f.command),
      EXPECTED,
    );
    assert.equal(toHex(frames[4]!.payload), toHex(CAPTURED_HEADERS_FRAME.subarray(FRAME_HEADER_SIZE)));
    assert.equal(d.bufferedBytes, 0);
  });

  it('a frame split at every byte boundary decodes exactly once', () => {
    for (const frame of [CAPTURED_GETHEADERS_FRAME, VERACK_FRAME, CAPTURED_PING_FRAME]) {
      const whole = summary(new FrameDecoder(MAINNET_MAGIC).push(frame));
      for (let i = 0; i <= frame.length; i++) {
        const d = new FrameDecoder(MAINNET_MAGIC);
        const got = [...d.push(frame.subarray(0, i)), ...d.push(frame.subarray(i))];
        assert.deepEqual(summary(got), whole, `split at ${i}`);
        assert.equal(d.bufferedBytes, 0);
      }
    }
  });

  it('1-byte chunks over a whole stream', () => {
    const all = concatBytes(...STREAM);
    const d = new FrameDecoder(MAINNET_MAGIC);
    const got: Frame[] = [];
    for (let i = 0; i < all.length; i++) got.push(...d.push(all.subarray(i, i + 1)));
    assert.deepEqual(summary(got), summary(new FrameDecoder(MAINNET_MAGIC).push(all)));
  });

  it('odd chunk sizes and empty chunks', () => {
    const all = concatBytes(...STREAM, ...STREAM);
    const d = new FrameDecoder(MAINNET_MAGIC);
    const got: Frame[] = [];
    let off = 0;
    for (let step = 0; off < all.length; step++) {
      const n = [0, 1, 7, 23, 24, 25, 100, 997][step % 8]!;
      got.push(...d.push(all.subarray(off, off + n)));
      off += n;
    }
    assert.equal(got.length, STREAM.length * 2);
  });

  it('a large payload arriving in small chunks (buffer growth)', () => {
    const payload = new Uint8Array(300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const frame = encodeFrame(MAINNET_MAGIC, 'block', payload);
    const d = new FrameDecoder(MAINNET_MAGIC);
    const got: Frame[] = [];
    for (let off = 0; off < frame.length; off += 1000) got.push(...d.push(frame.subarray(off, off + 1000)));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.payload.length, payload.length);
    assert.equal(toHex(got[0]!.payload), toHex(payload));
  });

  it('payloads are owned copies, not views of the pushed chunk', () => {
    const chunk = new Uint8Array(CAPTURED_PING_FRAME);
    const [frame] = new FrameDecoder(MAINNET_MAGIC).push(chunk);
    chunk.fill(0);
    assert.equal(toHex(frame!.payload), 'cedd07a46c33bf4a');
    assert.equal(frame!.payload.byteOffset, 0);
    assert.equal(frame!.payload.buffer.byteLength, 8);
  });

  it('rejects an oversized frame from its 24-byte header, before any payload arrives', () => {
    const d = new FrameDecoder(MAINNET_MAGIC);
    throwsCode(() => d.push(frameHeader('block', MAX_PROTOCOL_MESSAGE_LENGTH + 1)), 'PEER_OVERSIZED');
    const d2 = new FrameDecoder(MAINNET_MAGIC);
    assert.deepEqual(d2.push(frameHeader('headers', 2000 * 81 + 3).subarray(0, 23)), []);
    assert.deepEqual(d2.push(frameHeader('headers', 2000 * 81 + 3).subarray(23)), []); // within the limit: waits
    const d3 = new FrameDecoder(MAINNET_MAGIC);
    throwsCode(() => d3.push(frameHeader('ping', 4096)), 'PEER_OVERSIZED');
  });

  it('bad magic, bad command, bad checksum', () => {
    throwsCode(() => new FrameDecoder(TESTNET3_MAGIC).push(VERACK_FRAME), 'PEER_BAD_MAGIC');
    const badCmd = new Uint8Array(VERACK_FRAME);
    badCmd[4] = 0x01;
    throwsCode(() => new FrameDecoder(MAINNET_MAGIC).push(badCmd), 'PEER_BAD_COMMAND');
    const badSum = new Uint8Array(CAPTURED_PING_FRAME);
    badSum[FRAME_HEADER_SIZE]! ^= 0xff;
    throwsCode(() => new FrameDecoder(MAINNET_MAGIC).push(badSum), 'PEER_BAD_CHECKSUM');
  });

  it('stays failed after an error: every later push rethrows the same error', () => {
    const d = new FrameDecoder(MAINNET_MAGIC);
    assert.equal(d.failed, false);
    let first: unknown;
    try {
      d.push(concatBytes(VERACK_FRAME, TESTNET3_MAGIC, VERACK_FRAME.subarray(4)));
    } catch (err) {
      first = err;
    }
    assert.ok(isSpvError(first) && first.code === 'PEER_BAD_MAGIC');
    assert.equal(d.failed, true);
    assert.equal(d.error, first);
    assert.equal(d.bufferedBytes, 0);
    assert.throws(
      () => d.push(VERACK_FRAME),
      (err: unknown) => err === first,
    );
  });

  it('an empty-payload frame completes on its header alone', () => {
    const d = new FrameDecoder(MAINNET_MAGIC);
    const frames = d.push(VERACK_FRAME);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.payload.length, 0);
    // Distinct buffers, so transferring one cannot detach another.
    const again = d.push(VERACK_FRAME);
    assert.notEqual(again[0]!.payload.buffer, frames[0]!.payload.buffer);
  });
});
