import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headerHash } from '../../../src/chain/header.js';
import type { ChainParams } from '../../../src/chain/params.js';
import { REGTEST } from '../../../src/chain/params.js';
import { TargetCache, hashMeetsTarget } from '../../../src/chain/pow.js';
import { workFromBits } from '../../../src/chain/work.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import type { ConnectResult } from '../../../src/protocol/chainTypes.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import { bigintToBytes32, concatBytes, hashToHex, toHex } from '../../../src/util/bytes.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertAuditOk, hasCode } from '../../helpers/assertions.js';

/** Regtest work of one header at powLimit (every regtest header has it). */
const W = workFromBits(REGTEST.powLimitBits);

function workHex(work: bigint): string {
  return toHex(bigintToBytes32(work));
}

function hexes(headers: readonly BuiltHeader[]): string[] {
  return headers.map((h) => h.hashHex);
}



/** Runs `fn` on a fresh genesis-started store in a temp dir; audits it at the end; always closes and cleans up. */
async function withStore(
  fn: (store: HeaderStore) => Promise<void>,
  opts: { params?: ChainParams; now?: () => number } = {},
): Promise<void> {
  const dir = tempDir('spv-forks-');
  const store = await HeaderStore.open({
    path: dir.path,
    params: opts.params ?? REGTEST,
    start: { kind: 'genesis' },
    ...(opts.now !== undefined ? { now: opts.now } : {}),
  });
  try {
    await fn(store);
    await assertAuditOk(store);
  } finally {
    await store.close();
    dir.cleanup();
  }
}

function assertNoReorgFields(r: ConnectResult): void {
  assert.equal(r.forkHeight, null);
  assert.deepEqual(r.disconnected, []);
  assert.deepEqual(r.connected, []);
  assert.equal(r.missingHashHex, null);
}

async function assertOnBest(store: HeaderStore, headers: readonly BuiltHeader[]): Promise<void> {
  for (const h of headers) {
    const byHeight = await store.headerByHeight(h.height);
    assert.equal(byHeight?.hashHex, h.hashHex, `best chain at ${h.height}`);
    assert.equal(byHeight.onBestChain, true);
  }
}

async function assertOffBest(store: HeaderStore, headers: readonly BuiltHeader[]): Promise<void> {
  for (const h of headers) {
    const info = await store.headerByHash(h.hashHex);
    assert.ok(info !== null, `side header at ${h.height} is stored`);
    assert.equal(info.height, h.height);
    assert.equal(info.onBestChain, false);
    assert.equal(info.confirmations, 0);
    assert.equal(await store.confirmations(h.hashHex), 0);
    assert.notEqual((await store.headerByHeight(h.height))?.hashHex, h.hashHex);
  }
}

describe('case a: extending the best chain', () => {
  test('a batch on the tip is stored and moves the tip', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      const first = b.extend(10);
      const r = await store.connectHeaders(first.raw);
      assert.equal(r.outcome, 'extended');
      assert.equal(r.stored, 10);
      assert.equal(r.duplicates, 0);
      assert.equal(r.connectedCount, 10);
      assert.equal(r.rejected, null);
      assert.equal(r.lastHeight, 10);
      assertNoReorgFields(r);
      const last = first.headers[9]!;
      assert.equal(r.tip.height, 10);
      assert.equal(r.tip.hashHex, last.hashHex);
      assert.equal(r.tip.time, last.time);
      assert.equal(r.tip.chainworkHex, workHex(11n * W));
      assert.deepEqual(store.tip(), r.tip);
      assert.equal(store.stats().headerCount, 11);
      await assertOnBest(store, first.headers);

      // One header per message, as a peer announcing new blocks sends them.
      for (let i = 0; i < 3; i++) {
        const h = b.next();
        const one = await store.connectHeaders(h.raw);
        assert.equal(one.outcome, 'extended');
        assert.equal(one.stored, 1);
        assert.equal(one.connectedCount, 1);
        assert.equal(one.lastHeight, h.height);
        assert.equal(one.tip.hashHex, h.hashHex);
        assertNoReorgFields(one);
      }
      assert.equal(store.tip().height, 13);
      assert.equal(store.tip().chainworkHex, workHex(14n * W));
      assert.equal(store.stats().headerCount, 14);
    }));
});

describe('case b: a side branch with more work becomes best', () => {
  test('reorg reports the fork point, disconnected and connected hashes, and rewrites the height index', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(20).headers;
      assert.equal((await store.connectHeaders(concatHeaders(m))).outcome, 'extended');

      const side = main.fork(15);
      const s1 = side.extend(5, { tag: 1 }).headers; // 16..20: equal work, first seen keeps the tip
      const r1 = await store.connectHeaders(concatHeaders(s1));
      assert.equal(r1.outcome, 'side');
      assert.equal(r1.stored, 5);
      assert.equal(r1.connectedCount, 0);
      assert.equal(r1.tip.hashHex, m[19]!.hashHex);
      assertNoReorgFields(r1);

      const s2 = side.extend(1, { tag: 1 }).headers; // 21: more work than the tip
      const r2 = await store.connectHeaders(concatHeaders(s2));
      assert.equal(r2.outcome, 'reorg');
      assert.equal(r2.stored, 1);
      assert.equal(r2.duplicates, 0);
      assert.equal(r2.forkHeight, 15);
      assert.deepEqual(r2.disconnected, hexes(m.slice(15)));
      assert.deepEqual(r2.connected, hexes([...s1, ...s2]));
      assert.equal(r2.connectedCount, 6);
      assert.equal(r2.lastHeight, 21);
      assert.equal(r2.tip.height, 21);
      assert.equal(r2.tip.hashHex, s2[0]!.hashHex);
      assert.equal(r2.tip.chainworkHex, workHex(22n * W));
      assert.equal(r2.missingHashHex, null);
      assert.deepEqual(store.tip(), r2.tip);

      // The height index is rewritten: the new branch above the fork, the old chain below it.
      await assertOnBest(store, m.slice(0, 15));
      await assertOnBest(store, [...s1, ...s2]);
      assert.equal((await store.headerByHeight(16))?.confirmations, 6);
      // The old branch is kept, but off the best chain.
      await assertOffBest(store, m.slice(15));
      assert.equal(store.stats().headerCount, 1 + 20 + 6);
      await assertAuditOk(store);

      // And back: the old branch grows past the new one (two headers in one batch).
      const m2 = main.extend(2).headers; // 21..22
      const r3 = await store.connectHeaders(concatHeaders(m2));
      assert.equal(r3.outcome, 'reorg');
      assert.equal(r3.forkHeight, 15);
      assert.deepEqual(r3.disconnected, hexes([...s1, ...s2]));
      assert.deepEqual(r3.connected, hexes([...m.slice(15), ...m2]));
      assert.equal(r3.connectedCount, 7);
      assert.equal(r3.tip.hashHex, m2[1]!.hashHex);
      await assertOnBest(store, [...m, ...m2]);
      await assertOffBest(store, [...s1, ...s2]);
      assert.equal(store.stats().headerCount, 1 + 22 + 6);
    }));

  test('a whole winning branch in one batch, starting with best-chain headers it shares', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(12).headers;
      await store.connectHeaders(concatHeaders(m));
      const side = main.fork(8);
      const s = side.extend(6, { tag: 7 }).headers; // 9..14
      // The peer's batch starts at height 6: 6..8 are ours already.
      const r = await store.connectHeaders(concatHeaders([...m.slice(5, 8), ...s]));
      assert.equal(r.outcome, 'reorg');
      assert.equal(r.duplicates, 3);
      assert.equal(r.stored, 6);
      assert.equal(r.forkHeight, 8);
      assert.deepEqual(r.disconnected, hexes(m.slice(8)));
      assert.deepEqual(r.connected, hexes(s));
      assert.equal(r.connectedCount, 6);
      assert.equal(r.lastHeight, 14);
      await assertOnBest(store, [...m.slice(0, 8), ...s]);
      await assertOffBest(store, m.slice(8));
      // A shorter but already-stored branch never comes back by being re-sent.
      const again = await store.connectHeaders(concatHeaders(m));
      assert.equal(again.outcome, 'duplicate');
      assert.equal(again.tip.hashHex, s[5]!.hashHex);
    }));

  test('a reorg to a branch forking at genesis', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(4).headers;
      await store.connectHeaders(concatHeaders(m));
      const s = main.fork(0).extend(5, { tag: 3 }).headers;
      const r = await store.connectHeaders(concatHeaders(s));
      assert.equal(r.outcome, 'reorg');
      assert.equal(r.forkHeight, 0);
      assert.deepEqual(r.disconnected, hexes(m));
      assert.deepEqual(r.connected, hexes(s));
      assert.equal(r.tip.height, 5);
      await assertOnBest(store, s);
      await assertOffBest(store, m);
      assert.equal((await store.headerByHeight(0))?.hashHex, REGTEST.genesisHashHex);
    }));
});

describe('case c: duplicates', () => {
  test('the same batch again writes nothing; a known prefix with a new suffix extends', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      const h = b.extend(15).headers;
      await store.connectHeaders(concatHeaders(h.slice(0, 10)));
      const tipBefore = store.tip();

      const dup = await store.connectHeaders(concatHeaders(h.slice(0, 10)));
      assert.equal(dup.outcome, 'duplicate');
      assert.equal(dup.stored, 0);
      assert.equal(dup.duplicates, 10);
      assert.equal(dup.connectedCount, 0);
      assert.equal(dup.lastHeight, 10);
      assert.equal(dup.rejected, null);
      assertNoReorgFields(dup);
      assert.deepEqual(dup.tip, tipBefore);
      assert.equal(store.stats().headerCount, 11);

      // A slice from the middle of the best chain.
      const mid = await store.connectHeaders(concatHeaders(h.slice(2, 7)));
      assert.equal(mid.outcome, 'duplicate');
      assert.equal(mid.duplicates, 5);
      assert.equal(mid.lastHeight, 7);
      assert.equal(store.stats().headerCount, 11);

      // Known prefix 6..10, new suffix 11..15.
      const ext = await store.connectHeaders(concatHeaders(h.slice(5, 15)));
      assert.equal(ext.outcome, 'extended');
      assert.equal(ext.duplicates, 5);
      assert.equal(ext.stored, 5);
      assert.equal(ext.connectedCount, 5);
      assert.equal(ext.lastHeight, 15);
      assert.equal(ext.tip.hashHex, h[14]!.hashHex);
      assert.equal(store.stats().headerCount, 16);
    }));

  test('re-sending the genesis header, alone or leading a batch', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      const h = b.extend(4).headers;
      await store.connectHeaders(concatHeaders(h.slice(0, 3)));

      const g = await store.connectHeaders(REGTEST.genesisHeader);
      assert.equal(g.outcome, 'duplicate');
      assert.equal(g.duplicates, 1);
      assert.equal(g.stored, 0);
      assert.equal(g.lastHeight, 0);
      assert.equal(g.missingHashHex, null);

      const gAll = await store.connectHeaders(concatBytes(REGTEST.genesisHeader, concatHeaders(h.slice(0, 3))));
      assert.equal(gAll.outcome, 'duplicate');
      assert.equal(gAll.duplicates, 4);
      assert.equal(gAll.lastHeight, 3);

      const gExt = await store.connectHeaders(concatBytes(REGTEST.genesisHeader, concatHeaders(h)));
      assert.equal(gExt.outcome, 'extended');
      assert.equal(gExt.duplicates, 4);
      assert.equal(gExt.stored, 1);
      assert.equal(gExt.tip.hashHex, h[3]!.hashHex);
      assert.equal(store.stats().headerCount, 5);
    }));

  test('side-branch headers sent again are duplicates; with a new suffix they extend the side branch', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(10).headers;
      await store.connectHeaders(concatHeaders(m));
      const side = main.fork(4);
      const s = side.extend(4, { tag: 2 }).headers; // 5..8
      assert.equal((await store.connectHeaders(concatHeaders(s))).outcome, 'side');
      const count = store.stats().headerCount;

      const dup = await store.connectHeaders(concatHeaders(s));
      assert.equal(dup.outcome, 'duplicate');
      assert.equal(dup.duplicates, 4);
      assert.equal(dup.stored, 0);
      assert.equal(dup.lastHeight, 8);
      assert.equal(store.stats().headerCount, count);

      // Best-chain prefix, the known side headers, then new ones (still less work than the tip).
      const more = side.extend(1, { tag: 2 }).headers; // 9
      const r = await store.connectHeaders(concatHeaders([...m.slice(2, 4), ...s, ...more]));
      assert.equal(r.outcome, 'side');
      assert.equal(r.duplicates, 6);
      assert.equal(r.stored, 1);
      assert.equal(r.lastHeight, 9);
      assert.equal(r.tip.hashHex, m[9]!.hashHex);
      assert.equal(store.stats().headerCount, count + 1);
      await assertOffBest(store, [...s, ...more]);
    }));
});

describe('case d: side branches that do not beat the best chain', () => {
  test('stored at various depths, tip unchanged', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(30).headers;
      await store.connectHeaders(concatHeaders(m));
      const tip = store.tip();
      let count = store.stats().headerCount;

      const cases: Array<{ fork: number; n: number; tag: number }> = [
        { fork: 29, n: 1, tag: 1 }, // a competing tip (equal work)
        { fork: 20, n: 5, tag: 2 },
        { fork: 10, n: 3, tag: 3 },
        { fork: 0, n: 2, tag: 4 }, // from genesis
      ];
      const stored: BuiltHeader[][] = [];
      for (const c of cases) {
        const s = main.fork(c.fork).extend(c.n, { tag: c.tag }).headers;
        const r = await store.connectHeaders(concatHeaders(s));
        assert.equal(r.outcome, 'side', `fork at ${c.fork}`);
        assert.equal(r.stored, c.n);
        assert.equal(r.duplicates, 0);
        assert.equal(r.connectedCount, 0);
        assert.equal(r.lastHeight, c.fork + c.n);
        assertNoReorgFields(r);
        assert.deepEqual(r.tip, tip);
        count += c.n;
        assert.equal(store.stats().headerCount, count);
        stored.push(s);
      }

      // A branch off a side branch, and a side branch fed in several batches.
      const deep = main.fork(10);
      const d1 = deep.extend(3, { tag: 3 }).headers; // the same headers as the fork-at-10 case
      assert.deepEqual(hexes(d1), hexes(stored[2]!));
      const sub = deep.fork(12).extend(4, { tag: 5 }).headers; // 13..16, leaves the side branch at 12
      const rSub = await store.connectHeaders(concatHeaders(sub));
      assert.equal(rSub.outcome, 'side');
      assert.equal(rSub.stored, 4);
      count += 4;
      for (let i = 0; i < 3; i++) {
        const more = deep.extend(2, { tag: 3 }).headers;
        const r = await store.connectHeaders(concatHeaders(more));
        assert.equal(r.outcome, 'side');
        assert.equal(r.stored, 2);
        assert.equal(r.lastHeight, more[1]!.height);
        count += 2;
      }
      assert.equal(store.stats().headerCount, count);
      assert.deepEqual(store.tip(), tip);
      await assertOnBest(store, m);
      await assertOffBest(store, [...stored.flat(), ...sub]);
      const subAncestor = await store.ancestorAt(sub[3]!.hashHex, 12);
      assert.equal(subAncestor?.hashHex, d1[1]!.hashHex);
    }));
});

describe('case e: unconnected', () => {
  test('a batch whose parent is unknown stores nothing and names the missing parent', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      await store.connectHeaders(b.extend(10).raw);
      const tip = store.tip();
      const gap = b.extend(3).headers; // 11..13, never sent
      const later = b.extend(2).headers; // 14..15
      const r = await store.connectHeaders(concatHeaders(later));
      assert.equal(r.outcome, 'unconnected');
      assert.equal(r.missingHashHex, gap[2]!.hashHex);
      assert.equal(r.stored, 0);
      assert.equal(r.duplicates, 0);
      assert.equal(r.connectedCount, 0);
      assert.equal(r.lastHeight, null);
      assert.equal(r.rejected?.code, 'HEADER_UNCONNECTED');
      assert.equal(r.rejected.index, 0);
      assert.deepEqual(r.tip, tip);
      assert.equal(store.stats().headerCount, 11);
      assert.equal(await store.headerByHash(later[0]!.hashHex), null);

      // Once the gap is filled, the same batch extends.
      assert.equal((await store.connectHeaders(concatHeaders(gap))).outcome, 'extended');
      const r2 = await store.connectHeaders(concatHeaders(later));
      assert.equal(r2.outcome, 'extended');
      assert.equal(r2.stored, 2);
    }));

  test('a header of a foreign chain is unconnected', () =>
    withStore(async (store) => {
      const foreign = new ChainBuilder(REGTEST, { header: new ChainBuilder(REGTEST).fork(0).next({ tag: 99 }).raw, height: 1 });
      const h = foreign.extend(2).headers;
      const r = await store.connectHeaders(concatHeaders(h));
      assert.equal(r.outcome, 'unconnected');
      assert.equal(r.missingHashHex, hashToHex(h[0]!.raw.subarray(4, 36)));
      assert.equal(store.stats().headerCount, 1);
    }));
});

describe('fork choice: most work wins, ties keep the first seen', () => {
  test('two equal branches: the second is side; one more header on it makes it best', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(10).headers;
      const a = main.fork(5).extend(5, { tag: 1 }).headers; // 6..10 (equal height and work to main)
      await store.connectHeaders(concatHeaders(m));
      const r1 = await store.connectHeaders(concatHeaders(a));
      assert.equal(r1.outcome, 'side');
      assert.equal(r1.tip.hashHex, m[9]!.hashHex);
      assert.equal((await store.headerByHash(a[4]!.hashHex))?.chainworkHex, store.tip().chainworkHex);

      // A third equal branch is also side.
      const c = main.fork(7).extend(3, { tag: 2 }).headers;
      assert.equal((await store.connectHeaders(concatHeaders(c))).outcome, 'side');
      assert.equal(store.tip().hashHex, m[9]!.hashHex);

      const side = main.fork(5);
      side.extend(5, { tag: 1 });
      const extra = side.next({ tag: 1 });
      const r2 = await store.connectHeaders(extra.raw);
      assert.equal(r2.outcome, 'reorg');
      assert.equal(r2.forkHeight, 5);
      assert.deepEqual(r2.disconnected, hexes(m.slice(5)));
      assert.deepEqual(r2.connected, hexes([...a, extra]));
    }));

  test('a shorter branch with more cumulative work beats a longer one', () => {
    // Regtest with retargeting on: a branch mined fast hits the 4x difficulty clamp at 2016.
    const params: ChainParams = { ...REGTEST, powNoRetargeting: false, powAllowMinDifficultyBlocks: false };
    return withStore(
      async (store) => {
        const long = new ChainBuilder(params);
        const l = long.extend(2020).headers; // 600 s apart: bits stay near powLimit
        const short = long.fork(0);
        const s = short.extend(2017, { spacing: 1, tag: 1 }).headers; // 1 s apart: harder after 2016
        const workOf = (hs: readonly BuiltHeader[]): bigint =>
          hs.reduce((acc, h) => acc + workFromBits(h.bits), workFromBits(params.powLimitBits));
        assert.ok(s.length < l.length);
        assert.ok(workOf(s) > workOf(l), 'test setup: the short branch has more work');
        assert.ok(workFromBits(s[2016]!.bits) > workFromBits(l[2016]!.bits));

        assert.equal((await store.connectHeaders(concatHeaders(l))).outcome, 'extended');
        const r = await store.connectHeaders(concatHeaders(s));
        assert.equal(r.outcome, 'reorg');
        assert.equal(r.forkHeight, 0);
        assert.equal(r.tip.height, 2017);
        assert.equal(r.tip.chainworkHex, workHex(workOf(s)));
        assert.equal(r.disconnected.length, 2020);
        assert.equal(r.connected.length, 2017);
        assert.equal((await store.headerByHeight(2018)), null);

        // The longer branch grows further but stays side until its work exceeds the short one's.
        let sides = 0;
        const grown = [...l];
        for (;;) {
          const h = long.next();
          grown.push(h);
          const rr = await store.connectHeaders(h.raw);
          if (workOf(grown) > workOf(s)) {
            assert.equal(rr.outcome, 'reorg');
            assert.equal(rr.forkHeight, 0);
            break;
          }
          assert.equal(rr.outcome, 'side');
          sides++;
        }
        assert.ok(sides >= 2, 'the longer branch stayed side for a while');
        assert.equal(store.tip().hashHex, grown[grown.length - 1]!.hashHex);
      },
      { params },
    );
  });
});

function breakPow(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw);
  const t = new TargetCache(REGTEST.powLimit).get(REGTEST.powLimitBits);
  assert.ok(!(t instanceof Error));
  const dv = new DataView(out.buffer);
  for (let nonce = dv.getUint32(76, true) + 1; ; nonce++) {
    dv.setUint32(76, nonce >>> 0, true);
    if (!hashMeetsTarget(headerHash(out), t.targetBE)) return out;
  }
}

describe('invalid headers inside a batch', () => {
  const genesisTime = new ChainBuilder(REGTEST).tipTime;
  const now = genesisTime + 1_000_000;

  const bad: Array<{ code: ErrorCode; make: (b: ChainBuilder) => Uint8Array }> = [
    { code: 'HEADER_BAD_DIFFBITS', make: (b) => b.next({ bits: 0x1f7fffff }).raw },
    { code: 'HEADER_BAD_TARGET', make: (b) => b.next({ bits: 0x2100ffff }).raw },
    { code: 'HEADER_BAD_POW', make: (b) => breakPow(b.next().raw) },
    { code: 'HEADER_TIME_TOO_OLD', make: (b) => b.next({ time: b.tipTime - 6000 }).raw },
    { code: 'HEADER_TIME_TOO_NEW', make: (b) => b.next({ time: now + 2 * 3600 + 1 }).raw },
    { code: 'HEADER_BAD_VERSION', make: (b) => b.next({ version: 3 }).raw },
  ];

  for (const c of bad) {
    test(`${c.code} in the middle: the valid prefix is stored, the rest is not`, () =>
      withStore(
        async (store) => {
          const b = new ChainBuilder(REGTEST);
          await store.connectHeaders(b.extend(5).raw);
          const prefix = b.extend(3).headers; // 6..8
          const rest = b.fork(b.tipHeight);
          const badRaw = c.make(rest);
          const tail = rest.extend(2).headers;
          const batch = concatBytes(concatHeaders(prefix), badRaw, concatHeaders(tail));
          const r = await store.connectHeaders(batch);
          assert.equal(r.outcome, 'invalid');
          assert.equal(r.stored, 3);
          assert.equal(r.connectedCount, 3);
          assert.equal(r.lastHeight, 8);
          assert.equal(r.rejected?.code, c.code);
          assert.equal(r.rejected.index, 3);
          assert.equal(r.rejected.height, 9);
          assert.equal(r.rejected.hashHex, hashToHex(headerHash(badRaw)));
          assert.equal(r.tip.hashHex, prefix[2]!.hashHex);
          assert.equal(store.stats().headerCount, 9);
          assert.equal(await store.headerByHash(r.rejected.hashHex), null);
          for (const t of tail) assert.equal(await store.headerByHash(t.hashHex), null);
          assert.equal(await store.headerByHeight(9), null);
          await assertOnBest(store, prefix);

          // The good chain continues normally afterwards.
          const good = b.extend(2).headers;
          assert.equal((await store.connectHeaders(concatHeaders(good))).outcome, 'extended');
        },
        { now: () => now },
      ));
  }

  test('a gap in the batch (HEADER_BAD_PREV) and an invalid first header', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      const h = b.extend(6).headers;
      const r = await store.connectHeaders(concatHeaders([h[0]!, h[1]!, h[3]!, h[4]!]));
      assert.equal(r.outcome, 'invalid');
      assert.equal(r.rejected?.code, 'HEADER_BAD_PREV');
      assert.equal(r.rejected.index, 2);
      assert.equal(r.stored, 2);
      assert.equal(r.tip.height, 2);
      assert.equal(store.stats().headerCount, 3);

      const first = b.fork(6);
      const badFirst = breakPow(first.next().raw);
      await store.connectHeaders(concatHeaders(h.slice(2)));
      const tip = store.tip();
      const r2 = await store.connectHeaders(badFirst);
      assert.equal(r2.outcome, 'invalid');
      assert.equal(r2.stored, 0);
      assert.equal(r2.lastHeight, null);
      assert.equal(r2.rejected?.index, 0);
      assert.equal(r2.rejected.code, 'HEADER_BAD_POW');
      assert.deepEqual(r2.tip, tip);
      assert.equal(store.stats().headerCount, 7);
    }));

  test('an invalid header after a winning side-branch prefix still reports the reorg', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(10).headers;
      await store.connectHeaders(concatHeaders(m));
      const side = main.fork(6);
      const s = side.extend(5, { tag: 1 }).headers; // 7..11: beats 10
      const badRaw = side.next({ tag: 1, version: 1 }).raw;
      const r = await store.connectHeaders(concatBytes(concatHeaders(s), badRaw));
      assert.equal(r.outcome, 'invalid');
      assert.equal(r.rejected?.code, 'HEADER_BAD_VERSION');
      assert.equal(r.rejected.index, 5);
      assert.equal(r.stored, 5);
      assert.equal(r.forkHeight, 6);
      assert.deepEqual(r.disconnected, hexes(m.slice(6)));
      assert.deepEqual(r.connected, hexes(s));
      assert.equal(r.tip.hashHex, s[4]!.hashHex);
      await assertOnBest(store, s);
      await assertOffBest(store, m.slice(6));
    }));

  test('an invalid header in a losing side branch keeps its valid prefix as a side branch', () =>
    withStore(async (store) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(10).headers;
      await store.connectHeaders(concatHeaders(m));
      const side = main.fork(3);
      const s = side.extend(2, { tag: 1 }).headers;
      const badRaw = side.next({ tag: 1, bits: 0x1f7fffff }).raw;
      const r = await store.connectHeaders(concatBytes(concatHeaders(s), badRaw));
      assert.equal(r.outcome, 'invalid');
      assert.equal(r.rejected?.code, 'HEADER_BAD_DIFFBITS');
      assert.equal(r.rejected.height, 6);
      assert.equal(r.stored, 2);
      assert.equal(r.connectedCount, 0);
      assert.equal(r.tip.hashHex, m[9]!.hashHex);
      await assertOffBest(store, s);
    }));
});

describe('malformed batches', () => {
  test('HEADER_BAD_LENGTH for 79 bytes, an empty batch and a partial second header', () =>
    withStore(async (store) => {
      const b = new ChainBuilder(REGTEST);
      const two = b.extend(2).raw;
      await assert.rejects(store.connectHeaders(new Uint8Array(79)), hasCode('HEADER_BAD_LENGTH'));
      await assert.rejects(store.connectHeaders(new Uint8Array(0)), hasCode('HEADER_BAD_LENGTH'));
      await assert.rejects(store.connectHeaders(two.subarray(0, 159)), hasCode('HEADER_BAD_LENGTH'));
      assert.equal(store.stats().headerCount, 1);
      // The store still works after a rejected call.
      assert.equal((await store.connectHeaders(two)).outcome, 'extended');
    }));
});
