import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { workFromBits } from '../../../src/chain/work.js';
import { REGTEST } from '../../../src/chain/params.js';
import { BestChain } from '../../../src/store/bestChain.js';
import { CHUNK_HEADERS } from '../../../src/store/keys.js';
import { mulberry32 } from '../../helpers/random.js';

/** A deterministic pseudo-random 32-byte hash per (seed, height), with colliding probe keys on demand. */
function hashFor(seed: number, height: number, collide: boolean): Uint8Array {
  const rand = mulberry32(seed * 1_000_003 + height);
  const h = new Uint8Array(32);
  for (let i = 0; i < 32; i++) h[i] = Math.floor(rand() * 256);
  // Same first 4 bytes (the probe key) for every hash: every lookup walks one long probe run.
  if (collide) h.set([1, 2, 3, 4], 0);
  return h;
}

const BITS = REGTEST.powLimitBits;
const W = workFromBits(BITS);

describe('BestChain and its hash index', () => {
  test('model check: pushes and truncates keep heightOf, hashAt and chainworkAt equal to a plain model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }).map((k) => k * 2016),
        fc.boolean(),
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 300 }) }), fc.record({ cut: fc.nat() })), {
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 1000 }),
        (floor, collide, ops, seed) => {
          const best = new BestChain(floor, 16);
          const model: Uint8Array[] = [];
          const push = (): void => {
            const h = floor + model.length;
            const hash = hashFor(seed, h, collide);
            best.push(hash, 1_000_000 + h, BITS, W * BigInt(h - floor + 1));
            model.push(hash);
          };
          push();
          for (const op of ops) {
            if ('push' in op) for (let i = 0; i < op.push; i++) push();
            else {
              const to = floor + (op.cut % model.length);
              best.truncate(to);
              model.length = to - floor + 1;
            }
          }
          assert.equal(best.tipHeight, floor + model.length - 1);
          model.forEach((hash, i) => {
            assert.equal(best.heightOf(hash), floor + i);
            assert.deepEqual(best.hashAt(floor + i), hash);
            assert.equal(best.timeAt(floor + i), 1_000_000 + floor + i);
          });
          // Hashes cut away are gone; chainwork is the running sum from the chunk bases.
          assert.equal(best.heightOf(hashFor(seed, floor + model.length, collide)), -1);
          for (let h = floor; h <= best.tipHeight; h += 37) assert.equal(best.chainworkAt(h), W * BigInt(h - floor + 1));
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });

  test('more than one 32k-entry memory segment: entries copied out across a segment boundary are contiguous', () => {
    const floor = 2016 * 3; // not a multiple of the chunk size relative to segments
    const best = new BestChain(floor);
    const n = 70_000;
    for (let i = 0; i < n; i++) best.push(hashFor(9, floor + i, false), i, BITS, W * BigInt(i + 1));
    assert.equal(best.size, n);
    const from = floor + 32_760;
    const to = floor + 32_780;
    const out = new Uint8Array((to - from + 1) * 40);
    best.copyEntries(from, to, out, 0);
    for (let h = from; h <= to; h++) assert.deepEqual(out.subarray((h - from) * 40, (h - from) * 40 + 32), best.hashAt(h));
    assert.equal(best.heightOf(hashFor(9, floor + 65_000, false)), floor + 65_000);
    assert.equal(best.chainworkAt(floor + 65_000), W * 65_001n);
    assert.equal(best.chunkChainwork(Math.floor((floor + 64_000) / CHUNK_HEADERS)), W * BigInt(64_000 + 1 - ((floor + 64_000) % CHUNK_HEADERS)));
  });

  test('heightOf never answers for a hash that is not on the chain, even with its probe key', () => {
    const best = new BestChain(0);
    for (let i = 0; i < 500; i++) best.push(hashFor(3, i, true), i, BITS, W * BigInt(i + 1));
    const stranger = hashFor(4, 7, true);
    assert.equal(best.heightOf(stranger), -1);
    assert.equal(best.heightOf(hashFor(3, 499, true)), 499);
  });

  test('bits and times round-trip through the packed entries, including a segment with more distinct bits than its palette holds', () => {
    const floor = 2016;
    const best = new BestChain(floor);
    const n = 70_000;
    // Segment 0: a retarget-like pattern (a value per 2016 headers plus powLimit every 7th header, as on
    // testnet); segment 1: 300 distinct values in a row, past the 256-entry palette; segment 2: one value.
    const bitsFor = (i: number): number =>
      i < 32_768 ? (i % 7 === 0 ? BITS : 0x1d00ffff - Math.floor(i / 2016)) : i < 32_768 + 300 ? 0x1c000000 + i : 0x1b0404cb;
    const timeFor = (i: number): number => (1_231_006_505 + i * 600 - (i % 5) * 1000) >>> 0;
    const cumulative: bigint[] = [];
    let work = 0n;
    for (let i = 0; i < n; i++) {
      work += workFromBits(bitsFor(i));
      cumulative.push(work);
      best.push(hashFor(11, floor + i, false), timeFor(i), bitsFor(i), work);
    }
    assert.equal(best.chainworkAt(floor + 32_768 + 200), cumulative[32_768 + 200]);
    for (let i = 0; i < n; i += 1 + (i % 13)) {
      assert.equal(best.bitsAt(floor + i), bitsFor(i), `bits at ${floor + i}`);
      assert.equal(best.timeAt(floor + i), timeFor(i), `time at ${floor + i}`);
    }
    // Out through the stored layout and back in as a restart does: the copy answers the same.
    const out = new Uint8Array(n * 40);
    best.copyEntries(floor, floor + n - 1, out, 0);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i += 97) {
      assert.equal(dv.getUint32(i * 40 + 36, true), bitsFor(i));
      assert.equal(dv.getUint32(i * 40 + 32, true), timeFor(i));
    }
    const again = new BestChain(floor);
    let done = 0;
    // Chunks as stored: the anchor's partial chunk first, then 64 headers each.
    while (done < n) {
      const count = Math.min(n - done, done === 0 ? CHUNK_HEADERS - (floor % CHUNK_HEADERS) : CHUNK_HEADERS);
      again.pushChunk(out.subarray(done * 40, (done + count) * 40), count, cumulative[done]!);
      done += count;
    }
    for (let i = 0; i < n; i += 1 + (i % 11)) {
      assert.equal(again.bitsAt(floor + i), bitsFor(i));
      assert.equal(again.timeAt(floor + i), timeFor(i));
      assert.equal(again.heightOf(hashFor(11, floor + i, false)), floor + i);
    }
    assert.equal(again.chainworkAt(floor + n - 1), work);
    // Truncating into the wide segment and growing again keeps it exact.
    again.truncate(floor + 32_768 + 150);
    again.push(hashFor(12, 1, false), 5, 0x1a05db8b, work);
    assert.equal(again.bitsAt(floor + 32_768 + 151), 0x1a05db8b);
    assert.equal(again.bitsAt(floor + 32_768 + 150), bitsFor(32_768 + 150));
  });
});
