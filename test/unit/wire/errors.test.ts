import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpvError } from '../../../src/errors/spvError.js';
import { concatBytes, toHex } from '../../../src/util/bytes.js';
import { ByteWriter } from '../../../src/util/byteWriter.js';
import type { WireMessage } from '../../../src/wire/index.js';
import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodePayload,
  FrameDecoder,
  MAX_ADDR_TO_SEND,
  MAX_INV_SZ,
  MAX_LOCATOR_SZ,
  MAX_MERKLE_TRANSACTIONS,
  maxMerkleFlagBytes,
} from '../../../src/wire/index.js';
import {
  CAPTURED_ADDR_FRAME,
  CAPTURED_GETHEADERS_FRAME,
  CAPTURED_INV_FRAME,
  CAPTURED_VERSION_FRAME,
  CORE_MERKLEBLOCK_PAYLOAD,
  GENESIS_HEADER,
  hex,
  MAINNET_MAGIC,
  VALID_PAYLOADS,
  WIKI_VERSION_FRAME,
} from './vectors.js';
import { throwsCode } from './wireTestUtil.js';

function payloadOf(frame: Uint8Array): Uint8Array {
  return decodeFrame(MAINNET_MAGIC, frame).payload;
}

function decode(command: string, payload: Uint8Array): WireMessage {
  return decodeMessage({ command, payload });
}


/**
 * Prefixes that are complete messages in their own right: a version without its optional relay byte, a reject
 * without its optional hash, and opaque tx/block (not parsed, so only their minimum size is known).
 */
function prefixIsValid(command: string, payload: Uint8Array, cut: number): boolean {
  if (command === 'version') return cut === payload.length - 1;
  if (command === 'reject') return cut === payload.length - 32;
  if (command === 'tx') return cut >= 10;
  if (command === 'block') return cut >= 91;
  return false;
}

describe('wire errors', () => {
  it('every valid vector decodes', () => {
    for (const [command, payload] of VALID_PAYLOADS) assert.equal(decode(command, payload).command, command);
  });

  it('every proper prefix of every message type is PEER_TRUNCATED', () => {
    for (const [command, payload] of VALID_PAYLOADS) {
      for (let cut = 0; cut < payload.length; cut++) {
        if (prefixIsValid(command, payload, cut)) continue;
        throwsCode(() => decode(command, payload.subarray(0, cut)), 'PEER_TRUNCATED', `${command} cut at ${cut}`);
      }
    }
  });

  it('a trailing byte is PEER_MALFORMED', () => {
    for (const [command, payload] of VALID_PAYLOADS) {
      if (command === 'tx' || command === 'block') continue; // opaque
      throwsCode(() => decode(command, concatBytes(payload, hex('00'))), 'PEER_MALFORMED', command);
    }
    // Empty-by-definition messages with any payload.
    for (const command of ['verack', 'getaddr', 'sendheaders', 'wtxidrelay', 'sendaddrv2']) {
      throwsCode(() => decode(command, hex('00')), 'PEER_MALFORMED', command);
    }
    // The wiki version has no relay byte: one trailing byte is its relay flag, two are malformed.
    const wiki = payloadOf(WIKI_VERSION_FRAME);
    assert.equal(decode('version', concatBytes(wiki, hex('01'))).command, 'version');
    throwsCode(() => decode('version', concatBytes(wiki, hex('0100'))), 'PEER_MALFORMED');
  });

  it('non-canonical CompactSize anywhere is PEER_MALFORMED', () => {
    const inv = payloadOf(CAPTURED_INV_FRAME); // count 04
    throwsCode(() => decode('inv', concatBytes(hex('fd0400'), inv.subarray(1))), 'PEER_MALFORMED');
    throwsCode(() => decode('inv', concatBytes(hex('fe04000000'), inv.subarray(1))), 'PEER_MALFORMED');
    throwsCode(() => decode('inv', concatBytes(hex('ff0400000000000000'), inv.subarray(1))), 'PEER_MALFORMED');
    const addr = payloadOf(CAPTURED_ADDR_FRAME);
    throwsCode(() => decode('addr', concatBytes(hex('fd0200'), addr.subarray(1))), 'PEER_MALFORMED');
    const gh = payloadOf(CAPTURED_GETHEADERS_FRAME); // version(4) + count 1e
    const ghNonCanonical = concatBytes(gh.subarray(0, 4), hex('fd1e00'), gh.subarray(5));
    throwsCode(() => decode('getheaders', ghNonCanonical), 'PEER_MALFORMED');
    // version: user agent length 16 written as fd 1000.
    const v = payloadOf(CAPTURED_VERSION_FRAME);
    const uaAt = 4 + 8 + 8 + 26 + 26 + 8;
    assert.equal(v[uaAt], 0x10);
    const vNonCanonical = concatBytes(v.subarray(0, uaAt), hex('fd1000'), v.subarray(uaAt + 1));
    throwsCode(() => decode('version', vNonCanonical), 'PEER_MALFORMED');
    // addrv2: services 0x448 written with 0xfe, and 1 written with 0xff.
    const a2 = (services: string) => hex('01', '00000000', services, '01', '04', '01020304', '208d');
    assert.equal(decode('addrv2', a2('fd4804')).command, 'addrv2');
    throwsCode(() => decode('addrv2', a2('fe48040000')), 'PEER_MALFORMED');
    throwsCode(() => decode('addrv2', a2('ff0100000000000000')), 'PEER_MALFORMED');
    // merkleblock: hash count 1 as fd 0100; flag byte count 1 as fd 0100.
    const mb = CORE_MERKLEBLOCK_PAYLOAD;
    const hashCount = concatBytes(mb.subarray(0, 84), hex('fd0100'), mb.subarray(85));
    throwsCode(() => decode('merkleblock', hashCount), 'PEER_MALFORMED');
    const flagCount = concatBytes(mb.subarray(0, 117), hex('fd0100'), mb.subarray(118));
    throwsCode(() => decode('merkleblock', flagCount), 'PEER_MALFORMED');
  });

  it('count limits: inv > 50,000, addr > 1,000, addrv2 > 1,000, locator > 101', () => {
    const w = (count: number, entry: Uint8Array) => {
      const bw = new ByteWriter();
      bw.varint(count);
      for (let i = 0; i < count; i++) bw.bytes(entry);
      return bw.finish();
    };
    const invEntry = concatBytes(hex('01000000'), new Uint8Array(32));
    assert.equal(decode('inv', w(MAX_INV_SZ, invEntry)).command, 'inv');
    for (const cmd of ['inv', 'getdata', 'notfound']) {
      throwsCode(() => decode(cmd, w(MAX_INV_SZ + 1, invEntry)), 'PEER_TOO_MANY_ITEMS', cmd);
    }
    const addrEntry = payloadOf(CAPTURED_ADDR_FRAME).subarray(1, 31);
    assert.equal(decode('addr', w(MAX_ADDR_TO_SEND, addrEntry)).command, 'addr');
    throwsCode(() => decode('addr', w(MAX_ADDR_TO_SEND + 1, addrEntry)), 'PEER_TOO_MANY_ITEMS');
    const addrV2Entry = hex('00000000', '01', '01', '04', '01020304', '208d');
    assert.equal(decode('addrv2', w(MAX_ADDR_TO_SEND, addrV2Entry)).command, 'addrv2');
    throwsCode(() => decode('addrv2', w(MAX_ADDR_TO_SEND + 1, addrV2Entry)), 'PEER_TOO_MANY_ITEMS');
    const locator = (n: number) => concatBytes(hex('72110100'), w(n, new Uint8Array(32)), new Uint8Array(32));
    assert.equal(decode('getheaders', locator(MAX_LOCATOR_SZ)).command, 'getheaders');
    throwsCode(() => decode('getheaders', locator(MAX_LOCATOR_SZ + 1)), 'PEER_TOO_MANY_ITEMS');
  });

  it('a count far larger than the bytes behind it fails before allocating', () => {
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    // 50,000 inventory items announced, 4 bytes present.
    throwsCode(() => decode('inv', hex('fd50c3', '01000000')), 'PEER_TRUNCATED');
    // 4,294,967,295 items.
    throwsCode(() => decode('inv', hex('feffffffff')), 'PEER_TOO_MANY_ITEMS');
    // A 64-bit count.
    throwsCode(() => decode('addr', hex('ffffffffffffffffff')), 'PEER_MALFORMED');
    throwsCode(() => decode('headers', hex('fdd007')), 'PEER_TRUNCATED');
    throwsCode(() => decode('addrv2', hex('fde803', '00')), 'PEER_TRUNCATED');
    // User agent announcing 0xffffffff bytes; addrv2 address announcing 2^32-1 bytes.
    const v = payloadOf(CAPTURED_VERSION_FRAME);
    throwsCode(() => decode('version', concatBytes(v.subarray(0, 80), hex('feffffffff'))), 'PEER_MALFORMED');
    throwsCode(() => decode('addrv2', hex('01', '00000000', '01', '01', 'feffffffff')), 'PEER_MALFORMED');
    // merkleblock: 16,666 hashes announced, none present.
    const mb = concatBytes(GENESIS_HEADER, hex('1a410000', 'fd1a41'));
    throwsCode(() => decode('merkleblock', mb), 'PEER_TRUNCATED');
    assert.ok(performance.now() - started < 1000);
    assert.ok(process.memoryUsage().arrayBuffers - before < 1_000_000);
  });

  it('version: user agent over 256 bytes', () => {
    const v = payloadOf(CAPTURED_VERSION_FRAME);
    const uaAt = 4 + 8 + 8 + 26 + 26 + 8;
    const ua = new Uint8Array(257).fill(0x61);
    const long = concatBytes(v.subarray(0, uaAt), hex('fd0101'), ua, v.subarray(uaAt + 17));
    throwsCode(() => decode('version', long), 'PEER_MALFORMED');
    const max = concatBytes(v.subarray(0, uaAt), hex('fd0001'), ua.subarray(0, 256), v.subarray(uaAt + 17));
    const msg = decode('version', max);
    assert.ok(msg.command === 'version' && msg.userAgent.length === 256);
  });

  it('addrv2: wrong length for a known network, address over 512 bytes', () => {
    throwsCode(() => decode('addrv2', hex('01', '00000000', '01', '01', '05', '0102030405', '208d')), 'PEER_MALFORMED');
    const torV3Of16 = hex('01', '00000000', '01', '04', '10', '00'.repeat(16), '208d');
    throwsCode(() => decode('addrv2', torV3Of16), 'PEER_MALFORMED');
    const big = hex('01', '00000000', '01', '2a', 'fd0102', '00'.repeat(513), '208d');
    throwsCode(() => decode('addrv2', big), 'PEER_MALFORMED');
    // 512 bytes on an unknown network is allowed and skipped.
    const max = hex('01', '00000000', '01', '2a', 'fd0002', '00'.repeat(512), '208d');
    const msg = decode('addrv2', max);
    assert.ok(msg.command === 'addrv2' && msg.addresses.length === 0);
  });

  it('merkleblock bounds: zero or too many transactions, hashes > total, flag bytes > tree size', () => {
    const mb = (total: number, hashes: number, flags: number) => {
      const w = new ByteWriter();
      w.bytes(GENESIS_HEADER).u32le(total).varint(hashes);
      for (let i = 0; i < hashes; i++) w.bytes(new Uint8Array(32).fill(i));
      w.varint(flags).bytes(new Uint8Array(flags).fill(0xff));
      return w.finish();
    };
    assert.equal(decode('merkleblock', mb(7, 7, maxMerkleFlagBytes(7))).command, 'merkleblock');
    throwsCode(() => decode('merkleblock', mb(0, 0, 0)), 'PEER_MALFORMED');
    throwsCode(() => decode('merkleblock', mb(MAX_MERKLE_TRANSACTIONS + 1, 1, 1)), 'PEER_MALFORMED');
    assert.equal(decode('merkleblock', mb(MAX_MERKLE_TRANSACTIONS, 1, 1)).command, 'merkleblock');
    throwsCode(() => decode('merkleblock', mb(3, 4, 1)), 'PEER_TOO_MANY_ITEMS');
    throwsCode(() => decode('merkleblock', mb(7, 7, maxMerkleFlagBytes(7) + 1)), 'PEER_TOO_MANY_ITEMS');
    assert.equal(MAX_MERKLE_TRANSACTIONS, 16_666);
  });

  it('reject: message over 12 bytes, reason over 111 bytes, partial hash', () => {
    const byte = (n: number) => n.toString(16).padStart(2, '0');
    const rej = (msgLen: number, reasonLen: number, extra = '') =>
      hex(byte(msgLen), '61'.repeat(msgLen), '10', byte(reasonLen), '62'.repeat(reasonLen), extra);
    assert.equal(decode('reject', rej(12, 111)).command, 'reject');
    throwsCode(() => decode('reject', rej(13, 1)), 'PEER_MALFORMED');
    throwsCode(() => decode('reject', rej(2, 112)), 'PEER_MALFORMED');
    throwsCode(() => decode('reject', rej(2, 2, '00'.repeat(31))), 'PEER_TRUNCATED');
  });

  it('tx and block shorter than the smallest possible are PEER_TRUNCATED', () => {
    throwsCode(() => decode('tx', new Uint8Array(0)), 'PEER_TRUNCATED');
    throwsCode(() => decode('tx', new Uint8Array(9)), 'PEER_TRUNCATED');
    throwsCode(() => decode('block', GENESIS_HEADER), 'PEER_TRUNCATED');
  });

  it('decodeMessage enforces the protocol cap; the frame decoder the per-command limits', () => {
    throwsCode(() => decode('foo', new Uint8Array(4_000_001)), 'PEER_OVERSIZED');
    throwsCode(() => decode('tx', new Uint8Array(4_000_001)), 'PEER_OVERSIZED');
    // 50,001 full inventory entries: over the count rule for decodeMessage, over the byte limit for a frame header.
    const bw = new ByteWriter();
    bw.varint(MAX_INV_SZ + 1);
    for (let i = 0; i <= MAX_INV_SZ; i++) bw.u32le(1).bytes(new Uint8Array(32));
    const payload = bw.finish();
    throwsCode(() => decode('inv', payload), 'PEER_TOO_MANY_ITEMS');
    const header = encodeFrame(MAINNET_MAGIC, 'inv', new Uint8Array(0)).slice(0, 24);
    new DataView(header.buffer).setUint32(16, payload.length, true);
    throwsCode(() => new FrameDecoder(MAINNET_MAGIC).push(header), 'PEER_OVERSIZED');
  });

  it('errors carry plain-data details and no other exception type escapes', () => {
    try {
      decode('inv', hex('fd50c3'));
      assert.fail('should throw');
    } catch (err) {
      assert.ok(isSpvError(err));
      assert.equal(structuredClone(err.details).count, 50_000);
    }
    // Encoding what was decoded never throws for valid vectors.
    for (const [command, payload] of VALID_PAYLOADS) {
      assert.equal(toHex(encodePayload(decode(command, payload))), toHex(payload), command);
    }
  });
});
