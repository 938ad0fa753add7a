import { HEADER_SIZE } from '../chain/header.js';
import type { ChainParams } from '../chain/params.js';
import { SpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { ChainApi, StartSpec } from '../protocol/chain.js';
import type { EmitEvent, TipEvent } from '../protocol/events.js';
import type {
  AuditReport,
  ConnectResult,
  HeaderInfo,
  RollbackResult,
  StoreStats,
  TipInfo,
} from '../protocol/chainTypes.js';
import { verifyTxInProof } from '../merkle/index.js';
import type { ProofResult } from '../protocol/proof.js';
import { HeaderStore } from './headerStore.js';
import type { StartPoint } from './headerStore.js';
import { PowScheduler } from './powScheduler.js';
import type { PowVerifier } from './powVerifier.js';

export interface ChainServiceOptions {
  readonly params: ChainParams;
  readonly storePath: string;
  readonly start: StartSpec;
  readonly pow: PowVerifier;
  readonly log?: Logger;
  readonly now?: () => number;
  /** Tip and reorg events for the main thread (once per batch, not per header). */
  readonly emit?: EmitEvent;
}

export function resolveStart(params: ChainParams, spec: StartSpec): StartPoint {
  switch (spec.kind) {
    case 'builtin':
      return params.anchor !== null ? { kind: 'anchor', anchor: params.anchor } : { kind: 'genesis' };
    case 'genesis':
      return { kind: 'genesis' };
    case 'anchor':
      return { kind: 'anchor', anchor: { height: spec.height, header: spec.header, chainwork: spec.chainwork } };
  }
}

/**
 * The chain worker's domain object: header batches are hashed and PoW-checked on the pow pool (as many at
 * once as keeps the store busy: powScheduler.ts), then validated in context and committed by the store
 * strictly in arrival order.
 */
export class ChainService implements ChainApi {
  private readonly opening: Promise<HeaderStore>;
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;
  private readonly log: Logger;
  private readonly pow: PowScheduler;

  constructor(private readonly opts: ChainServiceOptions) {
    this.log = opts.log ?? silentLogger();
    this.pow = new PowScheduler(opts.pow, opts.pow.threads);
    this.opening = HeaderStore.open({
      path: opts.storePath,
      params: opts.params,
      start: resolveStart(opts.params, opts.start),
      log: this.log,
      ...(opts.now !== undefined ? { now: opts.now } : {}),
    });
    // The rejection is reported through ready() and every call; never as an unhandled rejection.
    this.opening.catch(() => undefined);
  }

  private store(): Promise<HeaderStore> {
    return this.opening;
  }

  async ready(): Promise<StoreStats> {
    return (await this.store()).stats();
  }

  async connectHeaders(headers: Uint8Array): Promise<ConnectResult> {
    const store = await this.store();
    if (headers.length === 0 || headers.length % HEADER_SIZE !== 0) {
      throw new SpvError('HEADER_BAD_LENGTH', 'a header batch must be a non-empty multiple of 80 bytes', {
        length: headers.length,
      });
    }
    const job = this.pow.submit(headers, this.opts.params.powLimit);
    const previous = this.tail;
    const run = (async () => {
      await previous;
      const v = await this.pow.take(job);
      const before = store.tip().hashHex;
      const r = await store.connectHeaders(v.headers, { hashes: v.hashes, failures: v.failures });
      if (r.tip.hashHex !== before) this.announce(r.tip, r.forkHeight, r.disconnected, r.connected);
      return r;
    })();
    this.tail = run.catch(() => undefined);
    return run;
  }

  async tip(): Promise<TipInfo> {
    return (await this.store()).tip();
  }

  async stats(): Promise<StoreStats> {
    return (await this.store()).stats();
  }

  async headerByHeight(height: number): Promise<HeaderInfo | null> {
    return (await this.store()).headerByHeight(height);
  }

  async headerByHash(hashHex: string): Promise<HeaderInfo | null> {
    return (await this.store()).headerByHash(hashHex);
  }

  async confirmations(hashHex: string): Promise<number> {
    return (await this.store()).confirmations(hashHex);
  }

  async locator(): Promise<string[]> {
    return (await this.store()).locator();
  }

  async headersAfterLocator(locatorHex: readonly string[], stopHashHex: string | null, max: number): Promise<Uint8Array> {
    return (await this.store()).headersAfterLocator(locatorHex, stopHashHex, max);
  }

  async ancestorAt(hashHex: string, height: number): Promise<HeaderInfo | null> {
    return (await this.store()).ancestorAt(hashHex, height);
  }

  async rollbackToTime(time: number): Promise<RollbackResult> {
    const r = await (await this.store()).rollbackToTime(time);
    if (r.disconnected.length > 0) this.announce(r.tip, r.tip.height, r.disconnected, []);
    return r;
  }

  /**
   * The proof is checked on its own (hardened partial merkle tree, the tx's txid among the matches), then
   * against OUR store: its header must be stored and on the best chain. The relayer's word for the height
   * is never used (the original trusted it).
   */
  async verifyProof(tx: Uint8Array, proof: Uint8Array): Promise<ProofResult> {
    const checked = verifyTxInProof(tx, proof);
    const header = await (await this.store()).headerByHash(checked.headerHashHex);
    if (header === null) {
      throw new SpvError('PROOF_BLOCK_UNKNOWN', 'the proof is for a block we do not have', { blockHash: checked.headerHashHex });
    }
    if (!header.onBestChain) {
      throw new SpvError('PROOF_NOT_ON_BEST_CHAIN', 'the proof is for a block off the best chain', {
        blockHash: checked.headerHashHex,
        height: header.height,
      });
    }
    return {
      txid: checked.txidHex,
      blockHash: checked.headerHashHex,
      height: header.height,
      index: checked.index,
      confirmations: header.confirmations,
    };
  }

  private announce(tip: TipInfo, forkHeight: number | null, disconnected: readonly string[], connected: readonly string[]): void {
    const emit = this.opts.emit;
    if (emit === undefined) return;
    const t: TipEvent = { height: tip.height, hash: tip.hashHex, chainwork: tip.chainworkHex, time: tip.time };
    if (disconnected.length > 0) emit('reorg', { forkHeight: forkHeight ?? tip.height, disconnected, connected, tip: t });
    emit('tip', t);
  }

  async audit(): Promise<AuditReport> {
    return (await this.store()).audit();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.tail;
      const store = await this.opening.catch(() => null);
      await store?.close();
      await this.opts.pow.close();
      this.log.info({}, 'chain service closed');
    })();
    return this.closing;
  }
}
