import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Anchor, ChainParams } from '../../../src/chain/params.js';
import { REGTEST } from '../../../src/chain/params.js';
import { workFromBits } from '../../../src/chain/work.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import { withStoreDir as withDir } from '../../helpers/tempStore.js';
import { assertAuditOk } from '../../helpers/assertions.js';

const W = workFromBits(REGTEST.powLimitBits);

function hexes(headers: readonly BuiltHeader[]): string[] {
  return headers.map((h) => h.hashHex);
}



function openGenesis(path: string, params: ChainParams = REGTEST): Promise<HeaderStore> {
  return HeaderStore.open({ path, params, start: { kind: 'genesis' } });
}

/**
 * best chain 1..60 (600 s apart), and side branches:
 *   A: fork at 50, 51..55 (entirely above the rollback point)
 *   B: fork at 20, 21..23 (entirely below it)
 *   C: fork at 38, 39..44 (straddles it)
 */
function scenario(): {
  main: ChainBuilder;
  m: BuiltHeader[];
  a: BuiltHeader[];
  b: BuiltHeader[];
  c: BuiltHeader[];
  at: (h: number) => BuiltHeader;
} {
  const main = new ChainBuilder(REGTEST);
  const m = main.extend(60).headers;
  const a = main.fork(50).extend(5, { tag: 1 }).headers;
  const b = main.fork(20).extend(3, { tag: 2 }).headers;
  const c = main.fork(38).extend(6, { tag: 3 }).headers;
  return { main, m, a, b, c, at: (h) => m[h - 1]! };
}

async function load(store: HeaderStore, s: ReturnType<typeof scenario>): Promise<void> {
  assert.equal((await store.connectHeaders(concatHeaders(s.m))).outcome, 'extended');
  for (const side of [s.a, s.b, s.c]) assert.equal((await store.connectHeaders(concatHeaders(side))).outcome, 'side');
  assert.equal(store.stats().headerCount, 1 + 60 + 5 + 3 + 6);
}

describe('rollbackToTime', () => {
  test('to a time in the middle: newest best-chain header before it, every branch above deleted', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const s = scenario();
      await load(store, s);
      const before = store.stats().headerCount;

      const r = await store.rollbackToTime(s.at(42).time);
      assert.equal(r.tip.height, 41);
      assert.equal(r.tip.hashHex, s.at(41).hashHex);
      assert.equal(r.tip.chainworkHex, (42n * W).toString(16).padStart(64, '0'));
      assert.deepEqual(store.tip(), r.tip);
      assert.deepEqual(r.disconnected, hexes(s.m.slice(41)));
      // main 42..60 (19) + A (5) + C 42..44 (3)
      assert.equal(r.deleted, 19 + 5 + 3);
      assert.equal(store.stats().headerCount, before - r.deleted);

      assert.equal(await store.headerByHeight(42), null);
      assert.equal((await store.headerByHeight(41))?.confirmations, 1);
      for (const h of [...s.m.slice(41), ...s.a, ...s.c.slice(3)]) {
        assert.equal(await store.headerByHash(h.hashHex), null, `deleted ${h.height}`);
      }
      // What is at or below the new tip stays, on every branch.
      for (const h of [...s.b, ...s.c.slice(0, 3)]) {
        const info = await store.headerByHash(h.hashHex);
        assert.equal(info?.height, h.height);
        assert.equal(info.onBestChain, false);
      }
      assert.equal(store.locator()[0], s.at(41).hashHex);
      await assertAuditOk(store);

      // Re-sending the deleted headers stores them again.
      const again = await store.connectHeaders(concatHeaders(s.m.slice(30)));
      assert.equal(again.outcome, 'extended');
      assert.equal(again.duplicates, 11);
      assert.equal(again.stored, 19);
      assert.equal(again.connectedCount, 19);
      assert.equal(again.tip.hashHex, s.at(60).hashHex);
      const sideAgain = await store.connectHeaders(concatHeaders(s.a));
      assert.equal(sideAgain.outcome, 'side');
      assert.equal(sideAgain.stored, 5);
      const cAgain = await store.connectHeaders(concatHeaders(s.c));
      assert.equal(cAgain.outcome, 'side');
      assert.equal(cAgain.duplicates, 3);
      assert.equal(cAgain.stored, 3);
      assert.equal(store.stats().headerCount, before);
      await assertAuditOk(store);
    }));

  test('the boundary is strict: a header whose time equals t is removed, one second later it stays', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const s = scenario();
      await load(store, s);
      assert.equal((await store.rollbackToTime(s.at(50).time + 1)).tip.height, 50);
      assert.equal((await store.rollbackToTime(s.at(50).time)).tip.height, 49);
      await assertAuditOk(store);
    }));

  test('to the future, or at the tip time + 1: nothing happens', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const s = scenario();
      await load(store, s);
      const stats = store.stats();
      for (const t of [s.at(60).time + 1, 4_000_000_000]) {
        const r = await store.rollbackToTime(t);
        assert.deepEqual(r.disconnected, []);
        assert.equal(r.deleted, 0);
        assert.deepEqual(r.tip, stats.tip);
        assert.deepEqual(store.stats(), stats);
      }
      await assertAuditOk(store);
    }));

  test('to before the start clamps at genesis', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const s = scenario();
      await load(store, s);
      const r = await store.rollbackToTime(0);
      assert.equal(r.tip.height, 0);
      assert.equal(r.tip.hashHex, REGTEST.genesisHashHex);
      assert.deepEqual(r.disconnected, hexes(s.m));
      assert.equal(r.deleted, 60 + 5 + 3 + 6);
      assert.equal(store.stats().headerCount, 1);
      assert.deepEqual(store.locator(), [REGTEST.genesisHashHex]);
      await assertAuditOk(store);
      // A second rollback at the floor is a no-op.
      const r2 = await store.rollbackToTime(0);
      assert.equal(r2.deleted, 0);
      assert.deepEqual(r2.disconnected, []);
      const ext = await store.connectHeaders(concatHeaders(s.m));
      assert.equal(ext.outcome, 'extended');
      assert.equal(ext.stored, 60);
      await assertAuditOk(store);
    }));

  test('to before an anchor clamps at the anchor', () =>
    withDir(async (path, track) => {
      const builder = new ChainBuilder(REGTEST);
      const all = builder.extend(2030).headers;
      const anchor: Anchor = { height: 2016, header: all[2015]!.raw, chainwork: 2017n * W };
      const store = track(await HeaderStore.open({ path, params: REGTEST, start: { kind: 'anchor', anchor } }));
      const above = all.slice(2016);
      await store.connectHeaders(concatHeaders(above));
      const side = builder.fork(2020).extend(3, { tag: 1 }).headers;
      assert.equal((await store.connectHeaders(concatHeaders(side))).outcome, 'side');
      const r = await store.rollbackToTime(0);
      assert.equal(r.tip.height, 2016);
      assert.equal(r.tip.hashHex, all[2015]!.hashHex);
      assert.equal(r.tip.chainworkHex, (2017n * W).toString(16).padStart(64, '0'));
      assert.deepEqual(r.disconnected, hexes(above));
      assert.equal(r.deleted, 14 + 3);
      assert.equal(store.stats().headerCount, 1);
      await assertAuditOk(store);
      assert.equal((await store.connectHeaders(concatHeaders(above))).outcome, 'extended');
      await assertAuditOk(store);
    }));

  test('the newest best-chain header with time < t, even when an older one has a later time', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const b = new ChainBuilder(REGTEST);
      const h = b.extend(20).headers;
      const early = b.next({ time: h[19]!.time - 300 }); // 21: earlier than its parent, still above MTP
      const late = b.extend(3).headers; // 22..24
      await store.connectHeaders(concatHeaders([...h, early, ...late]));
      assert.equal(store.tip().height, 24);
      // t between early's time and its parent's: walking down from the tip, 21 is the first with time < t.
      const r = await store.rollbackToTime(h[19]!.time - 100);
      assert.equal(r.tip.height, 21);
      assert.deepEqual(r.disconnected, hexes(late));
      await assertAuditOk(store);
    }));

  test('a rollback survives a restart, and the deleted headers extend again afterwards', () =>
    withDir(async (path, track) => {
      const s = scenario();
      const first = track(await openGenesis(path));
      await load(first, s);
      const r = await first.rollbackToTime(s.at(30).time);
      assert.equal(r.tip.height, 29);
      const stats = first.stats();
      const locator = first.locator();
      await first.close();

      const second = track(await openGenesis(path));
      assert.deepEqual(second.stats(), stats);
      assert.deepEqual(second.locator(), locator);
      assert.equal(await second.headerByHeight(30), null);
      assert.equal(await second.headerByHash(s.at(30).hashHex), null);
      assert.equal(await second.headerByHash(s.b[0]!.hashHex).then((i) => i?.height), 21);
      await assertAuditOk(second);

      const again = await second.connectHeaders(concatHeaders(s.m.slice(29)));
      assert.equal(again.outcome, 'extended');
      assert.equal(again.stored, 31);
      assert.equal(again.duplicates, 0);
      assert.equal(second.tip().hashHex, s.at(60).hashHex);
      await assertAuditOk(second);
    }));
});

describe('rollbackToHeight', () => {
  test('sets the tip, deletes every branch above, clamps at the tip and at the start', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const s = scenario();
      await load(store, s);

      const noop = await store.rollbackToHeight(100);
      assert.equal(noop.deleted, 0);
      assert.equal(store.tip().height, 60);

      const r = await store.rollbackToHeight(52);
      assert.equal(r.tip.hashHex, s.at(52).hashHex);
      assert.deepEqual(r.disconnected, hexes(s.m.slice(52)));
      assert.equal(r.deleted, 8 + 3); // main 53..60, A 53..55
      assert.equal((await store.headerByHash(s.a[1]!.hashHex))?.height, 52);
      await assertAuditOk(store);

      const r2 = await store.rollbackToHeight(-5);
      assert.equal(r2.tip.height, 0);
      assert.equal(store.stats().headerCount, 1);
      await assertAuditOk(store);
    }));

  test('after a reorg, rolling back below the fork keeps neither branch above it', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path));
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(20).headers;
      const side = main.fork(12).extend(10, { tag: 1 }).headers; // 13..22
      await store.connectHeaders(concatHeaders(m));
      assert.equal((await store.connectHeaders(concatHeaders(side))).outcome, 'reorg');
      const r = await store.rollbackToHeight(15);
      assert.equal(r.tip.hashHex, side[2]!.hashHex);
      assert.deepEqual(r.disconnected, hexes(side.slice(3)));
      assert.equal(r.deleted, 7 + 5); // side 16..22, old main 16..20
      assert.equal((await store.headerByHash(m[14]!.hashHex))?.onBestChain, false);
      await assertAuditOk(store);
      // The old main chain can come back and win again.
      const back = await store.connectHeaders(concatHeaders(m.slice(12)));
      assert.equal(back.outcome, 'reorg');
      assert.equal(back.forkHeight, 12);
      assert.equal(back.tip.hashHex, m[19]!.hashHex);
      await assertAuditOk(store);
    }));
});

describe('rollback where side branches carry more work per header', () => {
  // Regtest with retargeting: a branch mined 1 s apart is 4x harder after height 2016.
  const params: ChainParams = { ...REGTEST, powNoRetargeting: false, powAllowMinDifficultyBlocks: false };

  test('the tip stays the most-work header stored', () =>
    withDir(async (path, track) => {
      const store = track(await openGenesis(path, params));
      const long = new ChainBuilder(params);
      const l = long.extend(2040).headers; // 600 s apart, ~powLimit
      const fast = long.fork(0).extend(2017, { spacing: 1, tag: 1 }).headers; // harder at 2016, 2017
      await store.connectHeaders(concatHeaders(l));
      assert.equal((await store.connectHeaders(concatHeaders(fast))).outcome, 'side');
      await assertAuditOk(store);

      // Roll back to 2017 on the long chain: the fast branch's headers at 2016 and 2017 outrank it.
      const countBefore = store.stats().headerCount;
      const r = await store.rollbackToHeight(2017);
      assert.equal(r.tip.hashHex, l[2016]!.hashHex);
      assert.deepEqual(r.disconnected, hexes(l.slice(2017)));
      // long 2018..2040 (23) and the fast headers with more work than the new tip (2016, 2017).
      assert.equal(r.deleted, 23 + 2);
      assert.equal(store.stats().headerCount, countBefore - 25);
      assert.equal(await store.headerByHash(fast[2015]!.hashHex), null);
      assert.equal(await store.headerByHash(fast[2016]!.hashHex), null);
      assert.equal((await store.headerByHash(fast[2014]!.hashHex))?.height, 2015);
      await assertAuditOk(store);

      // Fork choice afterwards: the next long header extends; the fast branch re-sent wins on work.
      assert.equal((await store.connectHeaders(l[2017]!.raw)).outcome, 'extended');
      await assertAuditOk(store);
      const back = await store.connectHeaders(concatHeaders(fast.slice(2010)));
      assert.equal(back.outcome, 'reorg');
      assert.equal(back.stored, 2);
      assert.equal(back.forkHeight, 0);
      assert.equal(back.tip.hashHex, fast[2016]!.hashHex);
      await assertAuditOk(store);
    }));
});
