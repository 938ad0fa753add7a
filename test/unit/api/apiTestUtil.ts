import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import assert from 'node:assert/strict';
import { Transaction, payments } from 'bitcoinjs-lib';
import { createRestServer } from '../../../src/api/server.js';
import type { RestServer } from '../../../src/api/server.js';
import { REGTEST } from '../../../src/chain/params.js';
import type { Config } from '../../../src/config/schema.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { SpvClient } from '../../../src/client/spvClient.js';
import { parseConfig } from '../../../src/config/loadConfig.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Logger } from '../../../src/log/logger.js';
import type { ChainApi } from '../../../src/protocol/chain.js';
import type { BanInfo, BroadcastResult, NetApi, NetCounters, PeerInfo, SyncStatus } from '../../../src/protocol/net.js';
import { ChainService } from '../../../src/store/chainService.js';
import { inThreadPowVerifier } from '../../../src/store/powVerifier.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder } from '../../helpers/chainBuilder.js';
import { tempDir } from '../../helpers/tmp.js';

export function peer(id: string, over: Partial<PeerInfo> = {}): PeerInfo {
  return {
    id,
    address: `127.0.0.1:${18444 + Number(id.replace(/\D/g, '') || 0)}`,
    state: 'ready',
    inbound: false,
    trusted: false,
    syncPeer: false,
    version: 70016,
    userAgent: '/test:1.0/',
    services: '0000000000000409',
    startHeight: 10,
    bestHeight: 10,
    latencyMs: 12.5,
    banScore: 0,
    connectedAt: 1_700_000_000_000,
    bytesIn: 1000,
    bytesOut: 2000,
    ...over,
  };
}

export type BroadcastOutcome = { readonly peers: number } | { readonly error: unknown };

/** A scripted NetApi: peers, sync status and broadcast outcome are set by the test; calls are recorded. */
export class ScriptedNet implements NetApi {
  peerList: PeerInfo[] = [peer('p1', { syncPeer: true }), peer('p2')];
  status: Partial<SyncStatus> = {};
  statusError: unknown = null;
  peersError: unknown = null;
  broadcast: BroadcastOutcome = { peers: 2 };
  resyncError: unknown = null;
  resyncCalls = 0;
  readonly broadcasts: Uint8Array[] = [];
  /** Makes every call hang (a wedged worker). */
  hang = false;

  private async gate(): Promise<void> {
    if (this.hang) await new Promise(() => undefined);
  }

  async ready(): Promise<void> {}
  async setChainPort(): Promise<void> {}
  async peers(): Promise<PeerInfo[]> {
    await this.gate();
    if (this.peersError !== null) throw this.peersError;
    return this.peerList;
  }
  async syncStatus(): Promise<SyncStatus> {
    await this.gate();
    if (this.statusError !== null) throw this.statusError;
    return {
      synced: true,
      height: 0,
      targetHeight: 0,
      syncPeer: 'p1',
      headersPerSecond: 123.5,
      peers: this.peerList.length,
      reorgs: 3,
      bans: 1,
      ...this.status,
    };
  }
  async bans(): Promise<BanInfo[]> {
    return [{ host: '10.0.0.1', until: 1_800_000_000_000, reason: 'HEADER_BAD_POW' }];
  }
  async broadcastTx(raw: Uint8Array): Promise<BroadcastResult> {
    await this.gate();
    this.broadcasts.push(raw);
    const b = this.broadcast;
    if ('error' in b) throw b.error;
    return { txid: Transaction.fromBuffer(raw).getId(), peers: b.peers };
  }
  async resync(): Promise<void> {
    this.resyncCalls++;
    if (this.resyncError !== null) throw this.resyncError;
  }
  counters: NetCounters = {
    peers: 3,
    readyPeers: 2,
    addrCacheSize: 140,
    addrRateLimited: 7,
    bans: 1,
    ownNonces: 3,
    retryEntries: 4,
    stalledEntries: 0,
    unconnectingEntries: 1,
    requestsOutstanding: 1,
    headerBatchesInFlight: 2,
    peakHeaderBatchesPerPeer: 4,
    receiveBufferedBytes: 512,
    peakReceiveBufferedBytes: 4_000_024,
    sendBufferedBytes: 0,
    peakSendBufferedBytes: 1_024,
    connectionsOpened: 9,
    scores: { HEADER_BAD_POW: 100, PEER_UNCONNECTING_FLOOD: 20 },
  };
  async netCounters(): Promise<NetCounters> {
    await this.gate();
    if (this.statusError !== null) throw this.statusError;
    return this.counters;
  }
  async close(): Promise<void> {}
}

export const workerDown = (): SpvError => new SpvError('WORKER_UNAVAILABLE', 'net worker is restarting');

export interface Harness {
  readonly server: RestServer;
  readonly chain: ChainService;
  readonly net: ScriptedNet;
  readonly builder: ChainBuilder;
  readonly headers: BuiltHeader[];
  /** Base URL once listening (listen: true). */
  readonly base: string;
}

export interface HarnessOptions {
  readonly token?: string | null;
  readonly headers?: number;
  readonly bodyLimitBytes?: number;
  readonly listen?: boolean;
  /** Wraps the real chain service (e.g. to make some calls fail like a crashed worker). */
  readonly wrapChain?: (chain: ChainService) => ChainApi;
  readonly log?: Logger;
}

export const TOKEN = 's3cret-Token_0123456789';

/** A real ChainService (regtest, temp LevelDB, from genesis) with `headers` mined headers, and a REST server on it. */
export async function withApi(opts: HarnessOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const dir = tempDir('spv-api-');
  const chain = new ChainService({ params: REGTEST, storePath: dir.path, start: { kind: 'genesis' }, pow: inThreadPowVerifier() });
  let server: RestServer | null = null;
  try {
    await chain.ready();
    const builder = new ChainBuilder(REGTEST);
    const count = opts.headers ?? 20;
    const built = count > 0 ? builder.extend(count) : { raw: new Uint8Array(0), headers: [] };
    if (count > 0) assert.equal((await chain.connectHeaders(built.raw)).outcome, 'extended');
    const net = new ScriptedNet();
    const config: Config['rest'] = {
      enabled: true,
      host: '127.0.0.1',
      port: 0,
      tokenFile: null,
      bodyLimitBytes: opts.bodyLimitBytes ?? 1_048_576,
      requestTimeoutMs: 30_000,
    };
    server = await createRestServer({
      client: SpvClient.attach(parseConfig({ network: 'regtest' }, dir.path), opts.wrapChain?.(chain) ?? chain, net),
      config,
      network: 'regtest',
      log: opts.log ?? silentLogger(),
      token: opts.token ?? null,
    });
    let base = '';
    if (opts.listen === true) {
      const addr = await server.listen();
      assert.equal(addr.host, '127.0.0.1');
      assert.ok(addr.port > 0);
      base = `http://127.0.0.1:${addr.port}`;
    }
    await fn({ server, chain, net, builder, headers: built.headers, base });
  } finally {
    await server?.close();
    await chain.close();
    dir.cleanup();
  }
}

/** The chain service with `methods` rejecting with `err` (a crashed or restarting chain worker). */
export function failingChain(err: unknown, methods: readonly (keyof ChainApi)[]): (chain: ChainService) => ChainApi {
  return (chain) =>
    new Proxy(chain, {
      get(target, prop, receiver): unknown {
        if ((methods as readonly (string | symbol)[]).includes(prop)) return () => Promise.reject(err);
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
}

/** "YYYY-MM-DD hh:mm:ss" (UTC) of unix seconds, the rollback endpoint's format. */
export function utcText(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export interface EnvelopeBody {
  action: string;
  desc: string;
  error: number;
  result: unknown;
}

/** Asserts the envelope's shape, status, code and action; returns its result. */
export function expectEnvelope(
  res: { statusCode: number; body: string },
  status: number,
  code: number,
  action?: string,
): unknown {
  assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body) as EnvelopeBody;
  assert.deepEqual(Object.keys(body).sort(), ['action', 'desc', 'error', 'result']);
  assert.equal(body.error, code, res.body);
  assert.equal(typeof body.desc, 'string');
  assert.ok(body.desc.length > 0);
  if (action !== undefined) assert.equal(body.action, action);
  return body.result;
}

/** fetch's response in the shape expectEnvelope takes. */
export async function fetchRes(url: string, init?: RequestInit): Promise<{ statusCode: number; body: string; headers: Headers }> {
  const r = await fetch(url, init);
  return { statusCode: r.status, body: await r.text(), headers: r.headers };
}

export function jsonPost(body: unknown, token?: string): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

// ---------------------------------------------------------------------------------------------------------------
// A real signed transaction: P2PKH, SIGHASH_ALL, ECDSA over secp256k1 with node:crypto, low-S.

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SIGHASH_ALL = 0x01;

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function bytesToBig(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

function bigTo32(v: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

export interface SignedTx {
  readonly hex: string;
  readonly txid: string;
}

export function signedTransaction(): SignedTx {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const pubkey = new Uint8Array(33);
  pubkey[0] = (y[31]! & 1) === 1 ? 0x03 : 0x02;
  pubkey.set(x, 1);
  const prevOutScript = payments.p2pkh({ pubkey }).output!;

  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(sha256(new TextEncoder().encode('funding tx')), 1);
  tx.addOutput(payments.p2pkh({ hash: new Uint8Array(20).fill(7) }).output!, 49_990_000n);

  // Legacy sighash preimage: the tx with the spent output's script in the input, then the hash type (u32 LE).
  const copy = tx.clone();
  copy.ins[0]!.script = prevOutScript;
  const preimage = Buffer.concat([copy.toBuffer(), Buffer.from([SIGHASH_ALL, 0, 0, 0])]);
  const once = sha256(preimage);
  assert.deepEqual(sha256(once), tx.hashForSignature(0, prevOutScript, SIGHASH_ALL));

  // sign('sha256', once) signs sha256(once) = sha256d(preimage), the sighash.
  const raw = sign('sha256', once, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let s = bytesToBig(raw.subarray(32));
  if (s > SECP256K1_N / 2n) s = SECP256K1_N - s;
  const sig64 = new Uint8Array(64);
  sig64.set(raw.subarray(0, 32), 0);
  sig64.set(bigTo32(s), 32);
  assert.ok(verify('sha256', once, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig64));

  const signature = new Uint8Array([...derEncode(sig64), SIGHASH_ALL]);
  tx.ins[0]!.script = payments.p2pkh({ pubkey, signature }).input!;
  return { hex: tx.toHex(), txid: tx.getId() };
}

/** DER of a 64-byte r||s (BIP66 strict: minimal integers, positive). */
function derEncode(sig64: Uint8Array): Uint8Array {
  const int = (b: Uint8Array): number[] => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0 && b[i + 1]! < 0x80) i++;
    const v = [...b.subarray(i)];
    if (v[0]! >= 0x80) v.unshift(0);
    return [0x02, v.length, ...v];
  };
  const body = [...int(sig64.subarray(0, 32)), ...int(sig64.subarray(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}
