import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvariantError, isSpvError } from '../../../src/errors/spvError.js';
import { concatBytes } from '../../../src/util/bytes.js';
import type { Frame, WireMessage } from '../../../src/wire/index.js';
import { decodeMessage, encodeFrame, encodePayload, FrameDecoder } from '../../../src/wire/index.js';
import { MAINNET_MAGIC, VALID_PAYLOADS } from './vectors.js';
import { prng } from './wireTestUtil.js';

const ITERATIONS = 2000;
const EXTRA_COMMANDS = ['verack', 'getaddr', 'sendheaders', 'wtxidrelay', 'sendaddrv2', 'cmpctblock', 'x'];

/** Only peer-fault SpvErrors may escape the codec; an InvariantError (INVARIANT) would be a bug. */
function assertPeerError(err: unknown, context: string): void {
  assert.ok(isSpvError(err), `non-SpvError escaped (${context}): ${String(err)}`);
  assert.ok(err.code.startsWith('PEER_'), `unexpected code ${err.code} (${context})`);
}

function hasReplacementChar(msg: WireMessage): boolean {
  const texts = msg.command === 'version' ? [msg.userAgent] : msg.command === 'reject' ? [msg.message, msg.reason] : [];
  return texts.some((t) => t.includes('\uFFFD'));
}

function mutate(rand: () => number, input: Uint8Array): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = Array.from(input);
  const edits = 1 + int(4);
  for (let e = 0; e < edits; e++) {
    const at = int(bytes.length + 1);
    switch (int(7)) {
      case 0: // flip a bit
        if (bytes.length > 0) bytes[at % bytes.length]! ^= 1 << int(8);
        break;
      case 1: // random byte
        if (bytes.length > 0) bytes[at % bytes.length] = int(256);
        break;
      case 2: // CompactSize markers where a count or length may be
        if (bytes.length > 0) bytes[at % bytes.length] = [0xfd, 0xfe, 0xff, 0x00, 0xfc][int(5)]!;
        break;
      case 3: // truncate
        bytes.length = at;
        break;
      case 4: // insert random bytes
        bytes.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 5: // delete a range
        bytes.splice(at, 1 + int(16));
        break;
      default: // fully random
        return Uint8Array.from({ length: int(400) }, () => int(256));
    }
  }
  return Uint8Array.from(bytes);
}

describe('randomized inputs (seeded)', () => {
  it('decodeMessage: mutated and random payloads only ever throw peer SpvErrors', () => {
    const rand = prng(0x5eed_0001);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const [command, valid] = VALID_PAYLOADS[Math.floor(rand() * VALID_PAYLOADS.length)]!;
      const name = rand() < 0.1 ? EXTRA_COMMANDS[Math.floor(rand() * EXTRA_COMMANDS.length)]! : command;
      const payload = mutate(rand, valid);
      let msg;
      try {
        msg = decodeMessage({ command: name, payload });
      } catch (err) {
        assertPeerError(err, `${name} #${i}`);
        rejected++;
        continue;
      }
      decoded++;
      // Whatever decodes re-encodes, and that encoding decodes to the same message. The one exception: text
      // fields are decoded leniently (as Core accepts any bytes), so invalid UTF-8 becomes U+FFFD, which takes 3
      // bytes and may push a re-encoding past its byte limit: our encoder then refuses (a local invariant).
      let reencoded: Uint8Array;
      try {
        reencoded = encodePayload(msg);
      } catch (err) {
        assert.ok(err instanceof InvariantError, `${name} #${i}: ${String(err)}`);
        assert.ok(hasReplacementChar(msg), `${name} #${i}: ${err.message}`);
        continue;
      }
      const again = decodeMessage({ command: name, payload: reencoded });
      assert.deepEqual(again, msg, `${name} #${i} is stable under re-encoding`);
    }
    assert.ok(rejected > ITERATIONS / 2, `most mutations are rejected (${rejected})`);
    assert.ok(decoded > 0, 'some mutations still decode');
  });

  it('FrameDecoder: mutated streams in random chunks only ever throw peer SpvErrors', () => {
    const rand = prng(0x5eed_0002);
    const frames = VALID_PAYLOADS.map(([command, payload]) => encodeFrame(MAINNET_MAGIC, command, payload));
    for (let i = 0; i < ITERATIONS; i++) {
      const count = 1 + Math.floor(rand() * 4);
      const picked = Array.from({ length: count }, () => frames[Math.floor(rand() * frames.length)]!);
      const stream = rand() < 0.8 ? mutate(rand, concatBytes(...picked)) : concatBytes(...picked);
      const decoder = new FrameDecoder(MAINNET_MAGIC);
      const out: Frame[] = [];
      let off = 0;
      try {
        while (off < stream.length) {
          const n = 1 + Math.floor(rand() * 64);
          out.push(...decoder.push(stream.subarray(off, off + n)));
          off += n;
        }
      } catch (err) {
        assertPeerError(err, `stream #${i}`);
        assert.equal(decoder.failed, true);
        continue;
      }
      for (const frame of out) {
        try {
          decodeMessage(frame);
        } catch (err) {
          assertPeerError(err, `frame ${frame.command} of stream #${i}`);
        }
      }
    }
  });
});
