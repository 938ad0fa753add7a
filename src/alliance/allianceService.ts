/**
 * The alliance worker's domain object: opens its own store, loads the validator's keys, and polls — observe the
 * alliance chain, verify and vote on deposits, check and co-sign withdrawals. One poll runs at a time, so the
 * store has a single writer and signer decisions (input commitments) are serialised. Every failure of a poll
 * is logged and retried at the next one; state is persisted before any side effect, so a crash loses nothing.
 */
import type { MessagePort } from 'node:worker_threads';
import type { NetworkName } from '../chain/params.js';
import type { AllianceConfig } from '../config/schema.js';
import { SpvError, isSpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { AllianceApi, AllianceCounters, AllianceStatus } from '../protocol/alliance.js';
import type { DepositRecord, WithdrawalRecord } from '../protocol/allianceRecords.js';
import type { ChainApi } from '../protocol/chain.js';
import type { EmitEvent } from '../protocol/events.js';
import { fromHex } from '../util/bytes.js';
import { loadAllianceKeys } from './allianceKeys.js';
import type { AllianceKeys } from './allianceKeys.js';
import { Counters } from './counters.js';
import { DepositVoter } from './depositVoter.js';
import { Observer } from './observer.js';
import type { PolyTxContext } from './polyTxBuilder.js';
import { PolyRpcClient } from './rpc/index.js';
import { AllianceStore } from './store/allianceStore.js';
import { WithdrawalWorkflow } from './withdrawalWorkflow.js';

export type AllianceChain = Pick<ChainApi, 'verifyProof' | 'confirmations'>;

export interface AllianceServiceOptions {
  readonly network: NetworkName;
  readonly storePath: string;
  readonly config: AllianceConfig;
  readonly walletPassword: string | null;
  readonly log: Logger;
  readonly emit?: EmitEvent;
  /** Wraps a port from the supervisor into the chain worker's API (the worker entry supplies comlink). */
  readonly chainFromPort?: (port: MessagePort) => AllianceChain;
  /** In-process use (tests): the chain directly. */
  readonly chain?: AllianceChain;
  /** Start the poll timer (default true). Tests may drive pollNow() themselves. */
  readonly autoPoll?: boolean;
  readonly now?: () => number;
}

interface Running {
  readonly store: AllianceStore;
  readonly keys: AllianceKeys;
  readonly observer: Observer;
  readonly voter: DepositVoter;
  readonly withdrawals: WithdrawalWorkflow;
}

const MAX_LIST = 10_000;
const PAGE = 1000;

/** Every record of a paged listing (`list(after)` returns at most PAGE records after the key `after`). */
async function eachPage<T>(list: (after?: string) => Promise<T[]>, keyOf: (r: T) => string, visit: (r: T) => unknown): Promise<void> {
  for (let after: string | undefined; ; ) {
    const page = await list(after);
    page.forEach(visit);
    if (page.length < PAGE) return;
    after = keyOf(page[page.length - 1]!);
  }
}

export class AllianceService implements AllianceApi {
  private readonly stats = new Counters();
  private readonly opening: Promise<Running>;
  private chain: AllianceChain | null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private lastError: string | null = null;
  private readonly openDeposits = new Set<string>();
  private readonly openWithdrawals = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly opts: AllianceServiceOptions) {
    this.chain = opts.chain ?? null;
    this.now = opts.now ?? Date.now;
    this.opening = this.open();
    this.opening.then(
      () => {
        if (opts.autoPoll !== false) this.schedule(0);
      },
      (err: unknown) => opts.log.error({ err }, 'alliance worker cannot start'),
    );
  }

  private async open(): Promise<Running> {
    const { config: cfg, log } = this.opts;
    if (cfg.redeemScript === null) throw new SpvError('CONFIG_INVALID', 'alliance.redeemScript is required', { keys: ['alliance.redeemScript'] });
    const redeemScript = fromHex(cfg.redeemScript);
    const keys = await loadAllianceKeys(cfg, this.opts.network, this.opts.walletPassword);
    const store = await AllianceStore.open(this.opts.storePath, this.opts.network);
    try {
      const rpc = new PolyRpcClient({ url: cfg.rpcUrl, timeoutMs: cfg.rpcTimeoutMs, retries: cfg.rpcRetries, log });
      const tx: PolyTxContext = {
        signer: keys.poly,
        era: cfg.era,
        chainId: BigInt(cfg.chainId),
        ccmAddressHex: cfg.ccmAddress,
        secp256k1Digest: cfg.secp256k1Digest,
        multiSignLayout: cfg.era,
      };
      const observer = new Observer(
        store,
        rpc,
        {
          decode: { ccmAddressHex: cfg.ccmAddress, proofKey: cfg.proofKey, makeTxKey: cfg.makeTxKey, relayKey: cfg.relayKey, proofEncoding: cfg.proofEncoding },
          startHeight: cfg.startHeight,
          maxBlocksPerPoll: cfg.maxBlocksPerPoll,
          redeemScript,
        },
        this.stats,
        log,
        this.now,
        await store.nextHeight(),
      );
      const chain: AllianceChain = {
        verifyProof: (t, p) => this.chainApi().verifyProof(t, p),
        confirmations: (h) => this.chainApi().confirmations(h),
      };
      const voter = new DepositVoter(
        store,
        rpc,
        chain,
        {
          policy: { redeemScript, minConfirmations: cfg.minConfirmations, argsLayout: cfg.argsLayout, allowTrailingArgs: cfg.allowTrailingArgs },
          tx,
          resendAfterMs: cfg.resendAfterMs,
          reorgWatchDepth: cfg.reorgWatchDepth,
        },
        this.stats,
        log,
        this.now,
        this.opts.emit,
      );
      const s = cfg.signer;
      const withdrawals = new WithdrawalWorkflow(
        store,
        rpc,
        {
          signer:
            keys.btc === null || keys.btcAddress === null
              ? null
              : {
                  key: keys.btc,
                  btcAddress: keys.btcAddress,
                  policy: {
                    redeemScript,
                    maxOutputs: s.maxOutputs,
                    maxFeeRate: s.maxFeeRate,
                    maxOutputValue: s.maxOutputValue === null ? null : BigInt(s.maxOutputValue),
                    dustLimit: BigInt(s.dustLimit),
                    network: this.opts.network,
                  },
                },
          tx,
          resendAfterMs: cfg.resendAfterMs,
          redeemScript,
        },
        this.stats,
        log,
        this.now,
        this.opts.emit,
      );
      // Open items since the last run: everything not in a final state.
      await eachPage((after) => store.deposits(PAGE, after), (d) => d.txid, (d) => voter.isOpen(d) && this.openDeposits.add(d.txid));
      await eachPage((after) => store.withdrawals(PAGE, after), (w) => w.id, (w) => withdrawals.isOpen(w) && this.openWithdrawals.add(w.id));
      log.info(
        { polyAddress: keys.poly.polyAddress, btcAddress: keys.btcAddress, nextHeight: observer.next, openDeposits: this.openDeposits.size, openWithdrawals: this.openWithdrawals.size },
        'alliance worker ready',
      );
      return { store, keys, observer, voter, withdrawals };
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  private chainApi(): AllianceChain {
    if (this.chain === null) throw new SpvError('WORKER_UNAVAILABLE', 'no chain worker port yet', {});
    return this.chain;
  }

  /** The supervisor hands a fresh port to the chain worker at start and after either worker restarts. */
  setChainPort(port: MessagePort): Promise<void> {
    if (this.opts.chainFromPort === undefined) return Promise.reject(new SpvError('INVARIANT', 'no chainFromPort', {}));
    this.chain = this.opts.chainFromPort(port);
    return Promise.resolve();
  }

  async ready(): Promise<AllianceStatus> {
    await this.opening;
    return this.status();
  }

  async status(): Promise<AllianceStatus> {
    const r = await this.opening;
    return {
      polyAddress: r.keys.poly.polyAddress,
      btcAddress: r.keys.btcAddress,
      nextHeight: r.observer.next,
      allianceHeight: r.observer.allianceHeight,
      lastError: this.lastError,
      openDeposits: this.openDeposits.size,
      openWithdrawals: this.openWithdrawals.size,
    };
  }


  async counters(): Promise<AllianceCounters> {
    await this.opening;
    return this.stats.snapshot();
  }

  async deposits(limit: number, after?: string): Promise<DepositRecord[]> {
    return (await this.opening).store.deposits(Math.max(1, Math.min(limit, MAX_LIST)), after);
  }

  async deposit(txid: string): Promise<DepositRecord | null> {
    return (await this.opening).store.deposit(txid.toLowerCase());
  }

  async withdrawals(limit: number, after?: string): Promise<WithdrawalRecord[]> {
    return (await this.opening).store.withdrawals(Math.max(1, Math.min(limit, MAX_LIST)), after);
  }

  async withdrawal(id: string): Promise<WithdrawalRecord | null> {
    return (await this.opening).store.withdrawal(id.toLowerCase());
  }

  /** Runs one poll (or joins the one running). */
  pollNow(): Promise<void> {
    if (this.closing !== null) return Promise.reject(new SpvError('SHUTTING_DOWN', 'the alliance worker is closing', {}));
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private schedule(delayMs: number): void {
    if (this.closing !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollNow()
        .catch(() => undefined)
        .finally(() => this.schedule(this.opts.config.pollIntervalMs));
    }, delayMs);
  }

  private async pollOnce(): Promise<void> {
    const r = await this.opening;
    try {
      const found = await r.observer.poll();
      for (const txid of found.deposits) this.openDeposits.add(txid);
      for (const id of found.withdrawals) this.openWithdrawals.add(id);
      this.lastError = null;
    } catch (err) {
      this.fail(err, 'alliance poll failed');
    }
    if (this.chain === null) return; // deposits need the chain worker; next poll
    for (const txid of [...this.openDeposits]) {
      if (this.closing !== null) return;
      try {
        const rec = await r.store.deposit(txid);
        const next = rec === null ? null : await r.voter.process(rec);
        if (next === null || !r.voter.isOpen(next)) this.openDeposits.delete(txid);
      } catch (err) {
        this.fail(err, 'deposit step failed', { txid });
      }
    }
    for (const id of [...this.openWithdrawals]) {
      if (this.closing !== null) return;
      try {
        const rec = await r.store.withdrawal(id);
        const next = rec === null ? null : await r.withdrawals.process(rec);
        if (next === null || !r.withdrawals.isOpen(next)) this.openWithdrawals.delete(id);
      } catch (err) {
        this.fail(err, 'withdrawal step failed', { id });
      }
    }
  }

  /** A transient fault (RPC down, chain worker restarting): logged and retried at the next poll. Bugs crash. */
  private fail(err: unknown, msg: string, ctx: Record<string, unknown> = {}): void {
    if (isSpvError(err) && err.code === 'INVARIANT') throw err;
    this.stats.c.pollErrors++;
    this.lastError = isSpvError(err) ? err.code : 'INTERNAL';
    this.opts.log.warn({ ...ctx, err }, msg);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer !== null) clearTimeout(this.timer);
      await this.polling?.catch(() => undefined);
      const r = await this.opening.catch(() => null);
      await r?.store.close();
      this.opts.log.info({}, 'alliance worker closed');
    })();
    return this.closing;
  }
}
