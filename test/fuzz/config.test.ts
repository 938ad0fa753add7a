import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeUnsignedTx } from '../../src/alliance/poly/index.js';
import { PolyRpcClient } from '../../src/alliance/rpc/index.js';
import { MAX_MONEY } from '../../src/chain/params.js';
import { loadConfig, parseConfig } from '../../src/config/loadConfig.js';
import type { Config } from '../../src/config/schema.js';
import { isSpvError } from '../../src/errors/spvError.js';
import { fromHex } from '../../src/util/bytes.js';
import { tempDir } from '../helpers/tmp.js';
import { assertTypedError, check, FUZZ_TIMEOUT_MS } from './fuzzUtil.js';

/**
 * fast-check over conf.json loading: random JSON values, valid configs with keys replaced, removed or added, and
 * raw file bytes. Only CONFIG_INVALID / CONFIG_PARSE may come out, every CONFIG_INVALID names a key, and a config
 * that IS accepted must be usable as it is by the workers that read it later (a value the schema lets through but a
 * worker rejects at run time would fail a validator hours after start).
 */
const VALID: unknown = {
  network: 'regtest',
  dataDir: './data',
  logLevel: 2,
  chain: { start: { height: 2016, header: '00'.repeat(80), chainwork: 'ff' } },
  peers: { connect: ['127.0.0.1:18444'], trusted: ['[::1]:8333'], maxOutbound: 8, dnsSeeds: false, proxy: 'socks5://127.0.0.1:9050', userAgent: '/x:1/' },
  sync: { headersTimeoutMs: 30_000, minHeadersPerSecond: 10 },
  rest: { enabled: true, host: '127.0.0.1', port: 50071, tokenFile: 'token', bodyLimitBytes: 1_048_576 },
  alliance: {
    enabled: true,
    rpcUrl: 'http://127.0.0.1:40336',
    era: 'A',
    chainId: '0',
    ccmAddress: '0200000000000000000000000000000000000000',
    redeemScript: '5221',
    argsLayout: 'A3',
    proofEncoding: 'E1',
    signer: { btcKeyFile: 'btc.key', maxOutputs: 20, maxFeeRate: 500, maxOutputValue: '100000000', dustLimit: 546 },
  },
};

/** Every key path of the valid config (objects only, not array items). */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [prefix];
  return [prefix, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...prefix, k]))];
}
const PATHS = paths(VALID).filter((p) => p.length > 0);

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', ' ', '0', '-1', '1e400', 'NaN', '99999999999999999999', '18446744073709551616', 'socks5://h:99999', 'javascript:alert(1)', 'ftp://x', 'http://', '::', '[::1]:0', 'a:65536'),
  fc.constantFrom(-1, 0, 1, 2016, 65535, 65536, 1.5, Number.MAX_SAFE_INTEGER, 1e300, -0),
);

type Edit = { kind: 'set'; path: string[]; value: unknown } | { kind: 'delete'; path: string[] } | { kind: 'add'; path: string[]; key: string; value: unknown };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: junk }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({
    kind: fc.constant('add' as const),
    path: fc.constantFrom([], ...PATHS),
    key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty')),
    value: junk,
  }),
);

function applyEdit(root: Record<string, unknown>, e: Edit): void {
  const parentPath = e.kind === 'add' ? e.path : e.path.slice(0, -1);
  let node: unknown = root;
  for (const k of parentPath) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[k];
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const obj = node as Record<string, unknown>;
  if (e.kind === 'set') obj[e.path[e.path.length - 1]!] = e.value;
  else if (e.kind === 'delete') delete obj[e.path[e.path.length - 1]!];
  else Object.defineProperty(obj, e.key, { value: e.value, enumerable: true, configurable: true, writable: true });
}

const U64_MAX = (1n << 64n) - 1n;

/** What the workers do with the values later; any throw here is a value the schema should have refused. */
function consume(c: Readonly<Config>): void {
  const chainId = BigInt(c.alliance.chainId);
  assert.ok(chainId <= U64_MAX, `alliance.chainId ${c.alliance.chainId} accepted but above u64`);
  encodeUnsignedTx({ era: c.alliance.era, nonce: 0, chainId, payload: new Uint8Array(1) });
  new PolyRpcClient({ url: c.alliance.rpcUrl, timeoutMs: c.alliance.rpcTimeoutMs, retries: c.alliance.rpcRetries });
  const mov = c.alliance.signer.maxOutputValue;
  if (mov !== null) assert.ok(BigInt(mov) <= MAX_MONEY, `alliance.signer.maxOutputValue ${mov} accepted but above MAX_MONEY`);
  if (c.peers.proxy !== null) {
    const port = Number(c.peers.proxy.slice(c.peers.proxy.lastIndexOf(':') + 1));
    assert.ok(port >= 1 && port <= 65535, `peers.proxy ${c.peers.proxy} accepted with port ${port}`);
  }
  const start = c.chain.start;
  if (typeof start === 'object') {
    assert.equal(fromHex(start.header).length, 80);
    BigInt(`0x${start.chainwork}`);
  }
  if (c.alliance.redeemScript !== null) fromHex(c.alliance.redeemScript);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.alliance.signer));
}

function assertConfigError(err: unknown, allowed: readonly string[]): void {
  assertTypedError(err, allowed);
  if (isSpvError(err) && err.code === 'CONFIG_INVALID') {
    const keys = err.details['keys'];
    assert.ok(Array.isArray(keys) && keys.length > 0, `CONFIG_INVALID without the keys: ${err.message}`);
  }
}

describe('fuzz: conf.json', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const dir = tempDir('spv-fuzz-config-');
  after(() => dir.cleanup());

  it('the valid base config is accepted and usable', () => {
    consume(parseConfig(VALID, dir.path));
  });

  it('random JSON values: a usable config or CONFIG_INVALID naming the keys', () => {
    check(
      'parseConfig random',
      fc.property(fc.oneof(fc.jsonValue(), fc.object(), fc.anything()), (raw) => {
        let c: Readonly<Config>;
        try {
          c = parseConfig(raw, dir.path);
        } catch (err) {
          assertConfigError(err, ['CONFIG_INVALID']);
          return;
        }
        consume(c);
      }),
      1500,
    );
  });

  it('valid configs with values replaced, keys removed and unknown keys added: usable or CONFIG_INVALID', () => {
    let accepted = 0;
    check(
      'parseConfig mutated',
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 4 }), (edits) => {
        const raw = structuredClone(VALID) as Record<string, unknown>;
        for (const e of edits) applyEdit(raw, e);
        let c: Readonly<Config>;
        try {
          c = parseConfig(raw, dir.path);
        } catch (err) {
          assertConfigError(err, ['CONFIG_INVALID']);
          return;
        }
        accepted++;
        consume(c);
      }),
      3000,
    );
    console.log(`config mutations accepted: ${accepted}`);
  });

  it('conf.json files of arbitrary bytes or broken JSON text: CONFIG_PARSE or CONFIG_INVALID', () => {
    const text = JSON.stringify(VALID);
    const file = join(dir.path, 'conf.json');
    check(
      'loadConfig files',
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 4 })).map(([at, s]) => new TextEncoder().encode(text.slice(0, at) + s + text.slice(at + 1))),
          fc.constantFrom('', '\uFEFF', 'null', '[]', '"x"', '{', '{}}', '{"network":"regtest"', '\u0000').map((s) => new TextEncoder().encode(s)),
        ),
        (bytes) => {
          writeFileSync(file, bytes);
          try {
            consume(loadConfig(file, true).config);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertConfigError(err, ['CONFIG_PARSE', 'CONFIG_INVALID']);
          }
        },
      ),
      500,
    );
  });

  it('a conf.json saved with a UTF-8 byte order mark loads', () => {
    const file = join(dir.path, 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ network: 'regtest' })}`);
    assert.equal(loadConfig(file, true).config.network, 'regtest');
  });
});

describe('conf.json: the values the fuzz found accepted but unusable are refused, naming the key', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const dir = tempDir('spv-config-regress-');
  after(() => dir.cleanup());
  const refused = (raw: unknown, key: string): void => {
    assert.throws(
      () => parseConfig(raw, dir.path),
      (e: unknown) => isSpvError(e) && e.code === 'CONFIG_INVALID' && (e.details['keys'] as string[]).includes(key),
    );
  };

  it('alliance.chainId above 2^64 - 1, maxOutputValue above MAX_MONEY, a proxy port above 65535, a non-HTTP rpcUrl', () => {
    refused({ alliance: { chainId: '18446744073709551616' } }, 'alliance.chainId');
    refused({ alliance: { chainId: '99999999999999999999' } }, 'alliance.chainId');
    assert.equal(parseConfig({ alliance: { chainId: '18446744073709551615' } }, dir.path).alliance.chainId, '18446744073709551615');
    refused({ alliance: { signer: { maxOutputValue: '2100000000000001' } } }, 'alliance.signer.maxOutputValue');
    assert.equal(parseConfig({ alliance: { signer: { maxOutputValue: '2100000000000000' } } }, dir.path).alliance.signer.maxOutputValue, '2100000000000000');
    refused({ peers: { proxy: 'socks5://127.0.0.1:99999' } }, 'peers.proxy');
    refused({ peers: { proxy: 'socks5://127.0.0.1:0' } }, 'peers.proxy');
    refused({ alliance: { rpcUrl: 'ftp://127.0.0.1:40336' } }, 'alliance.rpcUrl');
    refused({ alliance: { rpcUrl: 'javascript:alert(1)' } }, 'alliance.rpcUrl');
    assert.equal(parseConfig({ alliance: { rpcUrl: 'HTTPS://node.example:443/rpc' } }, dir.path).alliance.rpcUrl, 'HTTPS://node.example:443/rpc');
  });

  it('rest.requestTimeoutMs: 30 s by default, 100 ms to 10 min', () => {
    assert.equal(parseConfig({}, dir.path).rest.requestTimeoutMs, 30_000);
    assert.equal(parseConfig({ rest: { requestTimeoutMs: 1500 } }, dir.path).rest.requestTimeoutMs, 1500);
    refused({ rest: { requestTimeoutMs: 0 } }, 'rest.requestTimeoutMs');
    refused({ rest: { requestTimeoutMs: 600_001 } }, 'rest.requestTimeoutMs');
  });
});
