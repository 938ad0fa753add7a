import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PolyRpcClient } from '../../../../src/alliance/rpc/index.js';
import { isSpvError } from '../../../../src/errors/spvError.js';
import { hasCode } from '../../../helpers/assertions.js';
import { closedPortUrl, ok, startScripted } from './scriptedServer.js';
import type { Handler, Scripted } from './scriptedServer.js';

const TXHASH = 'AB'.repeat(32);

let srv: Scripted | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function serve(handler: Handler): Promise<Scripted> {
  srv = await startScripted(handler);
  return srv;
}

function client(url: string, extra: Partial<ConstructorParameters<typeof PolyRpcClient>[0]> = {}): PolyRpcClient {
  return new PolyRpcClient({ url, timeoutMs: 2_000, retries: 3, backoffMs: 5, ...extra });
}

function body(s: Scripted, i: number): Record<string, unknown> {
  const b = s.seen[i]?.body;
  assert.ok(typeof b === 'object' && b !== null);
  return b as Record<string, unknown>;
}

describe('PolyRpcClient success paths', () => {
  it('blockHeight = getblockcount - 1; request shape is jsonrpc 2.0 with a string id and array params', async () => {
    const s = await serve((req) => ok(req, 1151183));
    assert.equal(await client(s.url).blockHeight(), 1151182);
    assert.equal(s.seen.length, 1);
    assert.equal(s.seen[0]?.method, 'POST');
    assert.match(s.seen[0]?.contentType ?? '', /application\/json/);
    const b = body(s, 0);
    assert.equal(b['jsonrpc'], '2.0');
    assert.equal(b['method'], 'getblockcount');
    assert.deepEqual(b['params'], []);
    assert.equal(typeof b['id'], 'string');
  });

  it('uses a fresh id per request', async () => {
    const s = await serve((req) => ok(req, 5));
    const c = client(s.url);
    await c.blockHeight();
    await c.blockHeight();
    assert.notEqual(body(s, 0)['id'], body(s, 1)['id']);
  });

  it('eventsAtHeight sends the height as a JSON number and returns the array; null → []', async () => {
    const events = [{ TxHash: TXHASH, State: 1, GasConsumed: 0, Notify: [] }];
    const s = await serve((req, n) => ok(req, n === 1 ? events : null));
    const c = client(s.url);
    assert.deepEqual(await c.eventsAtHeight(42), events);
    assert.deepEqual(await c.eventsAtHeight(43), []);
    assert.equal(body(s, 0)['method'], 'getsmartcodeevent');
    assert.deepEqual(body(s, 0)['params'], [42]);
    assert.deepEqual(body(s, 1)['params'], [43]);
  });

  it('sendRawTransaction returns the lower-case 64-hex hash', async () => {
    const s = await serve((req) => ok(req, TXHASH));
    assert.equal(await client(s.url).sendRawTransaction('00d1aabb'), TXHASH.toLowerCase());
    assert.equal(body(s, 0)['method'], 'sendrawtransaction');
    assert.deepEqual(body(s, 0)['params'], ['00d1aabb']);
  });

  it('getStorage returns hex or null', async () => {
    const s = await serve((req, n) => ok(req, n === 1 ? '0a0B' : null));
    const c = client(s.url);
    const contract = '0200000000000000000000000000000000000000';
    assert.equal(await c.getStorage(contract, '6b6579'), '0a0b');
    assert.equal(await c.getStorage(contract, '6b6579'), null);
    assert.equal(body(s, 0)['method'], 'getstorage');
    assert.deepEqual(body(s, 0)['params'], [contract, '6b6579']);
  });

  it('accepts a reply without jsonrpc/desc keys when error is 0', async () => {
    const s = await serve((req) => ({ json: { error: 0, result: 7, id: req['id'] } }));
    assert.equal(await client(s.url).blockHeight(), 6);
  });
});

describe('PolyRpcClient transport failures and retries', () => {
  it('refused connection → POLY_RPC_UNREACHABLE after bounded retries', async () => {
    const url = await closedPortUrl();
    const t0 = Date.now();
    await assert.rejects(client(url, { retries: 2, backoffMs: 20 }).blockHeight(), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'POLY_RPC_UNREACHABLE');
      assert.equal(err.details['sysCode'], 'ECONNREFUSED');
      return true;
    });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 55 && elapsed < 2_000, `elapsed ${elapsed}`); // two backoffs: 20 + 40
  });

  it('connection reset → POLY_RPC_UNREACHABLE, retried retries+1 times in total', async () => {
    const s = await serve(() => 'reset');
    await assert.rejects(client(s.url, { retries: 2 }).blockHeight(), hasCode('POLY_RPC_UNREACHABLE'));
    assert.equal(s.seen.length, 3);
  });

  it('server never answers → POLY_RPC_TIMEOUT, each attempt bounded by timeoutMs', async () => {
    const s = await serve(() => 'hang');
    const t0 = Date.now();
    await assert.rejects(
      client(s.url, { timeoutMs: 100, retries: 1, backoffMs: 10 }).blockHeight(),
      hasCode('POLY_RPC_TIMEOUT'),
    );
    const elapsed = Date.now() - t0;
    assert.equal(s.seen.length, 2);
    assert.ok(elapsed >= 190 && elapsed < 1_500, `elapsed ${elapsed}`);
  });

  it('body stalls after the headers → POLY_RPC_TIMEOUT (the timeout covers reading the body)', async () => {
    const s = await serve(() => 'partial');
    await assert.rejects(client(s.url, { timeoutMs: 100, retries: 1, backoffMs: 10 }).blockHeight(), hasCode('POLY_RPC_TIMEOUT'));
    assert.equal(s.seen.length, 2);
  });

  it('a redirect is not followed and not retried → POLY_RPC_HTTP', async () => {
    const s = await serve(() => ({ status: 307, raw: '', headers: { location: 'http://127.0.0.1:1/' } }));
    await assert.rejects(client(s.url).blockHeight(), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'POLY_RPC_HTTP');
      assert.equal(err.details['status'], 307);
      return true;
    });
    assert.equal(s.seen.length, 1);
  });

  it('HTTP 500 then success: retried once and succeeds', async () => {
    const s = await serve((req, n) => (n === 1 ? { status: 500, raw: 'oops' } : ok(req, 11)));
    assert.equal(await client(s.url).blockHeight(), 10);
    assert.equal(s.seen.length, 2);
  });

  it('HTTP 503 forever: retries+1 requests, then POLY_RPC_HTTP with the status', async () => {
    const s = await serve(() => ({ status: 503, raw: '' }));
    await assert.rejects(client(s.url, { retries: 3 }).blockHeight(), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'POLY_RPC_HTTP');
      assert.equal(err.details['status'], 503);
      return true;
    });
    assert.equal(s.seen.length, 4);
  });

  it('HTTP 400 is not retried', async () => {
    const s = await serve(() => ({ status: 400, raw: 'bad' }));
    await assert.rejects(client(s.url).blockHeight(), hasCode('POLY_RPC_HTTP'));
    assert.equal(s.seen.length, 1);
  });

  it('backoff doubles and is capped by maxBackoffMs', async () => {
    const s = await serve(() => ({ status: 500, raw: '' }));
    await assert.rejects(
      client(s.url, { retries: 4, backoffMs: 40, maxBackoffMs: 80 }).blockHeight(),
      hasCode('POLY_RPC_HTTP'),
    );
    assert.equal(s.seen.length, 5);
    const gaps = s.seen.slice(1).map((r, i) => r.at - (s.seen[i]?.at ?? 0));
    // expected delays 40, 80, 80, 80 (capped; uncapped would reach 160 and 320)
    assert.ok(gaps[0]! >= 35 && gaps[0]! < 75 + 200, `gaps ${gaps.join(',')}`);
    for (const g of gaps.slice(1)) assert.ok(g >= 75 && g < 250, `gaps ${gaps.join(',')}`);
  });

  it('retries: 0 makes exactly one request', async () => {
    const s = await serve(() => 'reset');
    await assert.rejects(client(s.url, { retries: 0 }).blockHeight(), hasCode('POLY_RPC_UNREACHABLE'));
    assert.equal(s.seen.length, 1);
  });
});

describe('PolyRpcClient reply validation (never retried)', () => {
  it('invalid JSON → POLY_RPC_BAD_JSON', async () => {
    const s = await serve(() => ({ raw: '{"error":0,' }));
    await assert.rejects(client(s.url).blockHeight(), hasCode('POLY_RPC_BAD_JSON'));
    assert.equal(s.seen.length, 1);
  });

  it('JSON that is not an object → POLY_RPC_BAD_JSON', async () => {
    const s = await serve(() => ({ json: [1, 2] }));
    await assert.rejects(client(s.url).blockHeight(), hasCode('POLY_RPC_BAD_JSON'));
  });

  it('wrong id, numeric id echo or missing id → POLY_RPC_BAD_ID', async () => {
    const s = await serve((req, n) => {
      const id = n === 1 ? 'nope' : n === 2 ? Number(req['id']) : undefined;
      return { json: { jsonrpc: '2.0', error: 0, desc: 'SUCCESS', result: 5, id } };
    });
    const c = client(s.url);
    for (let i = 0; i < 3; i++) await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_ID'));
    assert.equal(s.seen.length, 3);
  });

  it('error field missing or not an integer → POLY_RPC_BAD_RESULT', async () => {
    const s = await serve((req, n) => ({ json: { id: req['id'], result: 5, ...(n === 1 ? {} : { error: n === 2 ? '0' : 0.5 }) } }));
    const c = client(s.url);
    for (let i = 0; i < 3; i++) await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_RESULT'));
  });

  it('result: null where a value is required → POLY_RPC_BAD_RESULT', async () => {
    const s = await serve((req) => ok(req, null));
    const c = client(s.url);
    await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_RESULT'));
    await assert.rejects(c.sendRawTransaction('00'), hasCode('POLY_RPC_BAD_RESULT'));
  });

  it('results of the wrong type → POLY_RPC_BAD_RESULT', async () => {
    const replies: unknown[] = ['12', 0, 1.5, { a: 1 }, 'abcd', 'zz', 5];
    const s = await serve((req, n) => ok(req, replies[n - 1]));
    const c = client(s.url);
    await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_RESULT')); // string
    await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_RESULT')); // 0: no height
    await assert.rejects(c.blockHeight(), hasCode('POLY_RPC_BAD_RESULT')); // fraction
    await assert.rejects(c.eventsAtHeight(1), hasCode('POLY_RPC_BAD_RESULT')); // object
    await assert.rejects(c.sendRawTransaction('00'), hasCode('POLY_RPC_BAD_RESULT')); // short hash
    await assert.rejects(c.getStorage('02'.padEnd(40, '0'), ''), hasCode('POLY_RPC_BAD_RESULT')); // not hex
    await assert.rejects(c.getStorage('02'.padEnd(40, '0'), ''), hasCode('POLY_RPC_BAD_RESULT')); // number
  });

  it('unknown-method reply shape → POLY_RPC_ERROR 42001, not retried', async () => {
    const s = await serve((req) => ({
      json: {
        error: 42001,
        result: { code: -32601, message: 'Method not found', data: 'The called method was not found on the server' },
        id: req['id'],
      },
    }));
    await assert.rejects(client(s.url).eventsAtHeight(7), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'POLY_RPC_ERROR');
      assert.equal(err.details['rpcCode'], 42001);
      assert.match(String(err.details['detail']), /Method not found/);
      return true;
    });
    assert.equal(s.seen.length, 1);
  });

  it('tx-pool error: detail comes from result, desc may be empty', async () => {
    const s = await serve((req) => ({
      json: { jsonrpc: '2.0', error: 45021, desc: '', result: 'verify signature failed', id: req['id'] },
    }));
    await assert.rejects(client(s.url).sendRawTransaction('00d1'), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.code, 'POLY_RPC_ERROR');
      assert.equal(err.details['rpcCode'], 45021);
      assert.equal(err.details['detail'], 'verify signature failed');
      assert.equal(err.details['desc'], '');
      return true;
    });
  });

  it('node error with empty result: detail falls back to desc', async () => {
    const s = await serve((req) => ({ json: { jsonrpc: '2.0', error: 42002, desc: 'INVALID PARAMS', result: '', id: req['id'] } }));
    await assert.rejects(client(s.url).sendRawTransaction('00d1'), (err: unknown) => {
      assert.ok(isSpvError(err));
      assert.equal(err.details['rpcCode'], 42002);
      assert.equal(err.details['detail'], 'INVALID PARAMS');
      return true;
    });
  });
});

describe('PolyRpcClient arguments', () => {
  it('bad arguments → POLY_RPC_BAD_REQUEST without any request', async () => {
    const s = await serve((req) => ok(req, null));
    const c = client(s.url);
    await assert.rejects(c.eventsAtHeight(-1), hasCode('POLY_RPC_BAD_REQUEST'));
    await assert.rejects(c.eventsAtHeight(1.5), hasCode('POLY_RPC_BAD_REQUEST'));
    await assert.rejects(c.sendRawTransaction(''), hasCode('POLY_RPC_BAD_REQUEST'));
    await assert.rejects(c.sendRawTransaction('abc'), hasCode('POLY_RPC_BAD_REQUEST'));
    await assert.rejects(c.getStorage('02', '00'), hasCode('POLY_RPC_BAD_REQUEST'));
    await assert.rejects(c.getStorage('02'.padEnd(40, '0'), 'zz'), hasCode('POLY_RPC_BAD_REQUEST'));
    assert.equal(s.seen.length, 0);
  });

  it('bad options → CONFIG_INVALID', () => {
    assert.throws(() => new PolyRpcClient({ url: 'not a url' }), hasCode('CONFIG_INVALID'));
    assert.throws(() => new PolyRpcClient({ url: 'ftp://x/' }), hasCode('CONFIG_INVALID'));
    assert.throws(() => new PolyRpcClient({ url: 'http://x/', retries: -1 }), hasCode('CONFIG_INVALID'));
    assert.throws(() => new PolyRpcClient({ url: 'http://x/', timeoutMs: 0 }), hasCode('CONFIG_INVALID'));
  });
});
