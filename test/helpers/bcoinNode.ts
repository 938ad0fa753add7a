/**
 * A real bcoin 1.0.2 full node (regtest) in a child process, for integration tests. See
 * shared/reference/bcoin-test-peer.md. Every wait is bounded; every started node is registered and SIGKILLed on
 * process 'exit', and the child also exits by itself when this process dies (it watches its stdin pipe), so no
 * bcoin process outlives a test run.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures.js';
import { freePorts, isPortOpen, waitForPort } from './ports.js';

// ---------------------------------------------------------------------------------------------------------------
// The part of bcoin's (untyped, CommonJS) library we use in-process: keys, blocks, coins, transactions.

interface BcoinOutput {
  readonly value: number;
}

interface BcoinTX {
  readonly outputs: readonly BcoinOutput[];
  txid(): string;
  toRaw(): Uint8Array;
}

interface BcoinCoin extends BcoinOutput {
  readonly height: number;
}

interface BcoinKeyRing {
  getAddress(enc: 'string', network: string): string;
  getAddress(): unknown;
  ownOutput(tx: BcoinTX, index: number): boolean;
  toSecret(network: string): string;
}

interface BcoinMTX {
  addCoin(coin: BcoinCoin): unknown;
  addOutput(address: unknown, value: number): unknown;
  sign(ring: BcoinKeyRing): number;
  toTX(): BcoinTX;
}

interface BcoinLib {
  readonly KeyRing: { generate(compress?: boolean): BcoinKeyRing };
  readonly Block: { fromRaw(data: string, enc: 'hex'): { readonly txs: readonly BcoinTX[] } };
  readonly Coin: { fromTX(tx: BcoinTX, index: number, height: number): BcoinCoin };
  readonly MTX: new () => BcoinMTX;
  readonly Script: { fromRaw(data: Uint8Array): unknown };
}

const requireCjs = createRequire(import.meta.url);
let bcoinLib: BcoinLib | null = null;

/** bcoin's library, loaded on first use (its modules load lazily, so this is cheap). */
export function bcoin(): BcoinLib {
  bcoinLib ??= requireCjs('bcoin') as BcoinLib;
  return bcoinLib;
}

const BCOIN_BIN = join(REPO_ROOT, 'node_modules', 'bcoin', 'bin', 'node');

// ---------------------------------------------------------------------------------------------------------------
// Registry: every running node, killed synchronously when this process exits for any reason.

const live = new Set<BcoinNode>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const node of live) node.killSync();
    live.clear();
  });
}

/** Stops every node still running (e.g. in an `after` hook). */
export async function stopAllBcoinNodes(): Promise<void> {
  await Promise.all([...live].map((n) => n.stop()));
}

/** Number of nodes started by this process and not yet stopped. */
export function runningBcoinNodes(): number {
  return live.size;
}

// ---------------------------------------------------------------------------------------------------------------

/** A JSON-RPC error returned by bcoin (`code` is bcoin's RPC error code, e.g. -8, -25, -32601). */
export class BcoinRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`bcoin rpc ${method}: ${message} (code ${code})`);
    this.name = 'BcoinRpcError';
  }
}

export interface BcoinNodeOptions {
  /**
   * Default regtest. simnet (magic 16 1c 14 12, bits 0x207fffff with real retargeting every 2016 blocks and the
   * 20-minute rule) exercises difficulty changes; our codec then needs that magic.
   */
  readonly network?: 'regtest' | 'simnet';
  /**
   * Data directory. Default: a fresh temporary directory, removed by stop(). A caller-supplied one is kept (e.g. to
   * restart a node on the same chain).
   */
  readonly prefix?: string;
  /** Default: free ports chosen with freePorts(). */
  readonly p2pPort?: number;
  readonly rpcPort?: number;
  readonly apiKey?: string;
  /** Extra bcoin command-line options, e.g. ['--max-inbound=2']. */
  readonly extraArgs?: readonly string[];
  /** Bound on the whole start (RPC answering and P2P port listening); default 20 s. */
  readonly startTimeoutMs?: number;
}

export interface BcoinPeerInfo {
  readonly id: number;
  readonly addr: string;
  readonly inbound: boolean;
  readonly subver: string;
  readonly version: number;
  readonly startingheight: number;
  readonly [field: string]: unknown;
}

export interface SignedSpend {
  /** The serialized transaction (legacy P2PKH, no witness). */
  readonly raw: Uint8Array;
  readonly hex: string;
  /** Display-order txid (as RPC shows it). */
  readonly txid: string;
}

interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Last bytes of the child's stdout/stderr, for error messages. */
const OUTPUT_TAIL_BYTES = 8192;
const STOP_GRACE_MS = 5000;
const KILL_GRACE_MS = 3000;
const START_ATTEMPTS = 3;
/** Coinbase outputs need 100 confirmations before they can be spent (Core and bcoin: COINBASE_MATURITY). */
const COINBASE_MATURITY = 100;
const SPEND_FEE_SATS = 10_000;

/**
 * A preload for the child: exit as soon as our end of its stdin pipe closes, i.e. when this process dies, even by
 * SIGKILL (no 'exit' hook runs then). It also removes the data directory when we own it.
 */
function watchdogImport(ownedPrefix: string | null): string {
  const cleanup =
    ownedPrefix === null ? '' : `try{rmSync(${JSON.stringify(ownedPrefix)},{recursive:true,force:true})}catch{}`;
  const code =
    `import{rmSync}from'node:fs';` +
    `const bye=()=>{${cleanup}process.exit(0)};` +
    `process.stdin.on('end',bye);process.stdin.on('error',bye);process.stdin.resume();`;
  return 'data:text/javascript,' + encodeURIComponent(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class BcoinNode {
  private exitInfo: ExitInfo | null = null;
  private readonly exitWaiters: Array<() => void> = [];
  private output = '';
  private stopping: Promise<void> | null = null;
  private keyRing: BcoinKeyRing | null = null;
  /** Blocks whose coinbase pays our key, oldest first, and whether makeSpend has used them. */
  private readonly ownBlocks: string[] = [];
  private nextOwnBlock = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly network: 'regtest' | 'simnet',
    readonly p2pPort: number,
    readonly rpcPort: number,
    readonly apiKey: string,
    readonly prefix: string,
    private readonly ownsPrefix: boolean,
  ) {
    child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      live.delete(this);
      for (const w of this.exitWaiters.splice(0)) w();
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A forgotten node must not keep the test process alive: the 'exit' hook kills it.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => undefined);
  }

  /** Starts a regtest node and waits (bounded) until its RPC answers and its P2P port listens. */
  static async start(opts: BcoinNodeOptions = {}): Promise<BcoinNode> {
    installExitHook();
    const fixedPorts = opts.p2pPort !== undefined || opts.rpcPort !== undefined;
    const attempts = fixedPorts ? 1 : START_ATTEMPTS;
    let lastError: unknown = null;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const [p2pFree, rpcFree] = await freePorts(2);
      const p2pPort = opts.p2pPort ?? p2pFree!;
      const rpcPort = opts.rpcPort ?? rpcFree!;
      const node = BcoinNode.spawn(opts, p2pPort, rpcPort);
      try {
        await node.waitReady(opts.startTimeoutMs ?? 20_000);
        return node;
      } catch (err) {
        lastError = err;
        const exitedEarly = node.exited;
        await node.stop();
        // A port taken between freePorts() and bcoin's bind makes bcoin exit: retry on fresh ports.
        if (!exitedEarly) break;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private static spawn(opts: BcoinNodeOptions, p2pPort: number, rpcPort: number): BcoinNode {
    const network = opts.network ?? 'regtest';
    const ownsPrefix = opts.prefix === undefined;
    const prefix = opts.prefix ?? mkdtempSync(join(tmpdir(), 'spv-bcoin-'));
    const apiKey = opts.apiKey ?? `key${Math.random().toString(36).slice(2)}`;
    const args = [
      `--network=${network}`,
      '--no-wallet=true',
      '--bip37=true',
      '--seeds=',
      '--host=127.0.0.1',
      `--port=${p2pPort}`,
      '--http-host=127.0.0.1',
      `--http-port=${rpcPort}`,
      `--api-key=${apiKey}`,
      `--prefix=${prefix}`,
      '--log-level=error',
      '--log-file=false',
      '--workers=false',
      ...(opts.extraArgs ?? []),
    ];
    // bcoin reads BCOIN_* variables as options; none of the caller's must leak in. NODE_OPTIONS (e.g. tsx) neither.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('BCOIN_') && k !== 'NODE_OPTIONS') env[k] = v;
    }
    const nodeArgs = ['--import', watchdogImport(ownsPrefix ? prefix : null), BCOIN_BIN, ...args];
    const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const node = new BcoinNode(child, network, p2pPort, rpcPort, apiKey, prefix, ownsPrefix);
    live.add(node);
    return node;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const abort = (): string | null => (this.exited ? `bcoin exited early: ${this.describeExit()}` : null);
    // RPC first (~0.3 s), then the P2P listener (~2 s).
    for (let round = 0; ; round++) {
      const reason = abort();
      if (reason !== null) throw new Error(reason);
      try {
        await this.rpc<number>('getblockcount', [], { timeoutMs: 1000 });
        break;
      } catch (err) {
        if (err instanceof BcoinRpcError) throw err;
        if (Date.now() >= deadline || round > timeoutMs / 50) {
          throw new Error(`bcoin RPC not answering after ${timeoutMs} ms: ${this.describeExit()}`);
        }
        await sleep(50);
      }
    }
    await waitForPort(this.p2pPort, { timeoutMs: Math.max(100, deadline - Date.now()), abort });
  }

  /** The child's pid (undefined only if spawning failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** "127.0.0.1:<p2pPort>", the form addnode / disconnectnode / getpeerinfo use. */
  get p2pAddress(): string {
    return `127.0.0.1:${this.p2pPort}`;
  }

  get exited(): boolean {
    return this.exitInfo !== null;
  }

  get exitCode(): number | null {
    return this.exitInfo?.code ?? null;
  }

  get exitSignal(): NodeJS.Signals | null {
    return this.exitInfo?.signal ?? null;
  }

  /** The last few KB the node printed (errors only, at --log-level=error). */
  get recentOutput(): string {
    return this.output;
  }

  private describeExit(): string {
    const how = this.exitInfo === null ? 'running' : `code ${this.exitInfo.code}, signal ${this.exitInfo.signal}`;
    const out = this.output.trim();
    return out === '' ? how : `${how}; output: ${out.slice(-2000)}`;
  }

  // -------------------------------------------------------------------------------------------------------------
  // JSON-RPC

  /**
   * Calls bcoin's JSON-RPC (POST / with basic auth, password = api key). Throws BcoinRpcError on an RPC error and
   * Error on a transport failure or timeout (default 30 s).
   */
  async rpc<T>(method: string, params: readonly unknown[] = [], opts: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${this.rpcPort}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`spv:${this.apiKey}`).toString('base64')}`,
        },
        body: JSON.stringify({ method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`bcoin rpc ${method}: request failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    const text = await res.text();
    let body: { result?: unknown; error?: { message?: unknown; code?: unknown } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`bcoin rpc ${method}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    if (body.error !== null && body.error !== undefined) {
      const code = typeof body.error.code === 'number' ? body.error.code : 0;
      throw new BcoinRpcError(method, code, String(body.error.message ?? 'unknown error'));
    }
    if (!res.ok) throw new Error(`bcoin rpc ${method}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return body.result as T;
  }

  async height(): Promise<number> {
    return this.rpc<number>('getblockcount');
  }

  async bestHash(): Promise<string> {
    return this.rpc<string>('getbestblockhash');
  }

  async blockHash(height: number): Promise<string> {
    return this.rpc<string>('getblockhash', [height]);
  }

  /** The raw 80-byte header of a block, by height or display-hex hash. */
  async blockHeader(block: number | string): Promise<Uint8Array> {
    const hash = typeof block === 'number' ? await this.blockHash(block) : block;
    const hex = await this.rpc<string>('getblockheader', [hash, false]);
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  /** A P2PKH address (regtest: prefix 0x3c, 'R...') whose key this helper holds (generated once per node). */
  get minerAddress(): string {
    return this.ring().getAddress('string', this.network);
  }

  /** The miner key as a WIF of the node's network. */
  get minerSecret(): string {
    return this.ring().toSecret(this.network);
  }

  private ring(): BcoinKeyRing {
    this.keyRing ??= bcoin().KeyRing.generate(true);
    return this.keyRing;
  }

  /**
   * Mines `n` blocks (generatetoaddress) paying `address` (default: minerAddress) and returns their hashes. bcoin
   * mines ~1,000 blocks/s here; the RPC timeout scales with n.
   */
  async mine(n: number, address?: string): Promise<string[]> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`mine: n must be a positive integer, got ${n}`);
    const to = address ?? this.minerAddress;
    const hashes = await this.rpc<string[]>('generatetoaddress', [n, to], { timeoutMs: 30_000 + n * 20 });
    if (to === this.minerAddress) this.ownBlocks.push(...hashes);
    return hashes;
  }

  /** Waits (bounded) until the node's height is at least `height`; returns the height reached. */
  async waitForHeight(height: number, opts: { timeoutMs?: number } = {}): Promise<number> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      const h = await this.height();
      if (h >= height) return h;
      if (Date.now() >= deadline || round > timeoutMs / 50 + 10) {
        throw new Error(`bcoin at height ${h}, not ${height}, after ${timeoutMs} ms`);
      }
      await sleep(50);
    }
  }

  /** Waits (bounded) until this node's tip is `other`'s tip. */
  async waitForTipOf(other: BcoinNode, opts: { timeoutMs?: number } = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      const [mine, theirs] = await Promise.all([this.bestHash(), other.bestHash()]);
      if (mine === theirs) return mine;
      if (Date.now() >= deadline || round > timeoutMs / 50 + 10) {
        throw new Error(`bcoin tip ${mine} is not ${theirs} after ${timeoutMs} ms`);
      }
      await sleep(50);
    }
  }

  /** Rolls the chain back to before `hash` (new blocks then build on its parent). */
  async invalidateBlock(hash: string): Promise<void> {
    await this.rpc<null>('invalidateblock', [hash]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Peers

  private static target(target: BcoinNode | number | string): string {
    if (target instanceof BcoinNode) return target.p2pAddress;
    if (typeof target === 'number') return `127.0.0.1:${target}`;
    return target;
  }

  /** `addnode [host:port, mode]`. Connect only once the target's P2P port listens (start() waits for that). */
  async addNode(target: BcoinNode | number | string, mode: 'onetry' | 'add' | 'remove' = 'onetry'): Promise<void> {
    await this.rpc<null>('addnode', [BcoinNode.target(target), mode]);
  }

  /** `disconnectnode [host:port]` (for an inbound peer, use the address getpeerinfo shows). */
  async disconnectNode(target: BcoinNode | number | string): Promise<void> {
    await this.rpc<null>('disconnectnode', [BcoinNode.target(target)]);
  }

  async peers(): Promise<BcoinPeerInfo[]> {
    return this.rpc<BcoinPeerInfo[]>('getpeerinfo');
  }

  /** addnode onetry, then waits (bounded) until the peer shows in getpeerinfo. */
  async connectTo(other: BcoinNode, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.addNode(other, 'onetry');
    await this.waitForPeer(other.p2pAddress, true, opts.timeoutMs ?? 10_000);
  }

  /** disconnectnode, then waits (bounded) until the peer is gone from getpeerinfo. */
  async disconnectFrom(other: BcoinNode, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.disconnectNode(other);
    await this.waitForPeer(other.p2pAddress, false, opts.timeoutMs ?? 10_000);
  }

  private async waitForPeer(addr: string, present: boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      const peers = await this.peers();
      if (peers.some((p) => p.addr === addr) === present) return;
      if (Date.now() >= deadline || round > timeoutMs / 50 + 10) {
        throw new Error(`peer ${addr} still ${present ? 'absent' : 'present'} after ${timeoutMs} ms`);
      }
      await sleep(50);
    }
  }

  /**
   * bcoin bans by IP, so one misbehaving loopback client bans 127.0.0.1 for every later connection (24 h):
   * call this between scenarios that provoke bans.
   */
  async clearBanned(): Promise<void> {
    await this.rpc<null>('clearbanned');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Transactions

  /**
   * sendrawtransaction; returns the txid. bcoin's RPC answers before the mempool has the transaction and never
   * reports a rejection (it only logs it), so by default this then waits (bounded) until getrawmempool lists it and
   * throws, with the node's log, if it does not.
   */
  async sendRawTransaction(
    raw: Uint8Array | string,
    opts: { waitForMempool?: boolean; timeoutMs?: number } = {},
  ): Promise<string> {
    const hex = typeof raw === 'string' ? raw : Buffer.from(raw).toString('hex');
    const txid = await this.rpc<string>('sendrawtransaction', [hex]);
    if (opts.waitForMempool ?? true) await this.waitForMempool(txid, opts);
    return txid;
  }

  /** Waits (bounded, default 5 s) until getrawmempool lists `txid`. */
  async waitForMempool(txid: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      if ((await this.mempool()).includes(txid)) return;
      if (Date.now() >= deadline || round > timeoutMs / 20 + 10) {
        const log = this.output.trim();
        const tail = log === '' ? '' : `; log: ${log.slice(-1000)}`;
        throw new Error(`tx ${txid} not in bcoin's mempool after ${timeoutMs} ms${tail}`);
      }
      await sleep(20);
    }
  }

  /** getrawmempool: display-hex txids. */
  async mempool(): Promise<string[]> {
    return this.rpc<string[]>('getrawmempool');
  }

  /**
   * A signed legacy P2PKH transaction spending a matured coinbase of minerAddress back to it (fee 10,000 sat), which
   * bcoin's mempool accepts. Mines what it needs: 101 blocks to minerAddress if none was mined yet, or enough
   * blocks for the oldest unused own coinbase to mature. Not broadcast. Each call spends a different coinbase.
   */
  async makeSpend(): Promise<SignedSpend> {
    return this.makeSpendTo([]);
  }

  /**
   * Like makeSpend, but pays `outputs` (raw output scripts, e.g. a multisig and an OP_RETURN) first, in order; the
   * rest of the coinbase minus the fee goes back to minerAddress as the last output.
   */
  async makeSpendTo(outputs: readonly { readonly script: Uint8Array; readonly value: number }[]): Promise<SignedSpend> {
    const lib = bcoin();
    const ring = this.ring();
    // Bounded: every round either uses up one own coinbase or mines, and mining happens at most twice.
    let mined = 0;
    for (let round = 0; round < this.ownBlocks.length + 4; round++) {
      if (this.nextOwnBlock >= this.ownBlocks.length) {
        if (mined >= 2) break;
        mined++;
        await this.mine(COINBASE_MATURITY + 1);
        continue;
      }
      const blockHash = this.ownBlocks[this.nextOwnBlock]!;
      const info = await this.rpc<{ height: number; confirmations: number }>('getblockheader', [blockHash, true]);
      if (info.confirmations < 1) {
        this.nextOwnBlock++; // no longer on the main chain (invalidateblock)
        continue;
      }
      if (info.confirmations < COINBASE_MATURITY) {
        if (mined >= 2) break;
        mined++;
        await this.mine(COINBASE_MATURITY - info.confirmations);
        continue;
      }
      this.nextOwnBlock++;
      const block = lib.Block.fromRaw(await this.rpc<string>('getblock', [blockHash, false]), 'hex');
      const coinbase = block.txs[0];
      if (coinbase === undefined) continue;
      const index = coinbase.outputs.findIndex((_, i) => ring.ownOutput(coinbase, i));
      const output = coinbase.outputs[index];
      if (output === undefined || output.value < SPEND_FEE_SATS * 2) continue; // late regtest subsidies are tiny
      const unspent = await this.rpc<unknown>('gettxout', [coinbase.txid(), index, true]);
      if (unspent === null) continue;
      const mtx = new lib.MTX();
      mtx.addCoin(lib.Coin.fromTX(coinbase, index, info.height));
      const paid = outputs.reduce((sum, o) => sum + o.value, 0);
      if (output.value - paid - SPEND_FEE_SATS < SPEND_FEE_SATS) continue; // this coinbase is too small for them
      for (const o of outputs) mtx.addOutput(lib.Script.fromRaw(Buffer.from(o.script)), o.value);
      mtx.addOutput(ring.getAddress(), output.value - paid - SPEND_FEE_SATS);
      if (mtx.sign(ring) !== 1) throw new Error('makeSpend: could not sign the coinbase input');
      const tx = mtx.toTX();
      const raw = new Uint8Array(tx.toRaw());
      return { raw, hex: Buffer.from(raw).toString('hex'), txid: tx.txid() };
    }
    throw new Error('makeSpend: no spendable coinbase of minerAddress');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Stopping

  private waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.exitWaiters.indexOf(done);
        if (i >= 0) this.exitWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.exitWaiters.push(done);
    });
  }

  /**
   * SIGTERM, wait for exit (bounded, SIGKILL after 5 s), then remove the data directory if this helper made it.
   * Idempotent. Throws only if the process survives SIGKILL.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.exited) {
        this.child.kill('SIGTERM');
        if (!(await this.waitExit(STOP_GRACE_MS))) {
          this.child.kill('SIGKILL');
          if (!(await this.waitExit(KILL_GRACE_MS))) {
            throw new Error(`bcoin pid ${this.pid} did not exit after SIGKILL`);
          }
        }
      }
      live.delete(this);
      this.child.stdin?.destroy();
      if (this.ownsPrefix) rmSync(this.prefix, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  /** For the process 'exit' hook: SIGKILL and remove the data directory, synchronously. */
  killSync(): void {
    if (!this.exited) this.child.kill('SIGKILL');
    if (this.ownsPrefix) rmSync(this.prefix, { recursive: true, force: true });
  }

  /** True while something still listens on the node's P2P port (for asserting a stop). */
  p2pPortOpen(): Promise<boolean> {
    return isPortOpen(this.p2pPort);
  }
}
