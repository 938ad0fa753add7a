import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { loadRestToken } from '../../../src/api/auth.js';
import { REST_CODES } from '../../../src/api/envelope.js';
import { createRestServer } from '../../../src/api/server.js';
import { silentLogger } from '../../../src/log/logger.js';
import { hasCode } from '../../helpers/assertions.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectEnvelope, fetchRes, jsonPost, signedTransaction, TOKEN, utcText, withApi } from './apiTestUtil.js';

const C = REST_CODES;

describe('bearer token on rollback and broadcasttx', () => {
  test('missing, wrong, or other-scheme credentials: 401 UNAUTHORIZED, nothing done', async () => {
    await withApi({ listen: true, token: TOKEN, headers: 5 }, async ({ base, net, headers }) => {
      const attempts: (Record<string, string> | undefined)[] = [
        undefined,
        { authorization: '' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer ' },
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
        { authorization: TOKEN },
        { authorization: `Bearer ${TOKEN} extra` },
        { 'x-api-key': TOKEN },
      ];
      const tx = signedTransaction();
      for (const extra of attempts) {
        for (const [path, body] of [
          ['rollback', { time: utcText(headers[0]!.time) }],
          ['broadcasttx', { tx: tx.hex }],
        ] as const) {
          const res = await fetchRes(`${base}/api/v1/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...extra },
            body: JSON.stringify(body),
          });
          assert.equal(expectEnvelope(res, 401, C.UNAUTHORIZED, path), null, JSON.stringify(extra));
          assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
      }
      assert.equal(net.resyncCalls, 0);
      assert.equal(net.broadcasts.length, 0);
      const height = await fetchRes(`${base}/api/v1/getcurrentheight`);
      assert.deepEqual(expectEnvelope(height, 200, C.SUCCESS), { height: 5 });
    });
  });

  test('the right token is accepted (scheme case-insensitive); read-only endpoints need none', async () => {
    await withApi({ listen: true, token: TOKEN, headers: 5 }, async ({ base, net, headers }) => {
      const tx = signedTransaction();
      const b = await fetchRes(`${base}/api/v1/broadcasttx`, jsonPost({ tx: tx.hex }, TOKEN));
      assert.deepEqual(expectEnvelope(b, 200, C.SUCCESS, 'broadcasttx'), { txid: tx.txid, peers: 2 });
      const r = await fetchRes(`${base}/api/v1/rollback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `bearer ${TOKEN}` },
        body: JSON.stringify({ time: utcText(headers[3]!.time) }),
      });
      assert.equal((expectEnvelope(r, 200, C.SUCCESS, 'rollback') as { height: number }).height, 3);
      assert.equal(net.resyncCalls, 1);
      for (const path of ['/api/v1/getcurrentheight', '/api/v1/tip', '/api/v1/header/1', '/api/v1/peers']) {
        expectEnvelope(await fetchRes(`${base}${path}`), 200, C.SUCCESS);
      }
      const q = await fetchRes(`${base}/api/v1/queryheaderbyheight`, jsonPost({ height: 1 }));
      expectEnvelope(q, 200, C.SUCCESS);
    });
  });

  test('authentication comes before the body: no token and a bad or huge body is still 401', async () => {
    await withApi({ token: TOKEN, bodyLimitBytes: 1024 }, async ({ server }) => {
      for (const payload of ['{not json', JSON.stringify({ tx: 'ab'.repeat(5000) })]) {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/v1/broadcasttx',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        expectEnvelope(res, 401, C.UNAUTHORIZED, 'broadcasttx');
      }
    });
  });

  test('without a token configured, state-changing endpoints need no header (and ignore one)', async () => {
    await withApi({ token: null, headers: 5 }, async ({ server, headers }) => {
      const tx = signedTransaction();
      for (const headersIn of [{}, { authorization: 'Bearer whatever' }]) {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', headers: headersIn, payload: { tx: tx.hex } });
        expectEnvelope(res, 200, C.SUCCESS, 'broadcasttx');
      }
      const r = await server.app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { time: utcText(headers[4]!.time) } });
      expectEnvelope(r, 200, C.SUCCESS, 'rollback');
    });
  });

  test('the token is never logged, even at trace level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    await withApi({ token: TOKEN, log, headers: 3 }, async ({ server, headers, net }) => {
      net.broadcast = { error: new Error('a bug') };
      const tx = signedTransaction();
      for (const auth of [TOKEN, `${TOKEN}-wrong`]) {
        await server.app.inject({ method: 'POST', url: '/api/v1/broadcasttx', headers: { authorization: `Bearer ${auth}` }, payload: { tx: tx.hex } });
        await server.app.inject({
          method: 'POST',
          url: '/api/v1/rollback',
          headers: { authorization: `Bearer ${auth}` },
          payload: { time: utcText(headers[2]!.time) },
        });
      }
    });
    assert.ok(lines.length > 0, 'something was logged');
    for (const line of lines) assert.ok(!line.includes(TOKEN), line);
  });

  test('an empty or unusable token is refused at start', async () => {
    const config = { enabled: true, host: '127.0.0.1', port: 0, tokenFile: null, bodyLimitBytes: 1_048_576 };
    for (const token of ['', '   ', 'has space', 'tab\there', 'ünïcode']) {
      await assert.rejects(
        createRestServer({ client: {} as never, config, network: 'regtest', log: silentLogger(), token }),
        hasCode('CONFIG_INVALID'),
      );
    }
  });
});

describe('loadRestToken', () => {
  test('reads the file, trims whitespace; null without a file; unreadable or empty files are CONFIG_INVALID', async () => {
    const dir = tempDir('spv-api-token-');
    try {
      const good = join(dir.path, 'token');
      writeFileSync(good, `  ${TOKEN}\n`);
      assert.equal(await loadRestToken(good), TOKEN);
      assert.equal(await loadRestToken(null), null);
      await assert.rejects(loadRestToken(join(dir.path, 'missing')), hasCode('CONFIG_INVALID'));
      const empty = join(dir.path, 'empty');
      writeFileSync(empty, '\n\n');
      await assert.rejects(loadRestToken(empty), hasCode('CONFIG_INVALID'));
    } finally {
      dir.cleanup();
    }
  });
});
