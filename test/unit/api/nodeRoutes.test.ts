import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REST_CODES } from '../../../src/api/envelope.js';
import { PROBE_TIMEOUT_MS } from '../../../src/api/probe.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { expectEnvelope, failingChain, fetchRes, peer, withApi, workerDown } from './apiTestUtil.js';

const C = REST_CODES;

interface Health {
  status: string;
  network: string;
  synced: boolean;
  peers: number;
  height: number | null;
  problems: string[];
}

function health(res: { statusCode: number; body: string }, status: number): Health {
  assert.equal(res.statusCode, status, res.body);
  const h = JSON.parse(res.body) as Health;
  assert.deepEqual(Object.keys(h).sort(), ['height', 'network', 'peers', 'problems', 'status', 'synced']);
  return h;
}

describe('GET /api/v1/peers', () => {
  test('lists the net worker peers over real HTTP', async () => {
    await withApi({ listen: true }, async ({ base, net }) => {
      net.peerList = [peer('p1', { syncPeer: true, trusted: true }), peer('p2', { latencyMs: null, state: 'handshake' })];
      const r = expectEnvelope(await fetchRes(`${base}/api/v1/peers`), 200, C.SUCCESS, 'peers') as {
        count: number;
        peers: unknown[];
      };
      assert.equal(r.count, 2);
      assert.deepEqual(r.peers, net.peerList);
      net.peerList = [];
      assert.deepEqual(expectEnvelope(await fetchRes(`${base}/api/v1/peers`), 200, C.SUCCESS), { count: 0, peers: [] });
    });
  });

  test('a net worker that is down: 503 UNAVAILABLE', async () => {
    await withApi({}, async ({ server, net }) => {
      net.peersError = new SpvError('WORKER_CRASHED', 'net worker crashed');
      expectEnvelope(await server.app.inject({ method: 'GET', url: '/api/v1/peers' }), 503, C.UNAVAILABLE, 'peers');
    });
  });
});

describe('GET /healthz', () => {
  test('200 ok when synced with at least one peer (real HTTP)', async () => {
    await withApi({ listen: true, headers: 7 }, async ({ base }) => {
      const h = health(await fetchRes(`${base}/healthz`), 200);
      assert.equal(h.status, 'ok');
      assert.equal(h.network, 'regtest');
      assert.equal(h.synced, true);
      assert.equal(h.peers, 2);
      assert.equal(h.height, 7);
      assert.deepEqual(h.problems, []);
    });
  });

  test('503 when not synced, without peers, or with a worker down; never an error', async () => {
    await withApi({ headers: 3 }, async ({ server, net }) => {
      const get = async (): Promise<{ statusCode: number; body: string }> => server.app.inject({ method: 'GET', url: '/healthz' });
      net.status = { synced: false };
      assert.deepEqual(health(await get(), 503).problems, ['not_synced']);
      net.status = { synced: true, peers: 0 };
      let h = health(await get(), 503);
      assert.equal(h.status, 'unavailable');
      assert.deepEqual(h.problems, ['no_peers']);
      net.status = { synced: false, peers: 0 };
      assert.deepEqual(health(await get(), 503).problems, ['not_synced', 'no_peers']);
      net.status = {};
      net.statusError = workerDown();
      h = health(await get(), 503);
      assert.deepEqual(h.problems, ['net_unavailable']);
      assert.equal(h.synced, false);
      assert.equal(h.height, 3);
      net.statusError = new Error('not even an SpvError');
      assert.deepEqual(health(await get(), 503).problems, ['net_unavailable']);
    });
    await withApi({ wrapChain: failingChain(new SpvError('WORKER_CRASHED', 'x'), ['tip']) }, async ({ server }) => {
      const h = health(await server.app.inject({ method: 'GET', url: '/healthz' }), 503);
      assert.deepEqual(h.problems, ['chain_unavailable']);
      assert.equal(h.height, null);
    });
  });

  test('a wedged net worker: 503 within the probe timeout', async () => {
    await withApi({}, async ({ server, net }) => {
      net.hang = true;
      const start = Date.now();
      const h = health(await server.app.inject({ method: 'GET', url: '/healthz' }), 503);
      assert.deepEqual(h.problems, ['net_unavailable']);
      assert.ok(Date.now() - start < PROBE_TIMEOUT_MS + 1500);
    });
  });
});

describe('GET /metrics', () => {
  test('Prometheus text with tip, sync, peers, bans, reorgs and the request latency histogram', async () => {
    await withApi({ listen: true, headers: 9 }, async ({ base }) => {
      await fetchRes(`${base}/api/v1/getcurrentheight`);
      await fetchRes(`${base}/nope`);
      const res = await fetchRes(`${base}/metrics`);
      assert.equal(res.statusCode, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const text = res.body;
      for (const name of [
        'spv_tip_height',
        'spv_sync_headers_per_second',
        'spv_peers',
        'spv_bans',
        'spv_reorgs',
        'spv_synced',
        'spv_worker_up',
        'spv_rest_request_duration_seconds',
      ]) {
        assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
      }
      assert.match(text, /^spv_tip_height 9$/m);
      assert.match(text, /^spv_sync_headers_per_second 123\.5$/m);
      assert.match(text, /^spv_peers 2$/m);
      assert.match(text, /^spv_bans 1$/m);
      assert.match(text, /^spv_reorgs 3$/m);
      assert.match(text, /^spv_synced 1$/m);
      assert.match(text, /^spv_worker_up\{worker="net"\} 1$/m);
      assert.match(
        text,
        /^spv_rest_request_duration_seconds_count\{method="GET",route="\/api\/v1\/getcurrentheight",status="200"\} 1$/m,
      );
      assert.match(text, /^spv_rest_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m);
    });
  });

  test("the net worker's bookkeeping: every numeric counter as spv_net, misbehaviour points by code", async () => {
    await withApi({}, async ({ server, net }) => {
      const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      for (const [name, value] of Object.entries(net.counters)) {
        if (typeof value === 'number') assert.match(text, new RegExp(`^spv_net\\{counter="${name}"\\} ${value}$`, 'm'), name);
      }
      assert.match(text, /^spv_net_misbehaviour_points\{code="HEADER_BAD_POW"\} 100$/m);
      assert.match(text, /^spv_net_misbehaviour_points\{code="PEER_UNCONNECTING_FLOOD"\} 20$/m);
      // A net worker that is down leaves the last figures and marks itself down; the scrape still answers.
      net.statusError = workerDown();
      const down = await server.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(down.statusCode, 200);
      assert.match(down.body, /^spv_worker_up\{worker="net"\} 0$/m);
      assert.match(down.body, /^spv_net\{counter="addrCacheSize"\} 140$/m);
    });
  });

  test('a worker that is down shows as spv_worker_up 0; the scrape still succeeds', async () => {
    await withApi({ wrapChain: failingChain(workerDown(), ['tip']) }, async ({ server, net }) => {
      net.statusError = workerDown();
      const res = await server.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /^spv_worker_up\{worker="chain"\} 0$/m);
      assert.match(res.body, /^spv_worker_up\{worker="net"\} 0$/m);
      assert.match(res.body, /^spv_synced 0$/m);
    });
  });

  test('each server has its own registry', async () => {
    await withApi({}, async (a) => {
      await withApi({}, async (b) => {
        for (let i = 0; i < 3; i++) await a.server.app.inject({ method: 'GET', url: '/api/v1/tip' });
        const ma = (await a.server.app.inject({ method: 'GET', url: '/metrics' })).body;
        const mb = (await b.server.app.inject({ method: 'GET', url: '/metrics' })).body;
        assert.match(ma, /route="\/api\/v1\/tip",status="200"\} 3$/m);
        assert.doesNotMatch(mb, /route="\/api\/v1\/tip"/);
      });
    });
  });
});

describe('GET /docs/json', () => {
  interface Operation {
    responses?: Record<string, unknown>;
    requestBody?: { content?: Record<string, unknown> };
    parameters?: { in: string; name: string }[];
    security?: unknown[];
  }
  interface OpenApiDoc {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  }

  test('is an OpenAPI 3 document with every route, its schemas and the bearer requirement', async () => {
    await withApi({ listen: true }, async ({ base }) => {
      const res = await fetchRes(`${base}/docs/json`);
      assert.equal(res.statusCode, 200);
      const doc = JSON.parse(res.body) as OpenApiDoc;
      assert.match(doc.openapi, /^3\.\d+\.\d+$/);
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      const expected: Record<string, string> = {
        '/api/v1/getcurrentheight': 'get',
        '/api/v1/queryheaderbyheight': 'post',
        '/api/v1/rollback': 'post',
        '/api/v1/broadcasttx': 'post',
        '/api/v1/tip': 'get',
        '/api/v1/header/{hashOrHeight}': 'get',
        '/api/v1/peers': 'get',
        '/api/v1/verifyproof': 'post',
        '/api/v1/deposits': 'get',
        '/api/v1/deposits/{id}': 'get',
        '/api/v1/withdrawals': 'get',
        '/api/v1/withdrawals/{id}': 'get',
        '/healthz': 'get',
        '/metrics': 'get',
        '/docs/json': 'get',
      };
      assert.deepEqual(Object.keys(doc.paths).sort(), Object.keys(expected).sort());
      for (const [path, method] of Object.entries(expected)) {
        const op = doc.paths[path]?.[method];
        assert.ok(op !== undefined, `${method} ${path}`);
        assert.ok(op.responses !== undefined && '200' in op.responses, `${path} has a 200 response schema`);
        if (method === 'post') assert.ok(op.requestBody?.content?.['application/json'] !== undefined, `${path} body`);
        if (path.startsWith('/api/v1/') && !path.includes('{') && method === 'get') {
          assert.ok('4XX' in op.responses && '5XX' in op.responses, `${path} error envelopes`);
        }
      }
      assert.deepEqual(doc.paths['/api/v1/header/{hashOrHeight}']?.get?.parameters?.map((p) => [p.in, p.name]), [['path', 'hashOrHeight']]);
      for (const path of ['/api/v1/rollback', '/api/v1/broadcasttx']) {
        assert.deepEqual(doc.paths[path]?.post?.security, [{ bearer: [] }]);
      }
      assert.ok('bearer' in doc.components.securitySchemes);
      assert.ok('ErrorEnvelope' in doc.components.schemas);
      // every $ref resolves inside the document
      for (const ref of res.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
        assert.ok(ref[1]! in doc.components.schemas, ref[1]);
      }
    });
  });
});
