import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChainReads } from '../../../src/api/chainReads.js';
import { REST_CODES } from '../../../src/api/envelope.js';
import { SpvClient } from '../../../src/client/spvClient.js';
import { parseConfig } from '../../../src/config/loadConfig.js';
import type { ChainApi } from '../../../src/protocol/chain.js';
import type { ChainService } from '../../../src/store/chainService.js';
import { toHex } from '../../../src/util/bytes.js';
import { expectEnvelope, withApi } from './apiTestUtil.js';

/** The real chain service with tip() and headerByHeight() counted, and optional hooks run after each has read. */
function counted(chain: ChainService, hooks: { afterTipRead?: () => Promise<void>; duringHeaderRead?: () => Promise<void> } = {}) {
  const calls = { tip: 0, headerByHeight: 0 };
  const api = new Proxy(chain, {
    get(target, prop, receiver): unknown {
      if (prop === 'tip') {
        return async () => {
          calls.tip++;
          const tip = await target.tip();
          await hooks.afterTipRead?.();
          return tip;
        };
      }
      if (prop === 'headerByHeight') {
        return async (h: number) => {
          calls.headerByHeight++;
          const info = await target.headerByHeight(h);
          await hooks.duringHeaderRead?.();
          return info;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as ChainApi;
  return { api, calls };
}

describe('ChainReads (REST hot path)', () => {
  test('tip(): concurrent requests share reads, and each answer comes from a read started after it arrived', async () => {
    await withApi({ headers: 10 }, async ({ chain, builder }) => {
      let tipRead!: () => void;
      const firstHasRead = new Promise<void>((r) => (tipRead = r));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const { api, calls } = counted(chain, {
        afterTipRead: async () => {
          tipRead();
          await gate;
        },
      });
      const reads = new ChainReads(SpvClient.attach(parseConfig({ network: 'regtest' }, '.'), api, null));
      const first = reads.tip();
      await firstHasRead;
      // A block arrives after the first read has read the store: requests made now must not get its answer.
      await chain.connectHeaders(builder.extend(1).raw);
      const later = Promise.all(Array.from({ length: 50 }, () => reads.tip()));
      release();
      assert.equal((await first).height, 10);
      for (const t of await later) assert.equal(t.height, 11);
      assert.equal(calls.tip, 2, '51 concurrent requests: one read in flight and one queued');
      assert.equal((await reads.tip()).height, 11);
      assert.equal(calls.tip, 3);
    });
  });

  test('headerHexAt(): cached while the tip hash holds, dropped on a reorg to a branch with a different header there', async () => {
    await withApi({ headers: 10 }, async ({ chain, builder, headers }) => {
      const { api, calls } = counted(chain);
      const reads = new ChainReads(SpvClient.attach(parseConfig({ network: 'regtest' }, '.'), api, null));
      assert.equal(await reads.headerHexAt(7), toHex(headers[6]!.raw));
      assert.equal(await reads.headerHexAt(7), toHex(headers[6]!.raw));
      assert.equal(calls.headerByHeight, 1, 'the second read is served from the cache');
      assert.equal(await reads.headerHexAt(11), null, 'above the tip');
      // A longer branch from height 5 replaces heights 6-10.
      const branch = builder.fork(5).extend(8, { tag: 3 });
      assert.equal((await chain.connectHeaders(branch.raw)).outcome, 'reorg');
      assert.equal(await reads.headerHexAt(7), toHex(branch.headers[1]!.raw));
      assert.equal(await reads.headerHexAt(13), toHex(branch.headers[7]!.raw));
    });
  });

  test('a header read that races a reorg is answered but never cached over the new chain', async () => {
    await withApi({ headers: 10 }, async ({ chain, builder, headers }) => {
      const branch = builder.fork(5).extend(8, { tag: 4 });
      const ref: { reads: ChainReads | null } = { reads: null };
      let inner: Promise<string | null> | null = null;
      const { api, calls } = counted(chain, {
        duringHeaderRead: async () => {
          if (inner !== null) return;
          // While the first read is in flight: the reorg lands and a second request reads and caches the new chain.
          assert.equal((await chain.connectHeaders(branch.raw)).outcome, 'reorg');
          inner = ref.reads!.headerHexAt(7);
          await inner;
        },
      });
      const reads = new ChainReads(SpvClient.attach(parseConfig({ network: 'regtest' }, '.'), api, null));
      ref.reads = reads;
      assert.equal(await reads.headerHexAt(7), toHex(headers[6]!.raw), 'the first read answers what it read');
      assert.equal(await inner, toHex(branch.headers[1]!.raw));
      assert.equal(await reads.headerHexAt(7), toHex(branch.headers[1]!.raw), 'the old header was not cached');
      assert.equal(calls.headerByHeight, 2, 'the third request was served from the cache');
    });
  });

  test('over REST: queryheaderbyheight follows a reorg, getcurrentheight a new block', async () => {
    await withApi({ headers: 10 }, async ({ server, chain, builder, headers }) => {
      const ask = async (height: number): Promise<unknown> =>
        expectEnvelope(
          await server.app.inject({ method: 'POST', url: '/api/v1/queryheaderbyheight', payload: { height } }),
          200,
          REST_CODES.SUCCESS,
        );
      assert.deepEqual(await ask(8), { header: toHex(headers[7]!.raw) });
      const branch = builder.fork(6).extend(6, { tag: 5 });
      assert.equal((await chain.connectHeaders(branch.raw)).outcome, 'reorg');
      assert.deepEqual(await ask(8), { header: toHex(branch.headers[1]!.raw) });
      const h = await server.app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
      assert.deepEqual(expectEnvelope(h, 200, REST_CODES.SUCCESS), { height: 12 });
    });
  });
});
