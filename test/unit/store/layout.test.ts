import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Level } from 'level';
import { headerHash, headerHashHex } from '../../../src/chain/header.js';
import { REGTEST } from '../../../src/chain/params.js';
import type { HeaderInfo } from '../../../src/protocol/chainTypes.js';
import { workFromBits } from '../../../src/chain/work.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import { KEY_META, bestHeadersKey, bestIndexKey, chunkOf } from '../../../src/store/keys.js';
import { bytes32ToBigint, fromHex } from '../../../src/util/bytes.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import { assertAuditOk, hasCode } from '../../helpers/assertions.js';
import { withStoreDir } from '../../helpers/tempStore.js';

const W = workFromBits(REGTEST.powLimitBits);
const open = (path: string): Promise<HeaderStore> => HeaderStore.open({ path, params: REGTEST, start: { kind: 'genesis' } });

async function rawDb(path: string, fn: (db: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

describe('packed best-chain chunks and side records', () => {
  test('a reorg forking inside an older chunk moves the old headers to side records and back, across restarts', () =>
    withStoreDir(async (path, track) => {
      let store = track(await open(path));
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(300).headers; // 1..300: chunks 0..4
      assert.equal((await store.connectHeaders(concatHeaders(m))).outcome, 'extended');
      const side = main.fork(100);
      const s = side.extend(250, { tag: 7 }).headers; // 101..350
      const r = await store.connectHeaders(concatHeaders(s));
      assert.equal(r.outcome, 'reorg');
      assert.equal(r.forkHeight, 100);
      assert.equal(r.disconnected.length, 200);
      await assertAuditOk(store);

      // An old best-chain header is now a side record with its header and chainwork intact.
      const old = await store.headerByHash(m[199]!.hashHex);
      assert.ok(old !== null);
      assert.equal(old.onBestChain, false);
      assert.equal(old.height, 200);
      assert.deepEqual(old.header, m[199]!.raw);
      assert.equal(bytes32ToBigint(fromHex(old.chainworkHex)), W * 201n);
      const now = await store.headerByHeight(200);
      assert.equal(now?.hashHex, s[99]!.hashHex);
      assert.equal(now?.confirmations, 151);

      await store.close();
      store = track(await open(path));
      assert.equal(store.tip().hashHex, s[249]!.hashHex);
      await assertAuditOk(store);

      // The old branch comes back with more work: its side records rejoin the best chain.
      const more = main.extend(60).headers; // 301..360
      const back = await store.connectHeaders(concatHeaders(more));
      assert.equal(back.outcome, 'reorg');
      assert.equal(back.forkHeight, 100);
      assert.equal(back.connected.length, 260);
      assert.equal((await store.headerByHeight(200))?.hashHex, m[199]!.hashHex);
      assert.equal((await store.headerByHash(s[99]!.hashHex))?.onBestChain, false);
      assert.equal(store.stats().headerCount, 1 + 360 + 250);
      await assertAuditOk(store);
      const after = await store.headersAfterLocator([m[62]!.hashHex], null, 2000);
      assert.equal(after.length, (360 - 63) * 80);
      assert.deepEqual(after.subarray(0, 80), m[63]!.raw);
    }));

  test('reads issued while a reorg is written answer consistent headers (each hashes to the hash it is reported with)', () =>
    withStoreDir(async (path, track) => {
      const store = track(await open(path));
      const main = new ChainBuilder(REGTEST);
      const m = main.extend(300).headers;
      await store.connectHeaders(concatHeaders(m));
      const s = main.fork(100).extend(250, { tag: 3 }).headers;
      // Reopen so no chunk is cached: every read below goes to LevelDB and can straddle the reorg's write.
      await store.close();
      const fresh = track(await open(path));
      let done = false;
      const reorg = fresh.connectHeaders(concatHeaders(s)).finally(() => (done = true));
      const checked: number[] = [];
      const reader = async (seed: number): Promise<void> => {
        for (let i = 0; i < 400 && !done; i++) {
          const h = 90 + ((seed * 7919 + i * 104729) % 261);
          const info: HeaderInfo | null = await fresh.headerByHeight(h);
          if (info === null) continue;
          assert.equal(info.height, h);
          assert.equal(headerHashHex(info.header), info.hashHex, `height ${h}`);
          checked.push(h);
        }
      };
      const ranges = [fresh.headersAfterLocator([m[80]!.hashHex], null, 2000), fresh.headersAfterLocator([m[80]!.hashHex], null, 2000)];
      await Promise.all([reorg, ...[1, 2, 3, 4, 5, 6, 7, 8].map(reader)]);
      assert.equal((await reorg).outcome, 'reorg');
      assert.ok(checked.length > 0);
      for (const raw of await Promise.all(ranges)) {
        // A contiguous run of linked headers from height 82, whichever chain it was read from.
        assert.ok(raw.length >= 200 * 80);
        for (let o = 80; o < raw.length; o += 80) {
          assert.deepEqual(raw.subarray(o + 4, o + 36), headerHash(raw.subarray(o - 80, o)));
        }
      }
      await assertAuditOk(fresh);
    }));

  test('a missing index chunk in the middle, or a tail header chunk that disagrees, refuses to open', () =>
    withStoreDir(async (path, track) => {
      const store = track(await open(path));
      await store.connectHeaders(new ChainBuilder(REGTEST).extend(500).raw);
      await store.close();
      await rawDb(path, async (db) => {
        await db.del(bestIndexKey(3));
      });
      await assert.rejects(open(path), hasCode('STORE_CORRUPT'));
    }));

  test('a missing tail header chunk refuses to open; a missing middle header chunk fails the audit', () =>
    withStoreDir(async (path, track) => {
      const s1 = track(await open(path));
      await s1.connectHeaders(new ChainBuilder(REGTEST).extend(500).raw);
      await s1.close();
      await rawDb(path, async (db) => {
        await db.del(bestHeadersKey(chunkOf(500)));
      });
      await assert.rejects(open(path), hasCode('STORE_CORRUPT'));

      await rawDb(path, async (db) => {
        await db.clear();
      });
      const s2 = track(await open(path));
      await s2.connectHeaders(new ChainBuilder(REGTEST).extend(500).raw);
      await s2.close();
      await rawDb(path, async (db) => {
        await db.del(bestHeadersKey(2));
      });
      const s3 = track(await open(path));
      const report = await s3.audit();
      assert.equal(report.ok, false);
      assert.ok(report.problems.some((p) => p.includes('chunk 2')), report.problems.join('; '));
      await assert.rejects(s3.headerByHeight(150), hasCode('STORE_CORRUPT'));
      assert.equal((await s3.headerByHeight(450))?.height, 450);
    }));

  test('a store of the previous format is refused with STORE_CORRUPT, not misread', () =>
    withStoreDir(async (path, track) => {
      const s = track(await open(path));
      await s.close();
      await rawDb(path, async (db) => {
        const meta = JSON.parse(new TextDecoder().decode(await db.get(KEY_META))) as Record<string, unknown>;
        await db.put(KEY_META, new TextEncoder().encode(JSON.stringify({ ...meta, format: 1 })));
      });
      await assert.rejects(open(path), hasCode('STORE_CORRUPT'));
    }));
});
