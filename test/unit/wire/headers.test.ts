import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { headerHash, parseHeader } from '../../../src/chain/header.js';
import { bytesEqual, concatBytes, hashToHex, toHex } from '../../../src/util/bytes.js';
import { ByteWriter } from '../../../src/util/byteWriter.js';
import type { Frame } from '../../../src/wire/index.js';
import {
  decodeMessage,
  encodeMessage,
  FOREIGN_HEADER_SIZE,
  FrameDecoder,
  MAX_HEADERS_RESULTS,
  maxPayloadLength,
} from '../../../src/wire/index.js';
import { GENESIS_HASH_HEX, GENESIS_HEADER, hex, MAINNET_MAGIC } from './vectors.js';
import { fixturePath, throwsCode } from './wireTestUtil.js';

const HEADERS_FILE = fixturePath('mainnet/headers/mainnet-headers-0-9999.bin');

function loadHeaders(count: number, from = 0): Uint8Array | null {
  if ('skip' in HEADERS_FILE) return null;
  const all = new Uint8Array(readFileSync(HEADERS_FILE.path));
  return all.slice(from * 80, (from + count) * 80);
}

/** A headers payload built by hand (count prefix + entries), bypassing the encoder's own checks. */
function rawHeadersPayload(count: number, entry: (i: number) => Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.varint(count);
  for (let i = 0; i < count; i++) w.bytes(entry(i));
  return w.finish();
}

/** A 164-byte header of the BLAKE2b fork: nVersion with bit 31 set. */
function foreignHeader(i: number, withTxCount: boolean): Uint8Array {
  const h = new Uint8Array(FOREIGN_HEADER_SIZE + (withTxCount ? 1 : 0));
  new DataView(h.buffer).setUint32(0, 0x80000000 | 0x20000000 | i, true);
  for (let j = 4; j < FOREIGN_HEADER_SIZE; j++) h[j] = (i * 7 + j) & 0xff;
  return h;
}

describe('headers message', () => {
  it('a full 2000-header message of real mainnet headers round-trips', (t) => {
    const raw = loadHeaders(MAX_HEADERS_RESULTS);
    if (raw === null) return t.skip('skip' in HEADERS_FILE ? HEADERS_FILE.skip : '');
    const frame = encodeMessage(MAINNET_MAGIC, { command: 'headers', count: MAX_HEADERS_RESULTS, headers: raw });
    assert.equal(frame.length, 24 + 3 + 2000 * 81); // ≈162 KB, as bitcoin-rules.md says
    assert.ok(frame.length - 24 <= maxPayloadLength('headers'));

    // Through the stream decoder in socket-sized chunks.
    const decoder = new FrameDecoder(MAINNET_MAGIC);
    const frames: Frame[] = [];
    for (let off = 0; off < frame.length; off += 1460) frames.push(...decoder.push(frame.subarray(off, off + 1460)));
    assert.equal(frames.length, 1);
    const msg = decodeMessage(frames[0]!);
    assert.equal(msg.command, 'headers');
    if (msg.command !== 'headers') return;
    assert.equal(msg.count, 2000);
    assert.ok(bytesEqual(msg.headers, raw));
    assert.ok(bytesEqual(msg.headers.subarray(0, 80), GENESIS_HEADER));
    assert.equal(hashToHex(headerHash(msg.headers.subarray(0, 80))), GENESIS_HASH_HEX);
    // One contiguous buffer: header i links to header i-1.
    for (let i = 1; i < msg.count; i++) {
      const prev = parseHeader(msg.headers.subarray(i * 80, i * 80 + 80)).prevHash;
      assert.ok(bytesEqual(prev, headerHash(msg.headers.subarray((i - 1) * 80, i * 80))), `link at ${i}`);
    }
    assert.equal(toHex(encodeMessage(MAINNET_MAGIC, msg)), toHex(frame));
  });

  it('more than 2000 headers is PEER_TOO_MANY_ITEMS', () => {
    const payload = rawHeadersPayload(2001, () => concatBytes(GENESIS_HEADER, hex('00')));
    throwsCode(() => decodeMessage({ command: 'headers', payload }), 'PEER_TOO_MANY_ITEMS');
    // The count alone, with nothing after it.
    throwsCode(() => decodeMessage({ command: 'headers', payload: hex('fdd107') }), 'PEER_TOO_MANY_ITEMS');
  });

  it('an entry with a non-zero tx count is PEER_MALFORMED', () => {
    const payload = concatBytes(hex('02'), GENESIS_HEADER, hex('00'), GENESIS_HEADER, hex('01'));
    throwsCode(() => decodeMessage({ command: 'headers', payload }), 'PEER_MALFORMED');
    // Non-zero tx count with the trailing bytes a real block would have: still malformed, never a block parse.
    const withTx = concatBytes(hex('01'), GENESIS_HEADER, hex('01'), new Uint8Array(10));
    throwsCode(() => decodeMessage({ command: 'headers', payload: withTx }), 'PEER_MALFORMED');
    // Zero written non-canonically (fd 0000) is malformed too.
    const nonCanonical = concatBytes(hex('01'), GENESIS_HEADER, hex('fd0000'));
    throwsCode(() => decodeMessage({ command: 'headers', payload: nonCanonical }), 'PEER_MALFORMED');
  });

  it('a non-canonical count prefix is PEER_MALFORMED', () => {
    throwsCode(
      () => decodeMessage({ command: 'headers', payload: concatBytes(hex('fd0100'), GENESIS_HEADER, hex('00')) }),
      'PEER_MALFORMED',
    );
  });

  it('164-byte headers with nVersion bit 31 (BLAKE2b fork) are PEER_FOREIGN_CHAIN', () => {
    for (const withTxCount of [false, true]) {
      for (const count of [1, 2, 37]) {
        const payload = rawHeadersPayload(count, (i) => foreignHeader(i, withTxCount));
        const note = `${count} entries, tx count byte: ${withTxCount}`;
        throwsCode(() => decodeMessage({ command: 'headers', payload }), 'PEER_FOREIGN_CHAIN', note);
      }
    }
  });

  it('a full 2000-entry foreign batch passes the frame limit and is reported as foreign', () => {
    const payload = rawHeadersPayload(MAX_HEADERS_RESULTS, (i) => foreignHeader(i, true));
    const frame = encodeMessage(MAINNET_MAGIC, { command: 'unknown', name: 'headers', payload });
    const frames = new FrameDecoder(MAINNET_MAGIC).push(frame);
    throwsCode(() => decodeMessage(frames[0]!), 'PEER_FOREIGN_CHAIN');
  });

  it('164-byte entries without bit 31, or a mixed run, are not called foreign', () => {
    const plain = rawHeadersPayload(2, (i) => {
      const h = foreignHeader(i, false);
      h[3] = 0x20; // bit 31 clear
      return h;
    });
    assert.throws(
      () => decodeMessage({ command: 'headers', payload: plain }),
      (err: unknown) => err instanceof Error && 'code' in err && err.code !== 'PEER_FOREIGN_CHAIN',
    );
    const mixed = rawHeadersPayload(2, (i) => {
      const h = foreignHeader(i, false);
      if (i === 1) h[3] = 0x20;
      return h;
    });
    assert.throws(
      () => decodeMessage({ command: 'headers', payload: mixed }),
      (err: unknown) => err instanceof Error && 'code' in err && err.code !== 'PEER_FOREIGN_CHAIN',
    );
  });

  it('truncated headers: inside an entry, and a count with nothing behind it', () => {
    const one = concatBytes(hex('01'), GENESIS_HEADER, hex('00'));
    for (let i = 1; i < one.length; i++) {
      const cut = one.subarray(0, i);
      throwsCode(() => decodeMessage({ command: 'headers', payload: cut }), 'PEER_TRUNCATED', `cut ${i}`);
    }
    throwsCode(() => decodeMessage({ command: 'headers', payload: hex('fdd007') }), 'PEER_TRUNCATED');
    throwsCode(() => decodeMessage({ command: 'headers', payload: new Uint8Array(0) }), 'PEER_TRUNCATED');
  });
});
