import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REST_CODES } from '../../../src/api/envelope.js';
import { REGTEST } from '../../../src/chain/params.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { hashToHex, toHex } from '../../../src/util/bytes.js';
import { expectEnvelope, failingChain, fetchRes, withApi, workerDown } from './apiTestUtil.js';

const C = REST_CODES;

interface HeaderResult {
  height: number;
  hash: string;
  header: string;
  version: number;
  prevHash: string;
  merkleRoot: string;
  time: number;
  bits: number;
  nonce: number;
  chainwork: string;
  confirmations: number;
  onBestChain: boolean;
}

describe('GET /api/v1/tip', () => {
  test('height, hash, chainwork, time and the synced flag over real HTTP', async () => {
    await withApi({ listen: true, headers: 12 }, async ({ base, net, headers }) => {
      const res = await fetchRes(`${base}/api/v1/tip`);
      const tip = expectEnvelope(res, 200, C.SUCCESS, 'tip') as Record<string, unknown>;
      assert.equal(tip.network, 'regtest');
      assert.equal(tip.height, 12);
      assert.equal(tip.hash, headers[11]!.hashHex);
      assert.equal(tip.time, headers[11]!.time);
      assert.equal(tip.synced, true);
      // regtest work per header is 2; genesis + 12 headers
      assert.equal(tip.chainwork, (2 * 13).toString(16).padStart(64, '0'));

      net.status = { synced: false };
      const syncing = expectEnvelope(await fetchRes(`${base}/api/v1/tip`), 200, C.SUCCESS) as Record<string, unknown>;
      assert.equal(syncing.synced, false);
      net.statusError = workerDown();
      const netDown = expectEnvelope(await fetchRes(`${base}/api/v1/tip`), 200, C.SUCCESS) as Record<string, unknown>;
      assert.equal(netDown.synced, false);
      assert.equal(netDown.height, 12);
    });
  });

  test('a chain worker that is down: 503 UNAVAILABLE', async () => {
    await withApi({ wrapChain: failingChain(workerDown(), ['tip']) }, async ({ server }) => {
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/tip' });
      assert.equal(expectEnvelope(res, 503, C.UNAVAILABLE, 'tip'), null);
    });
  });
});

describe('GET /api/v1/header/:hashOrHeight', () => {
  test('by height on the best chain, with the parsed fields, confirmations and onBestChain', async () => {
    await withApi({ listen: true, headers: 10 }, async ({ base, headers, builder }) => {
      const r = expectEnvelope(await fetchRes(`${base}/api/v1/header/4`), 200, C.SUCCESS, 'header') as HeaderResult;
      const h4 = headers[3]!;
      assert.equal(r.height, 4);
      assert.equal(r.hash, h4.hashHex);
      assert.equal(r.header, toHex(h4.raw));
      assert.equal(r.prevHash, headers[2]!.hashHex);
      assert.equal(r.merkleRoot.length, 64);
      assert.equal(r.time, h4.time);
      assert.equal(r.bits, h4.bits);
      assert.equal(r.version, 0x20000000);
      assert.equal(typeof r.nonce, 'number');
      assert.equal(r.confirmations, 7);
      assert.equal(r.onBestChain, true);
      assert.equal(r.chainwork, (2 * 5).toString(16).padStart(64, '0'));

      const g = expectEnvelope(await fetchRes(`${base}/api/v1/header/0`), 200, C.SUCCESS) as HeaderResult;
      assert.equal(g.hash, REGTEST.genesisHashHex);
      assert.equal(g.prevHash, '0'.repeat(64));
      assert.equal(g.confirmations, 11);
      const tip = expectEnvelope(await fetchRes(`${base}/api/v1/header/10`), 200, C.SUCCESS) as HeaderResult;
      assert.equal(tip.hash, hashToHex(builder.tipHash));
      assert.equal(tip.confirmations, 1);
    });
  });

  test('by hash: best chain (any case) and a side branch (0 confirmations, not on the best chain)', async () => {
    await withApi({ headers: 10 }, async ({ server, chain, headers, builder }) => {
      const side = builder.fork(6).extend(2, { tag: 9 });
      assert.equal((await chain.connectHeaders(side.raw)).outcome, 'side');
      for (const hash of [headers[5]!.hashHex, headers[5]!.hashHex.toUpperCase()]) {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1/header/${hash}` });
        const r = expectEnvelope(res, 200, C.SUCCESS, 'header') as HeaderResult;
        assert.equal(r.height, 6);
        assert.equal(r.hash, headers[5]!.hashHex);
        assert.equal(r.confirmations, 5);
        assert.equal(r.onBestChain, true);
      }
      const s = side.headers[1]!;
      const res = await server.app.inject({ method: 'GET', url: `/api/v1/header/${s.hashHex}` });
      const r = expectEnvelope(res, 200, C.SUCCESS, 'header') as HeaderResult;
      assert.equal(r.height, 8);
      assert.equal(r.header, toHex(s.raw));
      assert.equal(r.prevHash, side.headers[0]!.hashHex);
      assert.equal(r.confirmations, 0);
      assert.equal(r.onBestChain, false);
      // the best chain's header at that height is another one
      const best = expectEnvelope(await server.app.inject({ method: 'GET', url: '/api/v1/header/8' }), 200, C.SUCCESS) as HeaderResult;
      assert.equal(best.hash, headers[7]!.hashHex);
    });
  });

  test('unknown hash, height above the tip or up to the largest uint32: 404 NOT_FOUND', async () => {
    await withApi({ headers: 3 }, async ({ server }) => {
      for (const key of ['4', '1000', '4294967295', 'ab'.repeat(32), '0'.repeat(64)]) {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1/header/${key}` });
        assert.equal(expectEnvelope(res, 404, C.NOT_FOUND, 'header'), null, key);
      }
    });
  });

  test('malformed keys: 400 INVALID_PARAMS (huge, negative, float, leading zeros, wrong-length or non-hex hashes)', async () => {
    await withApi({ headers: 3 }, async ({ server }) => {
      const keys = [
        '4294967296',
        '9999999999',
        '99999999999',
        '1'.repeat(63),
        '-1',
        '1.5',
        '1e3',
        '0x10',
        '01',
        '007',
        'abc',
        'tip',
        'a'.repeat(62),
        'a'.repeat(63),
        'a'.repeat(65),
        'a'.repeat(66),
        'g'.repeat(64),
        `${'a'.repeat(63)}%20`,
        '%20',
        '1%00',
      ];
      for (const key of keys) {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1/header/${key}` });
        assert.equal(res.statusCode, 400, key);
        expectEnvelope(res, 400, C.INVALID_PARAMS);
      }
    });
  });

  test('a chain worker that is down: 503; a corrupt store: 500 INTERNAL_ERROR', async () => {
    await withApi({ wrapChain: failingChain(workerDown(), ['headerByHeight', 'headerByHash']) }, async ({ server }) => {
      for (const key of ['1', 'ab'.repeat(32)]) {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1/header/${key}` });
        expectEnvelope(res, 503, C.UNAVAILABLE, 'header');
      }
    });
    const corrupt = new SpvError('STORE_CORRUPT', 'best-chain header record is missing');
    await withApi({ wrapChain: failingChain(corrupt, ['headerByHeight']) }, async ({ server }) => {
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/header/1' });
      expectEnvelope(res, 500, C.INTERNAL_ERROR, 'header');
    });
  });
});
