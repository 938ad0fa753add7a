/**
 * An spvclient node for peer tests, in this process: the real ChainService (LevelDB in a temp dir, PoW checked in
 * this thread) and the real NetService (real sockets to scripted peers on 127.0.0.1), wired as the workers wire
 * them but without threads. Cheap to start (tens of ms), so each misbehaviour gets a fresh node; it accepts any
 * ChainParams (e.g. regtest with retargeting or a checkpoint) and exposes NetService.counters() directly, which is
 * how the adversarial suite shows that memory stays bounded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainParams } from '../../src/chain/params.js';
import { REGTEST } from '../../src/chain/params.js';
import type { LogLevelName, Logger } from '../../src/log/logger.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import type { NetCounters } from '../../src/protocol/net.js';
import { NetService } from '../../src/net/netService.js';
import type { StartSpec } from '../../src/protocol/chain.js';
import type { BanInfo, NetConfig } from '../../src/protocol/net.js';
import { ChainService } from '../../src/store/chainService.js';
import { inThreadPowVerifier } from '../../src/store/powVerifier.js';
import { tempDir } from './tmp.js';

/** Short timeouts so that stalls are detected in about a second (all within the config schema's ranges). */
export const TEST_NET_CONFIG: NetConfig = {
  connect: [],
  trusted: [],
  maxOutbound: 8,
  dnsSeeds: false,
  proxy: null,
  userAgent: '/spvclient-test:0.1.0/',
  connectTimeoutMs: 1_000,
  handshakeTimeoutMs: 1_000,
  pingIntervalMs: 60_000,
  banScore: 100,
  banDurationMs: 3_600_000,
  headersTimeoutMs: 1_000,
  minHeadersPerSecond: 0,
  progressWindowMs: 1_000,
  minPeersForSync: 1,
  broadcastWaitMs: 500,
};

export interface TestNodeOptions {
  /** Ports of scripted peers on 127.0.0.1, used as `peers.connect`. */
  readonly peers: readonly number[];
  readonly params?: ChainParams;
  readonly start?: StartSpec;
  /** Overrides of TEST_NET_CONFIG. */
  readonly net?: Partial<NetConfig>;
  /** Addresses the address manager knows at start (written to peers.json as if learned before). */
  readonly knownAddresses?: readonly { host: string; port: number }[];
}

function testLogger(): Logger {
  // SPV_TEST_LOG=debug node scripts/run-tests.mjs ... shows what the node did.
  const level = process.env.SPV_TEST_LOG;
  return level === undefined ? silentLogger() : createLogger({ level: level as LogLevelName, name: 'test-node', fd: 2 });
}

export class TestNode {
  private closed = false;

  private constructor(
    readonly chain: ChainService,
    readonly net: NetService,
    private readonly dir: { path: string; cleanup: () => void },
  ) {}

  static async start(opts: TestNodeOptions): Promise<TestNode> {
    const params = opts.params ?? REGTEST;
    const dir = tempDir('spv-peer-node-');
    const log = testLogger();
    const chain = new ChainService({
      params,
      storePath: join(dir.path, 'headers'),
      start: opts.start ?? { kind: 'genesis' },
      pow: inThreadPowVerifier(),
      log,
    });
    try {
      await chain.ready();
    } catch (err) {
      dir.cleanup();
      throw err;
    }
    if (opts.knownAddresses !== undefined) {
      // peers.json as the address manager writes it (version 1).
      mkdirSync(join(dir.path, 'net'), { recursive: true });
      const addresses = opts.knownAddresses.map((a) => ({
        host: a.host,
        port: a.port,
        services: '1',
        source: 'peer',
        lastSeen: Date.now(),
        lastAttempt: 0,
        lastSuccess: 0,
        attempts: 0,
        tried: false,
      }));
      writeFileSync(join(dir.path, 'net', 'peers.json'), JSON.stringify({ version: 1, addresses }));
    }
    const net = new NetService({
      params,
      config: { ...TEST_NET_CONFIG, connect: opts.peers.map((p) => `127.0.0.1:${p}`), ...opts.net },
      dataDir: join(dir.path, 'net'),
      log,
      chain,
    });
    const node = new TestNode(chain, net, dir);
    await net.ready();
    return node;
  }

  async tipHashHex(): Promise<string> {
    return (await this.chain.tip()).hashHex;
  }

  async tipHeight(): Promise<number> {
    return (await this.chain.tip()).height;
  }

  counters(): NetCounters {
    return this.net.counters();
  }

  async banOf(port: number): Promise<BanInfo | undefined> {
    return (await this.net.bans()).find((b) => b.host === `127.0.0.1:${port}`);
  }

  /** The ban score of the open connection to `port` (undefined when there is none). */
  async scoreOf(port: number): Promise<number | undefined> {
    return (await this.net.peers()).find((p) => p.address === `127.0.0.1:${port}`)?.banScore;
  }

  /** Waits (bounded) until our tip is `hashHex`. */
  async waitForTip(hashHex: string, timeoutMs = 10_000): Promise<void> {
    await until(`tip ${hashHex.slice(0, 16)}…`, async () => (await this.tipHashHex()) === hashHex, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.net.close();
      await this.chain.close();
    } finally {
      this.dir.cleanup();
    }
  }
}

/** Polls `fn` every 25 ms until it is true; fails the test after `timeoutMs`. */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 25) + 2; i++) {
    if (await fn()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
