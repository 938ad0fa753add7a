import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Anchor } from '../../../src/chain/params.js';
import { REGTEST } from '../../../src/chain/params.js';
import { workFromBits } from '../../../src/chain/work.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import { bigintToBytes32, toHex } from '../../../src/util/bytes.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertAuditOk } from '../../helpers/assertions.js';

const W = workFromBits(REGTEST.powLimitBits);
const GENESIS = REGTEST.genesisHashHex;
const UNKNOWN = 'ab'.repeat(32);

function workHex(work: bigint): string {
  return toHex(bigintToBytes32(work));
}

function hexes(headers: readonly BuiltHeader[]): string[] {
  return headers.map((h) => h.hashHex);
}

/** Heights of the headers in a getheaders answer, checked to link to each other and to be 80 bytes each. */
function splitHeaders(raw: Uint8Array): Uint8Array[] {
  assert.equal(raw.length % 80, 0);
  const out: Uint8Array[] = [];
  for (let i = 0; i < raw.length; i += 80) out.push(raw.subarray(i, i + 80));
  return out;
}

/** Byte equality regardless of the Uint8Array subclass (level hands back Buffers). */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, msg?: string): void {
  assert.equal(toHex(actual), toHex(expected), msg);
}

function assertAnswer(raw: Uint8Array, expected: readonly BuiltHeader[]): void {
  const got = splitHeaders(raw);
  assert.equal(got.length, expected.length);
  got.forEach((h, i) => assertSameBytes(h, expected[i]!.raw, `header ${i}`));
}


/**
 * One store shared by the read-only query tests:
 *   best chain 0..40 (m[i] at height i + 1)
 *   side branch A: fork at 30, 5 headers 31..35
 *   side branch B: fork at 10, 3 headers 11..13
 */
describe('queries on a forked store', () => {
  const dir = tempDir('spv-queries-');
  let store: HeaderStore;
  const main = new ChainBuilder(REGTEST);
  const m = main.extend(40).headers;
  const a = main.fork(30).extend(5, { tag: 1 }).headers;
  const b = main.fork(10).extend(3, { tag: 2 }).headers;
  const at = (height: number): BuiltHeader => m[height - 1]!;

  before(async () => {
    store = await HeaderStore.open({ path: dir.path, params: REGTEST, start: { kind: 'genesis' } });
    assert.equal((await store.connectHeaders(concatHeaders(m))).outcome, 'extended');
    assert.equal((await store.connectHeaders(concatHeaders(a))).outcome, 'side');
    assert.equal((await store.connectHeaders(concatHeaders(b))).outcome, 'side');
  });

  after(async () => {
    await assertAuditOk(store);
    await store.close();
    dir.cleanup();
  });

  test('headerByHeight: the best chain only, null above the tip, below 0 and for non-integers', async () => {
    const g = await store.headerByHeight(0);
    assert.equal(g?.hashHex, GENESIS);
    assertSameBytes(g.header, REGTEST.genesisHeader);
    assert.equal(g.confirmations, 41);
    for (const h of m) {
      const info = await store.headerByHeight(h.height);
      assert.ok(info !== null);
      assert.equal(info.hashHex, h.hashHex);
      assertSameBytes(info.header, h.raw);
      assert.equal(info.height, h.height);
      assert.equal(info.time, h.time);
      assert.equal(info.onBestChain, true);
      assert.equal(info.chainworkHex, workHex(BigInt(h.height + 1) * W));
      assert.equal(info.confirmations, 40 - h.height + 1);
    }
    for (const bad of [41, 1000, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
      assert.equal(await store.headerByHeight(bad), null, `height ${bad}`);
    }
  });

  test('headerByHash: any branch; unknown and malformed hex give null', async () => {
    const onBest = await store.headerByHash(at(20).hashHex);
    assert.equal(onBest?.height, 20);
    assert.equal(onBest.onBestChain, true);
    const side = await store.headerByHash(a[2]!.hashHex);
    assert.equal(side?.height, 33);
    assert.equal(side.onBestChain, false);
    assert.equal(side.confirmations, 0);
    assertSameBytes(side.header, a[2]!.raw);
    assert.equal(side.chainworkHex, workHex(34n * W));
    assert.equal((await store.headerByHash(b[0]!.hashHex))?.height, 11);
    assert.equal((await store.headerByHash(GENESIS))?.height, 0);
    assert.equal(await store.headerByHash(UNKNOWN), null);
    const malformed = ['', 'zz'.repeat(32), at(20).hashHex.slice(1), at(20).hashHex + '00', at(20).hashHex.slice(0, 62) + 'g0'];
    for (const hex of malformed) assert.equal(await store.headerByHash(hex), null, JSON.stringify(hex));
  });

  test('confirmations: tip 1, deeper tip - h + 1, side branch and unknown 0', async () => {
    assert.equal(await store.confirmations(at(40).hashHex), 1);
    assert.equal(await store.confirmations(at(39).hashHex), 2);
    assert.equal(await store.confirmations(at(30).hashHex), 11);
    assert.equal(await store.confirmations(GENESIS), 41);
    for (const h of [...a, ...b]) assert.equal(await store.confirmations(h.hashHex), 0);
    assert.equal(await store.confirmations(UNKNOWN), 0);
    assert.equal(await store.confirmations('not hex'), 0);
  });

  test('locator: starts at the tip, dense then doubling, ends at genesis, all on the best chain', async () => {
    const loc = store.locator();
    assert.equal(loc[0], at(40).hashHex);
    assert.equal(loc[loc.length - 1], GENESIS);
    const heights: number[] = [];
    for (const hex of loc) {
      const info = await store.headerByHash(hex);
      assert.ok(info !== null);
      assert.equal(info.onBestChain, true);
      heights.push(info.height);
    }
    const gaps = heights.slice(1).map((h, i) => heights[i]! - h);
    assert.ok(gaps.every((g) => g > 0), 'strictly descending');
    // As Core's LocatorEntries: the first twelve are consecutive, then the step doubles; the last step
    // (to genesis) may be shorter.
    assert.deepEqual(heights.slice(0, 12), [40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29]);
    const tail = gaps.slice(11, -1);
    assert.ok(tail.length >= 2);
    assert.equal(tail[0], 2);
    for (let i = 1; i < tail.length; i++) assert.equal(tail[i], 2 * tail[i - 1]!);
    assert.ok(gaps[gaps.length - 1]! <= 2 * tail[tail.length - 1]!);
  });

  test('headersAfterLocator: from a locator on the best chain', async () => {
    // A peer at height 20, with a locator of its own.
    const peer = [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 9, 5, 0].map((h) => (h === 0 ? GENESIS : at(h).hashHex));
    assertAnswer(await store.headersAfterLocator(peer, null, 2000), m.slice(20));
    // A locator that is only genesis, or empty, or all unknown: everything after genesis.
    assertAnswer(await store.headersAfterLocator([GENESIS], null, 2000), m);
    assertAnswer(await store.headersAfterLocator([], null, 2000), m);
    assertAnswer(await store.headersAfterLocator([UNKNOWN, 'xyz'], null, 2000), m);
  });

  test('headersAfterLocator: side-branch and unknown hashes first, it finds the fork point', async () => {
    // A peer on side branch A (fork at 30).
    const peerA = [...hexes(a).reverse(), at(30).hashHex, at(29).hashHex, GENESIS];
    assertAnswer(await store.headersAfterLocator(peerA, null, 2000), m.slice(30));
    // A peer on side branch B (fork at 10), with an unknown and a malformed hash first.
    const peerB = [UNKNOWN, 'nothex', ...hexes(b).reverse(), at(10).hashHex, at(9).hashHex, GENESIS];
    assertAnswer(await store.headersAfterLocator(peerB, null, 2000), m.slice(10));
  });

  test('headersAfterLocator: stop hash, max, and an empty answer for a peer at our tip', async () => {
    const from20 = [at(20).hashHex];
    assertAnswer(await store.headersAfterLocator(from20, at(25).hashHex, 2000), m.slice(20, 25));
    assertAnswer(await store.headersAfterLocator(from20, at(21).hashHex, 2000), m.slice(20, 21));
    // A stop hash that is not on the best chain after the start is ignored.
    assertAnswer(await store.headersAfterLocator(from20, a[4]!.hashHex, 2000), m.slice(20));
    assertAnswer(await store.headersAfterLocator(from20, at(10).hashHex, 2000), m.slice(20));
    assertAnswer(await store.headersAfterLocator(from20, UNKNOWN, 2000), m.slice(20));
    // max bounds the answer; the stop hash still wins when it is earlier.
    assertAnswer(await store.headersAfterLocator(from20, null, 5), m.slice(20, 25));
    assertAnswer(await store.headersAfterLocator(from20, at(22).hashHex, 5), m.slice(20, 22));
    assert.equal((await store.headersAfterLocator(from20, null, 0)).length, 0);
    // A peer at our tip gets nothing.
    assert.equal((await store.headersAfterLocator(store.locator(), null, 2000)).length, 0);
    assert.equal((await store.headersAfterLocator([at(40).hashHex], null, 2000)).length, 0);
  });

  test('ancestorAt: on the best chain and from a side branch across the fork point', async () => {
    assert.equal((await store.ancestorAt(at(40).hashHex, 15))?.hashHex, at(15).hashHex);
    assert.equal((await store.ancestorAt(at(40).hashHex, 40))?.hashHex, at(40).hashHex);
    assert.equal((await store.ancestorAt(at(40).hashHex, 0))?.hashHex, GENESIS);
    assert.equal((await store.ancestorAt(at(20).hashHex, 20))?.hashHex, at(20).hashHex);

    // From the top of side branch A (height 35) down.
    const top = a[4]!.hashHex;
    const onSide = await store.ancestorAt(top, 32);
    assert.equal(onSide?.hashHex, a[1]!.hashHex);
    assert.equal(onSide.onBestChain, false);
    assert.equal((await store.ancestorAt(top, 35))?.hashHex, top);
    const fork = await store.ancestorAt(top, 30);
    assert.equal(fork?.hashHex, at(30).hashHex);
    assert.equal(fork.onBestChain, true);
    assert.equal((await store.ancestorAt(top, 5))?.hashHex, at(5).hashHex);
    assert.equal((await store.ancestorAt(b[2]!.hashHex, 11))?.hashHex, b[0]!.hashHex);
    assert.equal((await store.ancestorAt(b[2]!.hashHex, 10))?.hashHex, at(10).hashHex);

    // Out of range or bad arguments.
    assert.equal(await store.ancestorAt(top, 36), null);
    assert.equal(await store.ancestorAt(at(20).hashHex, 21), null);
    assert.equal(await store.ancestorAt(at(20).hashHex, -1), null);
    assert.equal(await store.ancestorAt(at(20).hashHex, 2.5), null);
    assert.equal(await store.ancestorAt(at(20).hashHex, Number.NaN), null);
    assert.equal(await store.ancestorAt(UNKNOWN, 1), null);
    assert.equal(await store.ancestorAt('bad', 1), null);
  });
});

describe('queries after a reorg', () => {
  test('height index, locator, confirmations and getheaders follow the new best chain', async () => {
    const dir = tempDir('spv-queries-');
    const store = await HeaderStore.open({ path: dir.path, params: REGTEST, start: { kind: 'genesis' } });
    try {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(30).headers;
      const s = main.fork(18).extend(14, { tag: 1 }).headers; // 19..32
      await store.connectHeaders(concatHeaders(m));
      assert.equal((await store.connectHeaders(concatHeaders(s))).outcome, 'reorg');
      for (const hex of store.locator()) assert.equal((await store.headerByHash(hex))?.onBestChain, true);
      assert.equal(store.locator()[0], s[13]!.hashHex);
      assert.equal(await store.confirmations(m[29]!.hashHex), 0);
      assert.equal(await store.confirmations(s[0]!.hashHex), 14);
      assert.equal(await store.confirmations(m[17]!.hashHex), 15);
      // A peer still on the old chain (tip 30) is sent the new branch from the fork point.
      const oldLocator = [m[29]!.hashHex, m[28]!.hashHex, m[20]!.hashHex, m[17]!.hashHex, GENESIS];
      assertAnswer(await store.headersAfterLocator(oldLocator, null, 2000), s);
      assert.equal((await store.ancestorAt(m[29]!.hashHex, 18))?.hashHex, m[17]!.hashHex);
      assert.equal((await store.ancestorAt(m[29]!.hashHex, 25))?.onBestChain, false);
      await assertAuditOk(store);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });
});

describe('headersAfterLocator on a long chain', () => {
  test('the answer is capped at 2,000 headers whatever max asks', async () => {
    const dir = tempDir('spv-queries-');
    const store = await HeaderStore.open({ path: dir.path, params: REGTEST, start: { kind: 'genesis' } });
    try {
      const m = new ChainBuilder(REGTEST).extend(2100).headers;
      await store.connectHeaders(concatHeaders(m));
      assertAnswer(await store.headersAfterLocator([GENESIS], null, 2000), m.slice(0, 2000));
      assertAnswer(await store.headersAfterLocator([GENESIS], null, 5000), m.slice(0, 2000));
      assertAnswer(await store.headersAfterLocator([m[49]!.hashHex], null, 5000), m.slice(50, 2050));
      assertAnswer(await store.headersAfterLocator([m[199]!.hashHex], null, 5000), m.slice(200));
      assert.ok(store.locator().length <= 101);
      await assertAuditOk(store);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });
});

describe('a store started from an anchor', () => {
  const builder = new ChainBuilder(REGTEST);
  const all = builder.extend(2040).headers; // 1..2040
  const byHeight = (h: number): BuiltHeader => all[h - 1]!;
  const anchor: Anchor = { height: 2016, header: byHeight(2016).raw, chainwork: 2017n * W };

  test('extension, locator ending at the anchor, nothing below it', async () => {
    const dir = tempDir('spv-queries-');
    const store = await HeaderStore.open({ path: dir.path, params: REGTEST, start: { kind: 'anchor', anchor } });
    try {
      const st = store.stats();
      assert.equal(st.anchorHeight, 2016);
      assert.equal(st.anchorHashHex, byHeight(2016).hashHex);
      assert.equal(st.headerCount, 1);
      assert.equal(store.tip().height, 2016);
      assert.equal(store.tip().chainworkHex, workHex(anchor.chainwork));
      assert.deepEqual(store.locator(), [byHeight(2016).hashHex]);

      const above = all.slice(2016); // 2017..2040
      const r = await store.connectHeaders(concatHeaders(above));
      assert.equal(r.outcome, 'extended');
      assert.equal(r.connectedCount, 24);
      assert.equal(r.tip.height, 2040);
      assert.equal(r.tip.chainworkHex, workHex(anchor.chainwork + 24n * W));
      assert.equal(store.stats().headerCount, 25);

      const loc = store.locator();
      assert.equal(loc[0], byHeight(2040).hashHex);
      assert.equal(loc[loc.length - 1], byHeight(2016).hashHex);

      const anchorInfo = await store.headerByHeight(2016);
      assert.equal(anchorInfo?.hashHex, byHeight(2016).hashHex);
      assert.equal(anchorInfo.confirmations, 25);
      assert.equal(anchorInfo.chainworkHex, workHex(anchor.chainwork));
      assert.equal(await store.headerByHeight(2015), null);
      assert.equal(await store.headerByHeight(0), null);
      assert.equal(await store.headerByHash(GENESIS), null);
      assert.equal(await store.confirmations(byHeight(2000).hashHex), 0);
      assert.equal(await store.ancestorAt(byHeight(2040).hashHex, 2015), null);
      assert.equal((await store.ancestorAt(byHeight(2040).hashHex, 2016))?.hashHex, byHeight(2016).hashHex);

      // getheaders from nothing we know starts after the anchor.
      assertAnswer(await store.headersAfterLocator([GENESIS], null, 2000), above);

      // The anchor header itself is a duplicate; headers below it do not connect.
      const dupAnchor = await store.connectHeaders(byHeight(2016).raw);
      assert.equal(dupAnchor.outcome, 'duplicate');
      assert.equal(dupAnchor.lastHeight, 2016);
      const dupRun = await store.connectHeaders(concatHeaders(all.slice(2015, 2020)));
      assert.equal(dupRun.outcome, 'duplicate');
      assert.equal(dupRun.duplicates, 5);
      const below = await store.connectHeaders(concatHeaders(all.slice(2013, 2017)));
      assert.equal(below.outcome, 'unconnected');
      assert.equal(below.missingHashHex, byHeight(2013).hashHex);

      // Forks from the anchor itself.
      const side = builder.fork(2016).extend(25, { tag: 1 }).headers; // 2017..2041
      const rs = await store.connectHeaders(concatHeaders(side));
      assert.equal(rs.outcome, 'reorg');
      assert.equal(rs.forkHeight, 2016);
      assert.deepEqual(rs.disconnected, hexes(above));
      assert.equal(store.stats().headerCount, 50);
      await assertAuditOk(store);

      // Reopened: the anchor is kept, the start option is ignored for a non-empty store.
      await store.close();
      const again = await HeaderStore.open({ path: dir.path, params: REGTEST, start: { kind: 'genesis' } });
      try {
        assert.equal(again.stats().anchorHeight, 2016);
        assert.equal(again.tip().hashHex, side[24]!.hashHex);
        assert.equal(await again.headerByHeight(2015), null);
        await assertAuditOk(again);
      } finally {
        await again.close();
      }
    } finally {
      await store.close();
      dir.cleanup();
    }
  });
});
