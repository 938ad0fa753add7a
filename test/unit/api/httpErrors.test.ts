import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { REST_CODES } from '../../../src/api/envelope.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { expectEnvelope, failingChain, fetchRes, jsonPost, withApi } from './apiTestUtil.js';

const C = REST_CODES;

/** Sends raw bytes and returns everything the server answers before closing. */
function rawRequest(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.write(data);
  });
}

describe('routing errors', () => {
  test('unknown paths: 404 NOT_FOUND envelope over real HTTP', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      for (const path of ['/', '/api', '/api/v1', '/api/v1/', '/api/v2/getcurrentheight', '/api/v1/queryutxos', '/api/v1/header', '/api/v1/header/1/extra', '/docs', '/metrics/x']) {
        const res = await fetchRes(`${base}${path}`);
        assert.equal(expectEnvelope(res, 404, C.NOT_FOUND), null, path);
      }
      const post = await fetchRes(`${base}/api/v1/getalladdress`, jsonPost({}));
      assert.equal(JSON.parse(post.body).action, 'getalladdress');
      expectEnvelope(post, 404, C.NOT_FOUND);
    });
  });

  test('a wrong method on a known path: 405 INVALID_METHOD with Allow', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      const cases: [string, string, RegExp][] = [
        ['GET', '/api/v1/rollback', /^POST$/],
        ['GET', '/api/v1/broadcasttx', /^POST$/],
        ['GET', '/api/v1/queryheaderbyheight', /^POST$/],
        ['POST', '/api/v1/getcurrentheight', /\bGET\b/],
        ['PUT', '/api/v1/rollback', /^POST$/],
        ['DELETE', '/api/v1/header/1', /\bGET\b/],
        ['PATCH', '/api/v1/tip', /\bGET\b/],
        ['POST', '/healthz', /\bGET\b/],
        ['DELETE', '/metrics', /\bGET\b/],
        ['OPTIONS', '/api/v1/broadcasttx', /^POST$/],
      ];
      for (const [method, path, allow] of cases) {
        const res = await fetchRes(`${base}${path}`, { method });
        assert.equal(expectEnvelope(res, 405, C.INVALID_METHOD), null, `${method} ${path}`);
        assert.match(res.headers.get('allow') ?? '', allow);
      }
    });
  });

  test('no CORS header anywhere; nosniff and no-store on every answer', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      for (const [path, init] of [
        ['/api/v1/tip', undefined],
        ['/nope', undefined],
        ['/api/v1/broadcasttx', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } }],
        ['/api/v1/queryheaderbyheight', { ...jsonPost({ height: 1 }), headers: { 'content-type': 'application/json', origin: 'http://evil.example' } }],
      ] as const) {
        const res = await fetchRes(`${base}${path}`, init);
        assert.equal(res.headers.get('access-control-allow-origin'), null, path);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(res.headers.get('cache-control'), 'no-store');
      }
    });
  });

  test('a malformed URL or an over-long parameter: 400 INVALID_PARAMS', async () => {
    await withApi({}, async ({ server }) => {
      for (const url of ['/api/v1/header/%zz', '/api/v1/header/%E0%A4%A', `/api/v1/header/${'1'.repeat(500)}`]) {
        const res = await server.app.inject({ method: 'GET', url });
        expectEnvelope(res, 400, C.INVALID_PARAMS);
      }
    });
  });

  test('a request node cannot parse: 400 with the envelope, then the connection closes', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      const port = Number(new URL(base).port);
      for (const raw of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 'GET /api/v1/tip HTTP/9.9\r\n\r\n']) {
        const answer = await rawRequest(port, raw);
        assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(raw));
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        assert.equal((JSON.parse(body) as { error: number }).error, C.ILLEGAL_DATAFORMAT);
      }
      const overflow = await rawRequest(port, `GET /api/v1/tip HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(overflow, /^HTTP\/1\.1 431 /);
      assert.equal((JSON.parse(overflow.slice(overflow.indexOf('\r\n\r\n') + 4)) as { error: number }).error, C.PAYLOAD_TOO_LARGE);
      // the server still answers afterwards
      expectEnvelope(await fetchRes(`${base}/api/v1/tip`), 200, C.SUCCESS);
    });
  });
});

describe('body errors', () => {
  test('bodies over bodyLimitBytes: 413 PAYLOAD_TOO_LARGE (real HTTP, declared and chunked)', async () => {
    await withApi({ listen: true, bodyLimitBytes: 1024 }, async ({ base }) => {
      const big = JSON.stringify({ tx: 'ab'.repeat(600) });
      const res = await fetchRes(`${base}/api/v1/broadcasttx`, jsonPost(big));
      assert.equal(expectEnvelope(res, 413, C.PAYLOAD_TOO_LARGE, 'broadcasttx'), null);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(400)));
          controller.enqueue(new TextEncoder().encode('{"height":1}'));
          controller.close();
        },
      });
      const chunked = await fetchRes(`${base}/api/v1/queryheaderbyheight`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expectEnvelope(chunked, 413, C.PAYLOAD_TOO_LARGE, 'queryheaderbyheight');
      // just under the limit is fine
      const ok = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost(`{"height":1}${' '.repeat(1000)}`));
      expectEnvelope(ok, 200, C.SUCCESS);
    });
  });

  test('wrong or missing content types: 415 ILLEGAL_DATAFORMAT', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx']) {
        const res = await fetchRes(`${base}/api/v1/queryheaderbyheight`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: '{"height":1}',
        });
        assert.deepEqual(expectEnvelope(res, 415, C.ILLEGAL_DATAFORMAT, 'queryheaderbyheight'), { header: '' }, type);
      }
    });
    await withApi({}, async ({ server }) => {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: '{"time":"2020-01-01 00:00:00"}' });
      expectEnvelope(res, 415, C.ILLEGAL_DATAFORMAT, 'rollback');
    });
  });

  test('invalid JSON, an empty JSON body and prototype poisoning: 400 ILLEGAL_DATAFORMAT', async () => {
    await withApi({}, async ({ server }) => {
      for (const payload of ['', '{', '{"time":}', 'undefined', '{"__proto__":{"x":1},"height":1}', '{"constructor":{"prototype":{"x":1}},"height":1}']) {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/v1/queryheaderbyheight',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assert.deepEqual(expectEnvelope(res, 400, C.ILLEGAL_DATAFORMAT, 'queryheaderbyheight'), { header: '' }, payload);
      }
    });
  });

  test('deeply nested JSON (with and without __proto__): a 4xx, no stack overflow', async () => {
    await withApi({ bodyLimitBytes: 4 * 1024 * 1024 }, async ({ server }) => {
      const n = 200_000;
      for (const payload of [
        '['.repeat(n) + ']'.repeat(n),
        `{"height":${'['.repeat(n)}${']'.repeat(n)}}`,
        `${'{"a":'.repeat(n)}{"__proto__":1}${'}'.repeat(n)}`,
      ]) {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/v1/queryheaderbyheight',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assert.equal(res.statusCode, 400);
        const code = (JSON.parse(res.body) as { error: number }).error;
        assert.ok(code === C.INVALID_PARAMS || code === C.ILLEGAL_DATAFORMAT);
      }
    });
  });

  test('a POST without any body: 400 INVALID_PARAMS', async () => {
    await withApi({}, async ({ server }) => {
      for (const url of ['/api/v1/queryheaderbyheight', '/api/v1/rollback', '/api/v1/broadcasttx']) {
        const res = await server.app.inject({ method: 'POST', url });
        expectEnvelope(res, 400, C.INVALID_PARAMS);
      }
    });
  });

  test('fuzz: random bodies to every POST endpoint get a 4xx with a code, never a 5xx', async () => {
    await withApi({ headers: 3 }, async ({ server, net }) => {
      net.broadcast = { peers: 1 };
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const atoms = ['{', '}', '[', ']', '"height"', '"time"', '"tx"', ':', ',', '1', '-1', '1e9', '0.5', 'null', 'true', '"00"', '"2024-01-01 00:00:00"', '"ff"', ' ', '\\u0000', '"\\ud800"'];
      for (let i = 0; i < 300; i++) {
        const len = 1 + rand(12);
        let payload = '';
        for (let j = 0; j < len; j++) payload += atoms[rand(atoms.length)]!;
        const url = ['/api/v1/queryheaderbyheight', '/api/v1/rollback', '/api/v1/broadcasttx'][i % 3]!;
        const res = await server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
        assert.ok(res.statusCode < 500, `${url} ${payload} -> ${res.statusCode} ${res.body}`);
        const body = JSON.parse(res.body) as { error: number };
        if (res.statusCode >= 400) assert.ok(body.error >= 42001 && body.error <= 42009, payload);
        else assert.equal(body.error, 0);
      }
    });
  });
});

describe('internal errors', () => {
  test('a non-SpvError or an unexpected SpvError from a worker: 500 INTERNAL_ERROR with the legacy result', async () => {
    for (const err of [new Error('a bug'), new SpvError('STORE_CORRUPT', 'tip record is missing'), 'a string']) {
      await withApi({ wrapChain: failingChain(err, ['tip', 'headerByHeight']) }, async ({ server }) => {
        const h = await server.app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
        assert.deepEqual(expectEnvelope(h, 500, C.INTERNAL_ERROR, 'getcurrentheight'), { height: 0 });
        const q = await server.app.inject({ method: 'POST', url: '/api/v1/queryheaderbyheight', payload: { height: 1 } });
        assert.deepEqual(expectEnvelope(q, 500, C.INTERNAL_ERROR, 'queryheaderbyheight'), { header: '' });
      });
    }
  });

  test('shutting down: 503 UNAVAILABLE', async () => {
    await withApi({ wrapChain: failingChain(new SpvError('SHUTTING_DOWN', 'stopping'), ['tip']) }, async ({ server }) => {
      expectEnvelope(await server.app.inject({ method: 'GET', url: '/api/v1/tip' }), 503, C.UNAVAILABLE, 'tip');
    });
  });
});
