import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSpvError } from '../../src/errors/spvError.js';
import { concatBytes } from '../../src/util/bytes.js';
import type { WireMessage } from '../../src/wire/index.js';
import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  FRAME_HEADER_SIZE,
  FrameDecoder,
  MAX_ADDR_TO_SEND,
  MAX_HEADERS_RESULTS,
  MAX_INV_SZ,
  MAX_LOCATOR_SZ,
  MAX_MERKLE_TRANSACTIONS,
  MAX_PROTOCOL_MESSAGE_LENGTH,
  MAX_SUBVERSION_LENGTH,
  maxPayloadLength,
} from '../../src/wire/index.js';
import { MAINNET_MAGIC, VALID_PAYLOADS } from '../unit/wire/vectors.js';
import { arrayBufferBytes, assertTypedError, check, compactSize, hostileBytes, mutated, FUZZ_TIMEOUT_MS } from './fuzzUtil.js';

/**
 * fast-check over the P2P codec (builds on test/unit/wire/fuzz.test.ts, which replays a seeded mutation loop and
 * checks re-encoding): every decoder with random, mutated and extended inputs; the structural limits every decoded
 * message must respect; the frame decoder over arbitrary chunkings; and length prefixes that claim far more than is
 * there.
 */
const COMMANDS = [
  'version', 'verack', 'getaddr', 'sendheaders', 'wtxidrelay', 'sendaddrv2', 'ping', 'pong', 'getheaders', 'headers',
  'inv', 'getdata', 'notfound', 'merkleblock', 'tx', 'block', 'addr', 'addrv2', 'sendcmpct', 'feefilter', 'reject',
] as const;
const VALID = VALID_PAYLOADS.map(([, p]) => p);
const validFor = (command: string): Uint8Array[] => {
  const own = VALID_PAYLOADS.filter(([c]) => c === command).map(([, p]) => p);
  return own.length > 0 ? own : [new Uint8Array(0)];
};
const PEER = ['PEER_'];

/** What a decoded message must respect whatever bytes it came from. */
function assertWithinLimits(msg: WireMessage, payload: Uint8Array): void {
  switch (msg.command) {
    case 'headers':
      assert.ok(msg.count <= MAX_HEADERS_RESULTS);
      assert.equal(msg.headers.length, msg.count * 80);
      break;
    case 'inv':
    case 'getdata':
    case 'notfound':
      assert.ok(msg.items.length <= MAX_INV_SZ);
      for (const item of msg.items) assert.equal(item.hash.length, 32);
      break;
    case 'addr':
    case 'addrv2':
      assert.ok(msg.addresses.length <= MAX_ADDR_TO_SEND);
      break;
    case 'getheaders':
      assert.ok(msg.locator.length <= MAX_LOCATOR_SZ);
      assert.equal(msg.stopHash.length, 32);
      break;
    case 'merkleblock':
      assert.ok(msg.totalTransactions >= 1 && msg.totalTransactions <= MAX_MERKLE_TRANSACTIONS);
      assert.ok(msg.hashes.length <= msg.totalTransactions);
      assert.equal(msg.header.length, 80);
      break;
    case 'version':
      assert.ok(new TextEncoder().encode(msg.userAgent).length <= MAX_SUBVERSION_LENGTH * 3); // U+FFFD is 3 bytes
      break;
    default:
      break;
  }
  // Nothing decoded is larger than what was received (no amplification).
  assert.ok(JSON.stringify(msg, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? v.length : v)).length < 64 + payload.length * 64);
}

describe('fuzz: wire message decoders', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('decodeMessage: random, mutated and extended payloads of every command yield a message or a PEER_* SpvError', () => {
    let decoded = 0;
    let rejected = 0;
    check(
      'decodeMessage',
      fc.property(
        fc.constantFrom(...COMMANDS).chain((c) => fc.tuple(fc.constant(c), hostileBytes(validFor(c)))),
        ([command, payload]) => {
          try {
            const msg = decodeMessage({ command, payload });
            decoded++;
            assertWithinLimits(msg, payload);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            rejected++;
            assertTypedError(err, PEER, `(${command}, ${payload.length} bytes)`);
          }
        },
      ),
      4000,
    );
    console.log(`wire decodeMessage: decoded ${decoded}, rejected ${rejected}`);
    assert.ok(decoded > 0 && rejected > 0);
  });

  it('decodeMessage: any command over any command\'s mutated payloads (cross-command confusion)', () => {
    check(
      'decodeMessage direct',
      fc.property(fc.constantFrom(...COMMANDS), hostileBytes(VALID, 300), (command, payload) => {
        try {
          assertWithinLimits(decodeMessage({ command, payload }), payload);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, PEER, `(${command})`);
        }
      }),
      4000,
    );
  });

  it('decodeFrame: arbitrary bytes and mutated frames are a Frame or a PEER_* SpvError', () => {
    const frames = VALID_PAYLOADS.map(([c, p]) => encodeFrame(MAINNET_MAGIC, c, p));
    check(
      'decodeFrame',
      fc.property(hostileBytes(frames, 200), (bytes) => {
        try {
          const f = decodeFrame(MAINNET_MAGIC, bytes);
          assert.equal(f.payload.length, bytes.length - FRAME_HEADER_SIZE);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, PEER);
        }
      }),
      3000,
    );
  });
});

describe('fuzz: FrameDecoder over arbitrary chunkings', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const frames = VALID_PAYLOADS.map(([c, p]) => encodeFrame(MAINNET_MAGIC, c, p));
  const stream = fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...frames) }, { weight: 1, arbitrary: mutated(frames) }), { minLength: 1, maxLength: 5 })
    .map((parts) => concatBytes(...parts));
  const cuts = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 });

  it('yields frames or one PEER_* error, then stays failed; never buffers more than it was given', () => {
    check(
      'FrameDecoder',
      fc.property(stream, cuts, (bytes, sizes) => {
        const decoder = new FrameDecoder(MAINNET_MAGIC);
        let off = 0;
        let k = 0;
        let failure: unknown = null;
        while (off < bytes.length) {
          const n = sizes[k++ % sizes.length]!;
          const chunk = bytes.subarray(off, off + n);
          off += chunk.length;
          try {
            for (const f of decoder.push(chunk)) {
              assert.ok(f.payload.length <= maxPayloadLength(f.command));
              try {
                decodeMessage(f);
              } catch (err) {
                assertTypedError(err, PEER, `(frame ${f.command})`);
              }
            }
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertTypedError(err, PEER);
            failure = err;
            break;
          }
          assert.ok(decoder.bufferedBytes <= off, 'buffers no more than it received');
        }
        if (failure !== null) {
          assert.equal(decoder.failed, true);
          assert.throws(() => decoder.push(Uint8Array.of(1)), (e: unknown) => e === failure);
        }
      }),
      2500,
    );
  });

  it('a 24-byte header declaring the largest payload does not make it allocate that payload', () => {
    // Core's V1Transport grows its buffer as bytes arrive; so does FrameDecoder (64 KiB first). 64 decoders each
    // told to expect 4,000,000 bytes of `block` would pin 256 MB if the declared length were allocated up front.
    const header = encodeFrame(MAINNET_MAGIC, 'block', new Uint8Array(0)).slice(0, FRAME_HEADER_SIZE);
    new DataView(header.buffer).setUint32(16, MAX_PROTOCOL_MESSAGE_LENGTH, true);
    const before = arrayBufferBytes();
    const decoders = Array.from({ length: 64 }, () => new FrameDecoder(MAINNET_MAGIC));
    for (const d of decoders) {
      assert.deepEqual(d.push(header), []);
      assert.deepEqual(d.push(Uint8Array.of(0)), []);
      assert.equal(d.bufferedBytes, 1);
    }
    const grown = arrayBufferBytes() - before;
    console.log(`64 frames declaring ${MAX_PROTOCOL_MESSAGE_LENGTH} bytes: array buffers grew by ${grown} bytes`);
    assert.ok(grown < 64 * 4_000_000 / 8, `grew by ${grown} bytes`);
  });
});

/**
 * Length prefixes checked against the bytes that remain BEFORE anything is allocated (WireReader.count: the limit
 * first, then count * minItemSize against `remaining`; varBytes: max, then remaining; merkleblock: the tx count
 * bound first). A tiny payload claiming a huge count must fail with the count's own error, whatever the claim.
 */
describe('fuzz: tiny payloads claiming huge counts or lengths', { timeout: FUZZ_TIMEOUT_MS }, () => {
  interface Layout {
    readonly command: string;
    readonly prefix: Uint8Array;
    readonly max: number;
    readonly itemSize: number;
  }
  const header = VALID_PAYLOADS.find(([c]) => c === 'merkleblock')![1].subarray(0, 80);
  const version = VALID_PAYLOADS.find(([c]) => c === 'version')![1];
  const u32 = (n: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    return b;
  };
  const layouts: Layout[] = [
    { command: 'inv', prefix: new Uint8Array(0), max: MAX_INV_SZ, itemSize: 36 },
    { command: 'getdata', prefix: new Uint8Array(0), max: MAX_INV_SZ, itemSize: 36 },
    { command: 'notfound', prefix: new Uint8Array(0), max: MAX_INV_SZ, itemSize: 36 },
    { command: 'addr', prefix: new Uint8Array(0), max: MAX_ADDR_TO_SEND, itemSize: 30 },
    { command: 'addrv2', prefix: new Uint8Array(0), max: MAX_ADDR_TO_SEND, itemSize: 9 },
    { command: 'headers', prefix: new Uint8Array(0), max: MAX_HEADERS_RESULTS, itemSize: 81 },
    { command: 'getheaders', prefix: u32(70016), max: MAX_LOCATOR_SZ, itemSize: 32 },
    // merkleblock hashes: at most one per transaction (total = 16,666 here), 32 bytes each.
    { command: 'merkleblock', prefix: concatBytes(header, u32(MAX_MERKLE_TRANSACTIONS)), max: MAX_MERKLE_TRANSACTIONS, itemSize: 32 },
    // version: the user agent length (bytes, <= 256) after the 80 fixed bytes.
    { command: 'version', prefix: version.subarray(0, 80), max: MAX_SUBVERSION_LENGTH, itemSize: 1 },
    // reject: the rejected command's name (<= 12 bytes).
    { command: 'reject', prefix: new Uint8Array(0), max: 12, itemSize: 1 },
  ];
  const claim = fc.oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.integer({ min: 0xfd, max: 0x10000 }),
    fc.constantFrom(0xffffffff, 0x7fffffff, 0x02000001, MAX_INV_SZ + 1, MAX_HEADERS_RESULTS + 1, 1 << 20),
  );

  it('fail with PEER_TOO_MANY_ITEMS / PEER_TRUNCATED / PEER_MALFORMED, never by allocating the claim', () => {
    const before = arrayBufferBytes();
    let tooMany = 0;
    check(
      'huge counts',
      fc.property(fc.constantFrom(...layouts), claim, fc.uint8Array({ maxLength: 64 }), (layout, n, tail) => {
        const payload = concatBytes(layout.prefix, compactSize(n), tail);
        let err: unknown = null;
        try {
          decodeMessage({ command: layout.command, payload });
        } catch (e) {
          err = e;
        }
        if (n * layout.itemSize <= tail.length) {
          // Small enough to be there: any outcome, but only typed errors.
          if (err !== null) assertTypedError(err, PEER);
          return;
        }
        assert.ok(err !== null, `${layout.command} accepted a count of ${n} over ${tail.length} bytes`);
        const code = assertTypedError(err, ['PEER_TOO_MANY_ITEMS', 'PEER_TRUNCATED', 'PEER_MALFORMED']);
        if (n <= layout.max && isSpvError(err) && code === 'PEER_TRUNCATED') {
          // Refused at the length prefix itself, before any item is read or allocated: a counted list reports the
          // count it checked against the remaining bytes, a var-bytes field the length it needed.
          const detail = layout.itemSize === 1 ? err.details['need'] : err.details['count'];
          assert.equal(detail, n, `${layout.command}: a claim of ${n} was not refused at its prefix (${JSON.stringify(err.details)})`);
        }
        if (n > layout.max && isSpvError(err)) {
          // Counted lists report the limit itself; var-bytes fields report "too long" as PEER_MALFORMED.
          assert.ok(code === 'PEER_TOO_MANY_ITEMS' || code === 'PEER_MALFORMED', `${layout.command}: ${code}`);
          if (code === 'PEER_TOO_MANY_ITEMS') tooMany++;
        }
      }),
      3000,
    );
    const grown = arrayBufferBytes() - before;
    console.log(`huge counts: ${tooMany} over-limit claims refused; array buffers grew by ${grown} bytes`);
    // 3000 claims of up to 4G items: allocating even one claim of 50,000 x 36 would show here.
    assert.ok(grown < 16 * 1024 * 1024, `grew by ${grown} bytes`);
  });

  it('a 9-byte CompactSize (0xff prefix) is never a count: PEER_MALFORMED, and non-canonical sizes too', () => {
    check(
      'compact size forms',
      fc.property(
        fc.constantFrom(...layouts),
        fc.oneof(
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => Uint8Array.of(0xff, ...Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn)))),
          fc.integer({ min: 0, max: 0xfc }).map((v) => Uint8Array.of(0xfd, v, 0)),
          fc.integer({ min: 0, max: 0xffff }).map((v) => Uint8Array.of(0xfe, v & 0xff, v >> 8, 0, 0)),
        ),
        (layout, size) => {
          assert.throws(
            () => decodeMessage({ command: layout.command, payload: concatBytes(layout.prefix, size, new Uint8Array(8)) }),
            (e: unknown) => assertTypedError(e, ['PEER_MALFORMED', 'PEER_TRUNCATED']) !== undefined,
          );
        },
      ),
      1500,
    );
  });
});
