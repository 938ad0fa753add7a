import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TOKEN, signedTransaction, withApi } from '../unit/api/apiTestUtil.js';
import { check, FUZZ_TIMEOUT_MS } from './fuzzUtil.js';

/**
 * fast-check over the REST API (the real fastify server over a real ChainService on LevelDB, injected requests):
 * random methods, paths, query strings, headers, content types, auth and bodies — random JSON, valid bodies with
 * fields replaced, raw strings and bytes. No request may get a 5xx (the scripted net answers every call, so a 5xx
 * could only be our own failure), every error is the envelope with a 4xx REST code, and the server still answers a
 * valid request afterwards. test/integration/restAbuse.test.ts does the same over real sockets against the daemon.
 */
const tx = signedTransaction();
const HASH = 'ab'.repeat(32);
const ROUTES: ReadonlyArray<{ method: string; url: string; body?: Record<string, unknown> }> = [
  { method: 'GET', url: '/api/v1/getcurrentheight' },
  { method: 'POST', url: '/api/v1/queryheaderbyheight', body: { height: 3 } },
  { method: 'POST', url: '/api/v1/rollback', body: { time: '2030-01-01 00:00:00' } },
  { method: 'POST', url: '/api/v1/broadcasttx', body: { tx: tx.hex } },
  { method: 'GET', url: '/api/v1/tip' },
  { method: 'GET', url: '/api/v1/header/5' },
  { method: 'GET', url: `/api/v1/header/${HASH}` },
  { method: 'POST', url: '/api/v1/verifyproof', body: { tx: tx.hex, proof: '00'.repeat(80) } },
  { method: 'GET', url: '/api/v1/deposits?limit=5' },
  { method: 'GET', url: `/api/v1/deposits/${HASH}` },
  { method: 'GET', url: `/api/v1/withdrawals?after=${HASH}` },
  { method: 'GET', url: `/api/v1/withdrawals/${HASH}` },
  { method: 'GET', url: '/api/v1/peers' },
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/metrics' },
  { method: 'GET', url: '/docs/json' },
];

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 4294967296, 1e300, 2.5, -0, '5', '', 'zz', '0x10', 'ab'.repeat(33), '9999-99-99 99:99:99', '2024-02-30 00:00:00', '0000-01-01 00:00:00', null, true, [], {}),
  fc.string({ maxLength: 40 }),
);
const segment = fc.oneof(
  fc.constantFrom('', '..', '.', '%00', '%2e%2e', '%ff', '%', '%zz', 'x'.repeat(300), '-1', '4294967296', '00', '0x1', 'AB'.repeat(32), 'ab'.repeat(33), '😀', '?', '#', ';', '%20'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.nat().map(String),
);
const query = fc.oneof(fc.constant(''), fc.array(fc.tuple(fc.constantFrom('limit', 'after', 'x', '__proto__', 'limit'), junk.map(String)), { maxLength: 3 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`));

const requestArb = fc.record({
  route: fc.constantFrom(...ROUTES),
  method: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
  path: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`) }, { weight: 2, arbitrary: segment.map((s) => `/api/v1/header/${s}`) }, { weight: 1, arbitrary: segment.map((s) => `/api/v1/deposits/${s}`) }),
  query,
  body: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('height', 'time', 'tx', 'proof', 'extra', '__proto__', 'constructor'), junk).map(([k, v]) => ({ edit: [k, v] as const })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ raw: JSON.stringify(v) })) },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('{', '{"height":', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '[1,2', 'null', '""', '\u0000', '{"height":1}{"height":2}', '{"tx":"' + 'a'.repeat(5000) + '"}')).map((s) => ({ raw: s })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ bytes: b })) },
  ),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'application/', 'application/json; charset=utf-16', '*/*', 'APPLICATION/JSON'),
  auth: fc.constantFrom(undefined, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`, 'Bearer', 'Bearer wrong', `bearer   ${TOKEN}  `, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN}x`, 'Bearer \u00ff', `Bearer ${'a'.repeat(5000)}`),
  extraHeader: fc.option(fc.tuple(fc.constantFrom('content-length', 'transfer-encoding', 'content-encoding', 'accept', 'x-forwarded-for'), fc.constantFrom('0', '-1', '99999999999', 'gzip', 'chunked', 'abc', '*/*', 'text/html')), { nil: undefined }),
});

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD';

describe('fuzz: REST requests (injected into the real server)', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('random and mutated requests: never a 5xx, errors are 4xx envelopes, valid requests still answered', async () => {
    await withApi({ token: TOKEN, headers: 30, bodyLimitBytes: 16 * 1024 }, async ({ server }) => {
      const app = server.app;
      const statuses = new Map<number, number>();
      await check(
        'rest inject',
        fc.asyncProperty(requestArb, async (r) => {
          const method = (r.method ?? r.route.method) as HttpMethod;
          const url = (r.path ?? r.route.url.split('?')[0]!) + (r.query === '' && r.path === null ? (r.route.url.includes('?') ? `?${r.route.url.split('?')[1]!}` : '') : r.query);
          let payload: string | Buffer | undefined;
          if (r.body !== null) {
            if ('edit' in r.body) {
              const b: Record<string, unknown> = { ...(r.route.body ?? {}) };
              Object.defineProperty(b, r.body.edit[0], { value: r.body.edit[1], enumerable: true, configurable: true, writable: true });
              payload = JSON.stringify(b);
            } else if ('raw' in r.body) payload = r.body.raw;
            else payload = Buffer.from(r.body.bytes);
          } else if (r.route.body !== undefined) payload = JSON.stringify(r.route.body);
          const headers: Record<string, string> = {};
          if (r.contentType !== undefined) headers['content-type'] = r.contentType;
          if (r.auth !== undefined) headers['authorization'] = r.auth;
          if (r.extraHeader !== undefined) headers[r.extraHeader[0]] = r.extraHeader[1];
          let res;
          try {
            res = await app.inject({ method, url, headers, ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload } : {}) });
          } catch (err) {
            // light-my-request refuses some header combinations itself (never reaching the server): not a server fault.
            assert.ok(err instanceof Error && /content-length|transfer-encoding|Invalid|header/i.test(err.message), String(err));
            return;
          }
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          assert.ok(res.statusCode < 500, `${method} ${url} ${JSON.stringify(headers)} ${String(payload).slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400 && method !== 'HEAD') {
            const body = JSON.parse(res.body) as { action: unknown; desc: unknown; error: unknown; result: unknown };
            assert.deepEqual(Object.keys(body).sort(), ['action', 'desc', 'error', 'result'], res.body);
            assert.ok(typeof body.error === 'number' && body.error >= 42001 && body.error <= 42009, res.body);
            assert.ok(typeof body.desc === 'string' && body.desc.length > 0);
          }
        }),
        1500,
      );
      console.log(`rest fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
      const ok = await app.inject({ method: 'GET', url: '/api/v1/getcurrentheight' });
      assert.equal(ok.statusCode, 200);
      assert.ok([...statuses.keys()].some((s) => s >= 400));
    });
  });
});
