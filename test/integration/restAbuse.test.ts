import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REGTEST } from '../../src/chain/params.js';
import { concatBytes } from '../../src/util/bytes.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { exitOf, runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';
import { signedTransaction } from '../unit/api/apiTestUtil.js';

/**
 * REST abuse against the real daemon (dist/main.js: supervisor, chain worker on LevelDB, net worker, REST on a real
 * socket), issue 6 item 6: 10,000 malformed requests (wrong types, negative and huge heights, invalid hex, huge
 * bodies, bad auth, wrong content types, unknown routes and methods, bad JSON, broken HTTP) must all get a 4xx and
 * never a 5xx, while valid requests keep being answered during and after; then slow clients (headers or body a byte
 * at a time, connect-and-say-nothing, many at once) are timed out (408, connection closed) while others are served.
 */
const SEED = 0x4e57_ab05;
const TOTAL = 10_000;
const CONCURRENCY = 16;
const TOKEN = 'abuse-token-0123456789abcdef';
const HEIGHT = 60;
const REQUEST_TIMEOUT_MS = 1_500;
const BODY_LIMIT = 64 * 1024;

interface Malformed {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

type Rand = () => number;

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function randomHex(rand: Rand, chars: number): string {
  return Array.from({ length: chars }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
}

const json = { 'content-type': 'application/json' };
const auth = { ...json, authorization: `Bearer ${TOKEN}` };

/** One malformed request of every kind the issue names, chosen by the seeded PRNG. Each is wrong by construction. */
function malformed(rand: Rand, tx: string): Malformed {
  const wrongType = pick(rand, ['"5"', 'true', 'null', '[5]', '{"h":5}', '5.5', '"0x10"', '1e3', '-0.5']);
  const badHeight = pick(rand, ['-1', '-4294967296', '4294967296', '1e20', '18446744073709551616', '9007199254740993', '-0.0001']);
  const badHex = pick(rand, ['zz', 'abc', '0', randomHex(rand, 63), `${randomHex(rand, 10)}g`, ' ab', 'ab ', '0x00', '', '\u00e9\u00e9', `${tx}0`]);
  switch (Math.floor(rand() * 18)) {
    case 0:
      return { kind: 'wrong type', method: 'POST', path: '/api/v1/queryheaderbyheight', headers: json, body: `{"height":${wrongType}}` };
    case 1:
      return { kind: 'bad height', method: 'POST', path: '/api/v1/queryheaderbyheight', headers: json, body: `{"height":${badHeight}}` };
    case 2:
      return { kind: 'bad height', method: 'GET', path: `/api/v1/header/${encodeURIComponent(pick(rand, ['-1', '4294967296', '99999999999', '01', '1.5', '1e3', ' 1', '0x1', `${HEIGHT + 1 + Math.floor(rand() * 1e6)}`]))}` };
    case 3:
      return { kind: 'invalid hex', method: 'GET', path: `/api/v1/header/${encodeURIComponent(pick(rand, [randomHex(rand, 63), randomHex(rand, 65), `${randomHex(rand, 63)}g`, 'zz'.repeat(32)]))}` };
    case 4:
      return { kind: 'invalid hex', method: 'POST', path: '/api/v1/verifyproof', headers: json, body: JSON.stringify(rand() < 0.5 ? { tx: badHex, proof: randomHex(rand, 200) } : { tx, proof: badHex }) };
    case 5:
      return { kind: 'invalid hex', method: 'POST', path: '/api/v1/broadcasttx', headers: auth, body: JSON.stringify({ tx: badHex }) };
    case 6:
      return { kind: 'wrong type', method: 'POST', path: pick(rand, ['/api/v1/verifyproof', '/api/v1/broadcasttx', '/api/v1/rollback']), headers: auth, body: pick(rand, ['{"tx":5,"proof":[]}', '{"tx":null}', '{"time":1700000000}', '{"time":["2024-01-01 00:00:00"]}', '[]', '"x"', '5', '{}']) };
    case 7:
      return { kind: 'bad time', method: 'POST', path: '/api/v1/rollback', headers: auth, body: JSON.stringify({ time: pick(rand, ['2024-02-30 00:00:00', '2024-13-01 00:00:00', '9999-99-99 99:99:99', '2024-01-01T00:00:00Z', 'yesterday', '', '2024-01-01 24:00:00']) }) };
    case 8:
      return { kind: 'bad auth', method: 'POST', path: pick(rand, ['/api/v1/rollback', '/api/v1/broadcasttx']), headers: { ...json, ...(rand() < 0.3 ? {} : { authorization: pick(rand, ['Bearer wrong', 'Bearer', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(TOKEN).toString('base64')}`, TOKEN, `Bearer ${TOKEN.slice(1)}`]) }) }, body: pick(rand, [JSON.stringify({ tx }), JSON.stringify({ time: '2024-01-01 00:00:00' })]) };
    case 9:
      return { kind: 'huge body', method: 'POST', path: pick(rand, ['/api/v1/verifyproof', '/api/v1/queryheaderbyheight', '/api/v1/broadcasttx']), headers: auth, body: JSON.stringify({ tx: 'ab'.repeat(BODY_LIMIT), proof: 'cd' }) };
    case 10:
      return { kind: 'wrong content-type', method: 'POST', path: pick(rand, ['/api/v1/queryheaderbyheight', '/api/v1/verifyproof', '/api/v1/broadcasttx']), headers: { authorization: `Bearer ${TOKEN}`, 'content-type': pick(rand, ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/xml', 'image/png']) }, body: `{"height":${HEIGHT}}` };
    case 11:
      return { kind: 'bad json', method: 'POST', path: pick(rand, ['/api/v1/queryheaderbyheight', '/api/v1/verifyproof', '/api/v1/broadcasttx', '/api/v1/rollback']), headers: auth, body: pick(rand, ['{', '{"height":', '{"height":1,}', "{'height':1}", '{"height":1}}', 'nul', '\u0000', '{"__proto__":{"height":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"height":1', '']) };
    case 12:
      return { kind: 'unknown route', method: pick(rand, ['GET', 'POST']), path: pick(rand, ['/', '/api', '/api/v2/tip', '/api/v1/', '/api/v1/tip/extra', '/api/v1/header', `/${randomHex(rand, 8)}`, '/../etc/passwd', '/api/v1/%2e%2e/tip', '/api/v1/deposits/x/y', '/docs', '/metrics/x', `/api/v1/${'a'.repeat(2000)}`]) };
    case 13:
      return { kind: 'wrong method', method: pick(rand, ['PUT', 'DELETE', 'PATCH', 'POST']), path: pick(rand, ['/api/v1/tip', '/api/v1/getcurrentheight', '/api/v1/peers', '/api/v1/header/5']), headers: json, body: '{}' };
    case 14:
      return { kind: 'wrong method', method: 'GET', path: pick(rand, ['/api/v1/rollback', '/api/v1/broadcasttx', '/api/v1/verifyproof', '/api/v1/queryheaderbyheight']) };
    case 15:
      return { kind: 'bad query', method: 'GET', path: `/api/v1/${pick(rand, ['deposits', 'withdrawals'])}?${pick(rand, ['limit=0', 'limit=-1', 'limit=1001', 'limit=x', 'after=zz', `after=${randomHex(rand, 63)}`, 'limit=1&limit=2', 'extra=1'])}` };
    case 16:
      return { kind: 'bad id', method: 'GET', path: `/api/v1/${pick(rand, ['deposits', 'withdrawals'])}/${pick(rand, ['x', randomHex(rand, 63), `${randomHex(rand, 63)}g`, randomHex(rand, 65)])}` };
    default:
      return { kind: 'missing field', method: 'POST', path: pick(rand, ['/api/v1/queryheaderbyheight', '/api/v1/verifyproof', '/api/v1/broadcasttx', '/api/v1/rollback']), headers: auth, body: pick(rand, ['{}', '{"heigth":1}', '{"proof":"00"}', '{"txx":"00"}']) };
  }
}

/** Requests fetch cannot send (broken HTTP): over a raw socket; the reply's status line, or null if closed first. */
function rawRequest(port: number, bytes: string | Uint8Array, timeoutMs = 10_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`raw request not answered in ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (d) => (buf += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      resolve(m === null ? null : Number(m[1]));
    });
    s.write(bytes, () => s.end());
  });
}

const BROKEN_HTTP: ReadonlyArray<string | (() => string)> = [
  'GARBAGE\r\n\r\n',
  'GET /api/v1/tip HTTP/9.9\r\n\r\n',
  'GET /api/v1/tip HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /api/v1/verifyproof HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /api/v1/verifyproof HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  () => `GET /api/v1/tip HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'GET /api/v1/tip HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
  'GET /api/v1/\u0000tip HTTP/1.1\r\nHost: x\r\n\r\n',
];

interface Daemon {
  readonly child: ChildProcess;
  readonly base: string;
  readonly port: number;
}

describe('REST abuse against the real daemon', () => {
  const dir = tempDir('spv-rest-abuse-');
  const tx = signedTransaction();
  let daemon: Daemon;
  const headerHex: string[] = [];

  before(async () => {
    const builder = new ChainBuilder(REGTEST);
    const built = builder.extend(HEIGHT);
    for (const h of built.headers) headerHex.push(Buffer.from(h.raw).toString('hex'));
    const file = join(dir.path, 'headers.bin');
    writeFileSync(file, concatBytes(REGTEST.genesisHeader, built.raw));
    writeFileSync(join(dir.path, 'token'), `${TOKEN}\n`, { mode: 0o600 });
    const conf = join(dir.path, 'conf.json');
    writeFileSync(
      conf,
      JSON.stringify({
        network: 'regtest',
        dataDir: 'data',
        peers: { dnsSeeds: false },
        rest: { port: 0, tokenFile: 'token', bodyLimitBytes: BODY_LIMIT, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      }),
    );
    const imported = runCli(['import', file, '--config', conf, '--json']);
    assert.equal(imported.status, 0, imported.stderr);
    const child = spawnCli(['--config', conf, '--loglevel', '2']);
    const line = await waitForLine(child, /"msg":"rest listening"/);
    const port = (JSON.parse(line) as { port: number }).port;
    daemon = { child, port, base: `http://127.0.0.1:${port}` };
  });

  after(async () => {
    if (daemon !== undefined) {
      daemon.child.kill('SIGTERM');
      const { code } = await exitOf(daemon.child, 30_000);
      assert.equal(code, 0, 'the daemon stops cleanly after the abuse');
    }
    dir.cleanup();
  });

  /** A valid request and its exact answer: the header at a height, byte for byte. */
  async function assertServing(height: number): Promise<void> {
    const res = await fetch(`${daemon.base}/api/v1/queryheaderbyheight`, { method: 'POST', headers: json, body: JSON.stringify({ height }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: { header: string } };
    assert.equal(body.result.header, headerHex[height - 1]);
  }

  it(`${TOTAL} malformed requests: only 4xx, never a 5xx, and valid requests answered during and after`, async () => {
    const rand = mulberry32(SEED);
    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    let next = 0;
    let fiveXx = 0;
    let valid = 0;
    let closedUnanswered = 0;
    const failures: string[] = [];
    // The whole sequence is drawn first, so the same seed sends the same 10,000 requests whatever the timing.
    const plan = Array.from({ length: TOTAL }, (_, i) => {
      if (i % 100 !== 99) return malformed(rand, tx.hex);
      const raw = pick(rand, BROKEN_HTTP);
      return typeof raw === 'function' ? raw() : raw;
    });
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= TOTAL) return;
        // Interleaved: a valid request every 50 malformed ones, checked for its exact answer.
        if (i % 50 === 0) {
          await assertServing(1 + (i % HEIGHT));
          valid++;
        }
        let status: number;
        let kind: string;
        const m = plan[i]!;
        if (typeof m === 'string') {
          kind = 'broken http';
          const answered = await rawRequest(daemon.port, m);
          // node's parser may close a connection it cannot parse without a reply: no 5xx either way.
          if (answered === null) closedUnanswered++;
          status = answered ?? 400;
        } else {
          kind = m.kind;
          const res = await fetch(`${daemon.base}${m.path}`, { method: m.method, headers: m.headers ?? {}, ...(m.body !== undefined ? { body: m.body } : {}) });
          status = res.status;
          const text = await res.text();
          if (status >= 500 || status < 400) failures.push(`${m.method} ${m.path} ${JSON.stringify(m.headers ?? {})} ${(m.body ?? '').slice(0, 120)} -> ${status} ${text.slice(0, 200)}`);
          else {
            const body = JSON.parse(text) as { error: number; desc: string };
            assert.ok(body.error >= 42001 && body.error <= 42009 && body.desc.length > 0, text);
          }
        }
        if (status >= 500) fiveXx++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`rest abuse requests: ${TOTAL}, 5xx: ${fiveXx}`);
    console.log(`rest abuse statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; valid answered meanwhile: ${valid}; broken-HTTP connections closed without a reply: ${closedUnanswered}`);
    console.log(`rest abuse kinds: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`);
    assert.deepEqual(failures.slice(0, 5), []);
    assert.equal(fiveXx, 0);
    for (const s of statuses.keys()) assert.ok(s >= 400 && s < 500, `status ${s}`);
    assert.equal(kinds.size, 14, 'every kind of malformed request was sent');
    for (let h = 1; h <= HEIGHT; h += 7) await assertServing(h);
    const tip = (await (await fetch(`${daemon.base}/api/v1/tip`)).json()) as { result: { height: number } };
    assert.equal(tip.result.height, HEIGHT);
  });

  /** Opens a socket that writes `prefix` and then one byte of `drip` every `intervalMs`; resolves when the server closes it. */
  function slowClient(prefix: string, drip: string, intervalMs: number): { closed: Promise<{ ms: number; reply: string }>; socket: Socket } {
    const started = Date.now();
    const socket = connect(daemon.port, '127.0.0.1');
    let reply = '';
    let timer: NodeJS.Timeout | null = null;
    const closed = new Promise<{ ms: number; reply: string }>((resolve) => {
      socket.on('data', (d) => (reply += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (timer !== null) clearInterval(timer);
        resolve({ ms: Date.now() - started, reply });
      });
    });
    socket.on('connect', () => {
      if (prefix.length > 0) socket.write(prefix);
      let k = 0;
      if (drip.length > 0) {
        timer = setInterval(() => {
          if (socket.destroyed || socket.writableEnded) return;
          socket.write(drip[k++ % drip.length]!);
        }, intervalMs);
      }
    });
    return { closed, socket };
  }

  /** Waits for `p` at most `ms` (the test's own bound, far above the configured timeout). */
  function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let t: NodeJS.Timeout;
    return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: not closed within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
  }

  it('slow clients (headers or body a byte every 200 ms, silent connections, 40 at once) are timed out while others are served', async () => {
    const bound = REQUEST_TIMEOUT_MS * 8;
    const clients = [
      { what: 'slow headers', c: slowClient('GET /api/v1/tip HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 200) },
      { what: 'slow body', c: slowClient(`POST /api/v1/queryheaderbyheight HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"height":`, '1111111111', 200) },
      { what: 'silent connection', c: slowClient('', '', 0) },
      ...Array.from({ length: 40 }, (_, i) => ({ what: `slowloris ${i}`, c: slowClient('POST /api/v1/verifyproof HTTP/1.1\r\nHost: x\r\n', 'Y-Pad: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 250) })),
    ];
    // Others are served meanwhile, with the exact answers.
    let served = 0;
    let stop = false;
    const others = (async () => {
      while (!stop) {
        await assertServing(1 + (served % HEIGHT));
        served++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const results = await Promise.all(clients.map(({ what, c }) => within(c.closed, bound, what).then((r) => ({ what, ...r }))));
      const slowest = Math.max(...results.map((r) => r.ms));
      for (const r of results) {
        assert.ok(r.ms >= REQUEST_TIMEOUT_MS - 100, `${r.what} closed before the timeout (${r.ms} ms)`);
        if (r.reply.length > 0) assert.match(r.reply, /^HTTP\/1\.1 408 /, `${r.what}: ${r.reply.slice(0, 80)}`);
      }
      assert.match(results[0]!.reply, /^HTTP\/1\.1 408 /);
      assert.match(results[1]!.reply, /^HTTP\/1\.1 408 /);
      console.log(`slow clients: ${results.length} timed out (requestTimeoutMs ${REQUEST_TIMEOUT_MS}, closed after ${Math.min(...results.map((r) => r.ms))}-${slowest} ms); ${served} valid requests answered meanwhile`);
    } finally {
      stop = true;
      await others;
      for (const { c } of clients) c.socket.destroy();
    }
    assert.ok(served > 0);
    await assertServing(HEIGHT);
  });
});
