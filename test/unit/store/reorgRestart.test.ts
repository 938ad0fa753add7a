import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serializeHeader } from '../../../src/chain/header.js';
import type { Anchor, ChainParams } from '../../../src/chain/params.js';
import { REGTEST, TESTNET3 } from '../../../src/chain/params.js';
import { workFromBits } from '../../../src/chain/work.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import type { StartPoint } from '../../../src/store/headerStore.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import { withStoreDir as withDir } from '../../helpers/tempStore.js';
import { assertAuditOk, hasCode } from '../../helpers/assertions.js';

const W = workFromBits(REGTEST.powLimitBits);
const GENESIS: StartPoint = { kind: 'genesis' };

function hexes(headers: readonly BuiltHeader[]): string[] {
  return headers.map((h) => h.hashHex);
}



function open(path: string, params: ChainParams = REGTEST, start: StartPoint = GENESIS): Promise<HeaderStore> {
  return HeaderStore.open({ path, params, start });
}


async function sendInBatches(store: HeaderStore, headers: readonly BuiltHeader[], size: number): Promise<void> {
  for (let i = 0; i < headers.length; i += size) {
    const r = await store.connectHeaders(concatHeaders(headers.slice(i, i + size)));
    assert.ok(r.outcome === 'extended' || r.outcome === 'side', `batch at ${i}: ${r.outcome}`);
  }
}

describe('deep reorg', () => {
  test('a fork from height 100 overtakes a 2,500-header chain across several messages', () =>
    withDir(async (path, track) => {
      const store = track(await open(path));
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(2500).headers;
      await sendInBatches(store, m, 2000);
      assert.equal(store.tip().height, 2500);

      const side = main.fork(100);
      const s = side.extend(2452, { tag: 1 }).headers; // 101..2552

      // First message: 2,000 headers (101..2100), far below the tip's work.
      const r1 = await store.connectHeaders(concatHeaders(s.slice(0, 2000)));
      assert.equal(r1.outcome, 'side');
      assert.equal(r1.stored, 2000);
      assert.equal(r1.lastHeight, 2100);
      // Second: up to 2500, equal work to the tip: the first seen stays best.
      const r2 = await store.connectHeaders(concatHeaders(s.slice(2000, 2400)));
      assert.equal(r2.outcome, 'side');
      assert.equal(r2.tip.hashHex, m[2499]!.hashHex);
      // Third message crosses the old tip: the reorg.
      const r3 = await store.connectHeaders(concatHeaders(s.slice(2400)));
      assert.equal(r3.outcome, 'reorg');
      assert.equal(r3.stored, 52);
      assert.equal(r3.forkHeight, 100);
      assert.equal(r3.disconnected.length, 2400);
      assert.deepEqual(r3.disconnected, hexes(m.slice(100)));
      assert.deepEqual(r3.connected, hexes(s));
      assert.equal(r3.connectedCount, 2452);
      assert.equal(r3.tip.height, 2552);
      assert.equal(r3.tip.hashHex, s[2451]!.hashHex);
      assert.equal(r3.tip.chainworkHex, (2553n * W).toString(16).padStart(64, '0'));

      assert.equal(store.stats().headerCount, 1 + 2500 + 2452);
      assert.equal((await store.headerByHeight(100))?.hashHex, m[99]!.hashHex);
      assert.equal((await store.headerByHeight(101))?.hashHex, s[0]!.hashHex);
      assert.equal((await store.headerByHeight(2500))?.hashHex, s[2399]!.hashHex);
      const old = await store.headerByHash(m[2499]!.hashHex);
      assert.equal(old?.onBestChain, false);
      assert.equal(old.confirmations, 0);
      await assertAuditOk(store);

      // The state survives a restart.
      const locator = store.locator();
      await store.close();
      const again = track(await open(path));
      assert.equal(again.tip().hashHex, s[2451]!.hashHex);
      assert.deepEqual(again.locator(), locator);
      assert.equal(again.stats().headerCount, 1 + 2500 + 2452);
      await assertAuditOk(again);
    }));
});

describe('restart', () => {
  test('tip, locator and header count survive a reopen; a side branch stored before it reorgs after it', () =>
    withDir(async (path, track) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(30).headers;
      const side = main.fork(20);
      const s1 = side.extend(8, { tag: 1 }).headers; // 21..28

      const first = track(await open(path));
      await first.connectHeaders(concatHeaders(m));
      assert.equal((await first.connectHeaders(concatHeaders(s1))).outcome, 'side');
      const tip = first.tip();
      const locator = first.locator();
      const stats = first.stats();
      await first.close();

      const second = track(await open(path));
      assert.deepEqual(second.tip(), tip);
      assert.deepEqual(second.locator(), locator);
      assert.deepEqual(second.stats(), stats);
      assert.equal(second.stats().headerCount, 1 + 30 + 8);
      assert.equal((await second.headerByHash(s1[7]!.hashHex))?.onBestChain, false);
      await assertAuditOk(second);

      // Extend the side branch past the best chain: the branch is read back from disk.
      const s2 = side.extend(3, { tag: 1 }).headers; // 29..31
      const r = await second.connectHeaders(concatHeaders(s2));
      assert.equal(r.outcome, 'reorg');
      assert.equal(r.forkHeight, 20);
      assert.deepEqual(r.disconnected, hexes(m.slice(20)));
      assert.deepEqual(r.connected, hexes([...s1, ...s2]));
      assert.equal(r.tip.height, 31);
      const afterTip = second.tip();
      const afterLocator = second.locator();
      await second.close();

      const third = track(await open(path));
      assert.deepEqual(third.tip(), afterTip);
      assert.deepEqual(third.locator(), afterLocator);
      assert.equal(third.stats().headerCount, 1 + 30 + 11);
      assert.equal((await third.headerByHeight(25))?.hashHex, s1[4]!.hashHex);
      assert.equal((await third.headerByHash(m[25]!.hashHex))?.onBestChain, false);
      await assertAuditOk(third);
    }));

  test('a side branch fed half before and half after a restart, overlapping', () =>
    withDir(async (path, track) => {
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(20).headers;
      const s = main.fork(5).extend(20, { tag: 4 }).headers; // 6..25
      const a = track(await open(path));
      await a.connectHeaders(concatHeaders(m));
      assert.equal((await a.connectHeaders(concatHeaders(s.slice(0, 10)))).outcome, 'side');
      await a.close();
      const b = track(await open(path));
      const r = await b.connectHeaders(concatHeaders(s.slice(8)));
      assert.equal(r.outcome, 'reorg');
      assert.equal(r.duplicates, 2);
      assert.equal(r.stored, 10);
      assert.equal(r.forkHeight, 5);
      assert.deepEqual(r.connected, hexes(s));
      await assertAuditOk(b);
    }));
});

describe('opening and closing', () => {
  test('a store of another network is refused with STORE_WRONG_NETWORK', () =>
    withDir(async (path, track) => {
      const s = await open(path);
      await s.connectHeaders(new ChainBuilder(REGTEST).extend(3).raw);
      await s.close();
      await assert.rejects(open(path, TESTNET3), hasCode('STORE_WRONG_NETWORK'));
      // Same name, other genesis.
      const other: ChainParams = { ...REGTEST, genesisHashHex: TESTNET3.genesisHashHex, genesisHeader: TESTNET3.genesisHeader };
      await assert.rejects(open(path, other), hasCode('STORE_WRONG_NETWORK'));
      // The refused opens released the database: the right network still opens it.
      const ok = track(await open(path));
      assert.equal(ok.tip().height, 3);
      await assertAuditOk(ok);
    }));

  test('a second open of an open store is refused with STORE_LOCKED', () =>
    withDir(async (path, track) => {
      const s = track(await open(path));
      await assert.rejects(open(path), hasCode('STORE_LOCKED'));
      await s.close();
      const again = track(await open(path));
      assert.equal(again.tip().height, 0);
      await assertAuditOk(again);
    }));

  test('operations after close fail with STORE_CLOSED; close is idempotent', () =>
    withDir(async (path) => {
      const b = new ChainBuilder(REGTEST);
      const s = await open(path);
      const h = b.extend(3).headers;
      await s.connectHeaders(concatHeaders(h));
      await s.close();
      await s.close();
      await assert.rejects(s.connectHeaders(b.next().raw), hasCode('STORE_CLOSED'));
      await assert.rejects(s.rollbackToTime(0), hasCode('STORE_CLOSED'));
      await assert.rejects(s.rollbackToHeight(1), hasCode('STORE_CLOSED'));
      await assert.rejects(s.audit(), hasCode('STORE_CLOSED'));
      await assert.rejects(s.headerByHeight(1), hasCode('STORE_CLOSED'));
      await assert.rejects(s.headerByHash(h[0]!.hashHex), hasCode('STORE_CLOSED'));
      await assert.rejects(s.confirmations(h[0]!.hashHex), hasCode('STORE_CLOSED'));
      await assert.rejects(s.ancestorAt(h[2]!.hashHex, 1), hasCode('STORE_CLOSED'));
      await assert.rejects(s.headersAfterLocator([], null, 2000), hasCode('STORE_CLOSED'));
    }));

  test('close waits for a batch already queued', () =>
    withDir(async (path, track) => {
      const b = new ChainBuilder(REGTEST);
      const s = await open(path);
      const pending = s.connectHeaders(b.extend(50).raw);
      await s.close();
      assert.equal((await pending).outcome, 'extended');
      const again = track(await open(path));
      assert.equal(again.tip().height, 50);
      await assertAuditOk(again);
    }));
});

describe('anchors', () => {
  function anchorAt2016(): { anchor: Anchor; builder: ChainBuilder } {
    const builder = new ChainBuilder(REGTEST);
    const hs = builder.extend(2016).headers;
    const h = hs[2015]!;
    return { anchor: { height: 2016, header: h.raw, chainwork: 2017n * W }, builder };
  }

  test('ANCHOR_INVALID for a height not a multiple of 2016, a header failing PoW, too little chainwork', () =>
    withDir(async (path, track) => {
      const { anchor, builder } = anchorAt2016();
      const next = builder.next();
      const invalid: Anchor[] = [
        { height: 2017, header: next.raw, chainwork: 2018n * W },
        { height: 2015, header: anchor.header, chainwork: anchor.chainwork },
        { height: -2016, header: anchor.header, chainwork: anchor.chainwork },
        { ...anchor, header: anchor.header.subarray(0, 79) },
        { ...anchor, chainwork: 0n },
        // Header failing PoW: claims a hard target it does not meet.
        {
          ...anchor,
          header: serializeHeader({
            version: 0x20000000,
            prevHash: new Uint8Array(32).fill(1),
            merkleRoot: new Uint8Array(32).fill(2),
            time: 1296688602 + 2016 * 600,
            bits: 0x1d00ffff,
            nonce: 0,
          }),
        },
        // Height 0 must be the genesis.
        { height: 0, header: anchor.header, chainwork: anchor.chainwork },
      ];
      for (const a of invalid) {
        await assert.rejects(open(path, REGTEST, { kind: 'anchor', anchor: a }), hasCode('ANCHOR_INVALID'));
      }
      // Nothing was written and the database was released: a valid anchor opens the same directory.
      const s = track(await open(path, REGTEST, { kind: 'anchor', anchor }));
      assert.equal(s.stats().anchorHeight, 2016);
      assert.equal(s.stats().headerCount, 1);
      await assertAuditOk(s);
    }));
});
