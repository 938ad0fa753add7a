import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REST_CODES } from '../../../src/api/envelope.js';
import { REGTEST } from '../../../src/chain/params.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { toHex } from '../../../src/util/bytes.js';
import {
  expectEnvelope,
  failingChain,
  fetchRes,
  jsonPost,
  signedTransaction,
  utcText,
  withApi,
  workerDown,
} from './apiTestUtil.js';

const C = REST_CODES;

describe('GET /api/v1/getcurrentheight', () => {
  test('returns the tip height over real HTTP, ignoring the query string', async () => {
    await withApi({ listen: true, headers: 20 }, async ({ base }) => {
      const res = await fetchRes(`${base}/api/v1/getcurrentheight`);
      assert.deepEqual(expectEnvelope(res, 200, C.SUCCESS, 'getcurrentheight'), { height: 20 });
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const q = await fetchRes(`${base}/api/v1/getcurrentheight?height=5&x=y`);
      assert.deepEqual(expectEnvelope(q, 200, C.SUCCESS, 'getcurrentheight'), { height: 20 });
    });
  });

  test('height 0 on a store holding only the genesis', async () => {
    await withApi({ headers: 0 }, async ({ server }) => {
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
      assert.deepEqual(expectEnvelope(res, 200, C.SUCCESS), { height: 0 });
    });
  });

  test('a chain worker that is down: 503 UNAVAILABLE with the original result {"height":0}', async () => {
    for (const code of ['WORKER_UNAVAILABLE', 'WORKER_CRASHED'] as const) {
      const err = new SpvError(code, 'chain worker down');
      await withApi({ wrapChain: failingChain(err, ['tip']) }, async ({ server }) => {
        const res = await server.app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
        assert.deepEqual(expectEnvelope(res, 503, C.UNAVAILABLE, 'getcurrentheight'), { height: 0 });
      });
    }
  });
});

describe('POST /api/v1/queryheaderbyheight', () => {
  test('returns the 80-byte header hex of best-chain heights over real HTTP', async () => {
    await withApi({ listen: true, headers: 20 }, async ({ base, headers }) => {
      const genesis = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost({ height: 0 }));
      assert.deepEqual(expectEnvelope(genesis, 200, C.SUCCESS, 'queryheaderbyheight'), { header: toHex(REGTEST.genesisHeader) });
      for (const h of [1, 7, 20]) {
        const res = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost({ height: h }));
        assert.deepEqual(expectEnvelope(res, 200, C.SUCCESS), { header: toHex(headers[h - 1]!.raw) });
      }
      // charset parameter and a float with a zero fraction (JSON has one number type)
      const res = await fetchRes(`${base}/api/v1/queryheaderbyheight`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{"height": 3.0}',
      });
      assert.deepEqual(expectEnvelope(res, 200, C.SUCCESS), { header: toHex(headers[2]!.raw) });
    });
  });

  test('above the tip (up to the largest uint32): 404 NOT_FOUND with the original {"header":""}', async () => {
    await withApi({ headers: 5 }, async ({ server }) => {
      for (const height of [6, 1000, 4294967295]) {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/queryheaderbyheight', payload: { height } });
        assert.deepEqual(expectEnvelope(res, 404, C.NOT_FOUND, 'queryheaderbyheight'), { header: '' });
      }
    });
  });

  test('negative, float, string, huge, null, missing heights and non-object bodies: 400 INVALID_PARAMS', async () => {
    await withApi({ headers: 5 }, async ({ server }) => {
      const bodies = [
        '{"height":-1}',
        '{"height":1.5}',
        '{"height":"5"}',
        '{"height":"abc"}',
        '{"height":4294967296}',
        '{"height":1e300}',
        '{"height":1e400}',
        '{"height":99999999999999999999999999}',
        '{"height":null}',
        '{"height":true}',
        '{"height":[1]}',
        '{"height":{}}',
        '{}',
        '{"Height":1}',
        '[]',
        '[{"height":1}]',
        '"height"',
        '5',
        'null',
      ];
      for (const payload of bodies) {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/v1/queryheaderbyheight',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assert.deepEqual(expectEnvelope(res, 400, C.INVALID_PARAMS, 'queryheaderbyheight'), { header: '' }, payload);
      }
    });
  });

  test('a body that is not JSON: 400 ILLEGAL_DATAFORMAT', async () => {
    await withApi({ listen: true, headers: 2 }, async ({ base }) => {
      for (const body of ['{"height":', 'height=1', '{height:1}', "{'height':1}", '{"height":1}}', '\u0000']) {
        const res = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost(body));
        assert.deepEqual(expectEnvelope(res, 400, C.ILLEGAL_DATAFORMAT, 'queryheaderbyheight'), { header: '' }, body);
      }
    });
  });
});

describe('POST /api/v1/rollback', () => {
  test('rolls back to the newest header older than the time, resyncs, and reports the new tip', async () => {
    await withApi({ listen: true, headers: 20 }, async ({ base, net, headers }) => {
      const at10 = headers[9]!;
      const res = await fetchRes(`${base}/api/v1/rollback`, jsonPost({ time: utcText(at10.time) }));
      const result = expectEnvelope(res, 200, C.SUCCESS, 'rollback');
      assert.deepEqual(result, { height: 9, hash: headers[8]!.hashHex, disconnected: 11, deleted: 11, resynced: true });
      assert.equal(net.resyncCalls, 1);

      const height = await fetchRes(`${base}/api/v1/getcurrentheight`);
      assert.deepEqual(expectEnvelope(height, 200, C.SUCCESS), { height: 9 });
      const tip = (await fetchRes(`${base}/api/v1/tip`)).body;
      assert.equal((JSON.parse(tip) as { result: { hash: string } }).result.hash, headers[8]!.hashHex);
      const gone = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost({ height: 10 }));
      assert.deepEqual(expectEnvelope(gone, 404, C.NOT_FOUND), { header: '' });
    });
  });

  test('a time after the tip disconnects nothing; one before every header stops at the anchor', async () => {
    await withApi({ headers: 5 }, async ({ server, net, headers }) => {
      const later = await server.app.inject({
        method: 'POST',
        url: '/api/v1/rollback',
        payload: { time: utcText(headers[4]!.time + 1) },
      });
      assert.deepEqual(expectEnvelope(later, 200, C.SUCCESS), {
        height: 5,
        hash: headers[4]!.hashHex,
        disconnected: 0,
        deleted: 0,
        resynced: true,
      });
      const early = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { time: '2000-01-01 00:00:00' } });
      assert.deepEqual(expectEnvelope(early, 200, C.SUCCESS), {
        height: 0,
        hash: REGTEST.genesisHashHex,
        disconnected: 5,
        deleted: 5,
        resynced: true,
      });
      assert.equal(net.resyncCalls, 2);
    });
  });

  test('anything but a real "YYYY-MM-DD hh:mm:ss" date: 400 INVALID_PARAMS, nothing rolled back', async () => {
    await withApi({ headers: 5 }, async ({ server, net }) => {
      const times: unknown[] = [
        '2024-02-30 00:00:00',
        '2023-02-29 12:00:00',
        '2024-13-01 00:00:00',
        '2024-00-10 00:00:00',
        '2024-01-00 00:00:00',
        '2024-04-31 00:00:00',
        '2024-01-01 24:00:00',
        '2024-01-01 23:60:00',
        '2024-01-01 23:59:60',
        '2024-01-01T00:00:00',
        '2024-01-01T00:00:00Z',
        '2024-01-01 00:00:00Z',
        '2024-01-01 00:00',
        '2024-1-1 00:00:00',
        ' 2024-01-01 00:00:00',
        '2024-01-01 00:00:00 ',
        '2024-01-01  00:00:00',
        '２０２４-01-01 00:00:00',
        '',
        1704067200,
        null,
        ['2024-01-01 00:00:00'],
      ];
      for (const time of times) {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { time } });
        assert.equal(expectEnvelope(res, 400, C.INVALID_PARAMS, 'rollback'), null, JSON.stringify(time));
      }
      const missing = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: {} });
      expectEnvelope(missing, 400, C.INVALID_PARAMS, 'rollback');
      const height = await server.app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
      assert.deepEqual(expectEnvelope(height, 200, C.SUCCESS), { height: 5 });
      assert.equal(net.resyncCalls, 0);
    });
  });

  test('a failed resync is an error (503 UNAVAILABLE) that still reports the rollback done', async () => {
    await withApi({ headers: 10 }, async ({ server, net, headers }) => {
      net.resyncError = workerDown();
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { time: utcText(headers[5]!.time) } });
      assert.deepEqual(expectEnvelope(res, 503, C.UNAVAILABLE, 'rollback'), {
        height: 5,
        hash: headers[4]!.hashHex,
        disconnected: 5,
        deleted: 5,
        resynced: false,
      });
    });
  });

  test('a chain worker that is down: 503 UNAVAILABLE and no resync', async () => {
    const err = new SpvError('WORKER_CRASHED', 'chain worker crashed');
    await withApi({ headers: 3, wrapChain: failingChain(err, ['rollbackToTime']) }, async ({ server, net }) => {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { time: '2011-01-01 00:00:00' } });
      assert.equal(expectEnvelope(res, 503, C.UNAVAILABLE, 'rollback'), null);
      assert.equal(net.resyncCalls, 0);
    });
  });
});

describe('POST /api/v1/broadcasttx', () => {
  test('a real signed transaction: its txid and how many peers fetched it, over real HTTP', async () => {
    await withApi({ listen: true, headers: 1 }, async ({ base, net }) => {
      const tx = signedTransaction();
      net.broadcast = { peers: 3 };
      const res = await fetchRes(`${base}/api/v1/broadcasttx`, jsonPost({ tx: tx.hex }));
      assert.deepEqual(expectEnvelope(res, 200, C.SUCCESS, 'broadcasttx'), { txid: tx.txid, peers: 3 });
      assert.equal(net.broadcasts.length, 1);
      assert.equal(toHex(net.broadcasts[0]!), tx.hex);
      // upper-case hex is the same transaction
      const upper = await fetchRes(`${base}/api/v1/broadcasttx`, jsonPost({ tx: tx.hex.toUpperCase() }));
      assert.deepEqual(expectEnvelope(upper, 200, C.SUCCESS), { txid: tx.txid, peers: 3 });
    });
  });

  test('hex that is not a transaction: 400 ILLEGAL_DATAFORMAT, nothing broadcast', async () => {
    await withApi({ headers: 1 }, async ({ server, net }) => {
      const tx = signedTransaction();
      const coinbase =
        '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0704ffff001d0104ffffffff' +
        '0100f2052a0100000043410496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604' +
        'f8141781e62294721166bf621e73a82cbf2342c858eeac00000000';
      const noInputs = '02000000' + '00' + '01' + '0000000000000000' + '00' + '00000000';
      for (const hex of ['deadbeef', '00', '0000000000', 'ff'.repeat(100), `${tx.hex}00`, tx.hex.slice(0, -2), coinbase, noInputs]) {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', payload: { tx: hex } });
        assert.equal(expectEnvelope(res, 400, C.ILLEGAL_DATAFORMAT, 'broadcasttx'), null, hex);
      }
      assert.equal(net.broadcasts.length, 0);
    });
  });

  test('not hex, empty, odd length, or not a string: 400 INVALID_PARAMS', async () => {
    await withApi({ headers: 1 }, async ({ server, net }) => {
      for (const tx of ['', 'a', 'abc', 'zz', '0x00', 'de ad', 'dead\n', 12, null, true, ['00'], { hex: '00' }]) {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', payload: { tx } });
        assert.equal(expectEnvelope(res, 400, C.INVALID_PARAMS, 'broadcasttx'), null, JSON.stringify(tx));
      }
      const missing = await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', payload: { raw: '00' } });
      expectEnvelope(missing, 400, C.INVALID_PARAMS, 'broadcasttx');
      assert.equal(net.broadcasts.length, 0);
    });
  });

  test('no peer fetched it, no peer at all, or a 0-peer result: an error, never a success', async () => {
    await withApi({ headers: 1 }, async ({ server, net }) => {
      const tx = signedTransaction();
      const cases = [
        { outcome: { error: new SpvError('BROADCAST_NO_PEERS', 'no peer asked for it') }, status: 502, code: C.BROADCAST_FAILED },
        { outcome: { error: new SpvError('NET_NO_PEERS', 'no connected peer') }, status: 503, code: C.BROADCAST_FAILED },
        { outcome: { peers: 0 }, status: 502, code: C.BROADCAST_FAILED },
        { outcome: { error: workerDown() }, status: 503, code: C.UNAVAILABLE },
        { outcome: { error: new SpvError('WORKER_CRASHED', 'net worker crashed') }, status: 503, code: C.UNAVAILABLE },
        { outcome: { error: new SpvError('TX_INVALID', 'bad tx') }, status: 400, code: C.ILLEGAL_DATAFORMAT },
        { outcome: { error: new Error('a bug') }, status: 500, code: C.INTERNAL_ERROR },
      ];
      for (const c of cases) {
        net.broadcast = c.outcome;
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', payload: { tx: tx.hex } });
        assert.equal(expectEnvelope(res, c.status, c.code, 'broadcasttx'), null);
      }
    });
  });
});
