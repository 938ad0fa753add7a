/**
 * Reads the alliance chain block by block from a persisted height (original-spvclient.md §6.1, fixed): only
 * notifies of the configured cross-chain manager in successful transactions (decodeBlockEvents), malformed
 * ones logged and skipped, and a block's items stored in the SAME batch as the next height, so a crash never
 * skips an item nor persists a height before its items (§8 item 18).
 */
import { Transaction } from 'bitcoinjs-lib';
import { isSpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { DepositRecord, WithdrawalRecord } from '../protocol/allianceRecords.js';
import { sha256d } from '../chain/hash.js';
import { hashToHex, toHex } from '../util/bytes.js';
import type { Counters } from './counters.js';
import { changeUtxoOps } from './changeCoins.js';
import { decodeBlockEvents } from './rpc/index.js';
import type { BtcDepositEvent, BtcRelayEvent, BtcWithdrawalEvent, DecodeBlockEventsOptions, PolyRpcClient } from './rpc/index.js';
import { AllianceStore } from './store/allianceStore.js';
import type { StoreOp } from './store/allianceStore.js';

export type ObserverRpc = Pick<PolyRpcClient, 'blockHeight' | 'eventsAtHeight'>;

export interface ObserverOptions {
  readonly decode: DecodeBlockEventsOptions;
  readonly startHeight: number;
  readonly maxBlocksPerPoll: number;
  readonly redeemScript: Uint8Array;
}

export interface PollResult {
  readonly deposits: readonly string[];
  readonly withdrawals: readonly string[];
  /** Withdrawals (ids) whose fully signed tx the contract relayed. */
  readonly relayed: readonly string[];
}

/** The id of a withdrawal: the txid of its unsigned form (scriptSigs and witnesses stripped). */
export function unsignedTxid(tx: Transaction): string {
  const bare = tx.clone();
  for (const input of bare.ins) {
    input.script = new Uint8Array(0);
    input.witness = [];
  }
  return bare.getId();
}

export class Observer {
  /** The node's height at the last poll. */
  allianceHeight: number | null = null;
  next: number;

  constructor(
    private readonly store: AllianceStore,
    private readonly rpc: ObserverRpc,
    private readonly opts: ObserverOptions,
    private readonly counters: Counters,
    private readonly log: Logger,
    private readonly now: () => number,
    storedNext: number | null,
  ) {
    this.next = storedNext ?? opts.startHeight;
  }

  /** Reads up to maxBlocksPerPoll new blocks; each is stored atomically with the height after it. */
  async poll(): Promise<PollResult> {
    const top = await this.rpc.blockHeight();
    this.allianceHeight = top;
    const result = { deposits: [] as string[], withdrawals: [] as string[], relayed: [] as string[] };
    for (let n = 0; this.next <= top && n < this.opts.maxBlocksPerPoll; n++) {
      const height = this.next;
      const raw = await this.rpc.eventsAtHeight(height);
      const events = decodeBlockEvents(raw, this.opts.decode);
      for (const s of events.skipped) {
        this.counters.c.eventsSkipped++;
        this.log.warn({ height, polyTxHash: s.polyTxHash, code: s.reason, detail: s.detail }, 'alliance event skipped');
      }
      const ops: StoreOp[] = [];
      const seen = new Set<string>();
      for (const d of events.deposits) {
        const rec = await this.depositRecord(d, height, seen);
        if (rec !== null) {
          ops.push(AllianceStore.putDeposit(rec));
          result.deposits.push(rec.txid);
        }
      }
      for (const w of events.withdrawals) {
        const rec = await this.withdrawalRecord(w, height, seen);
        if (rec !== null) {
          ops.push(AllianceStore.putWithdrawal(rec));
          result.withdrawals.push(rec.id);
        }
      }
      for (const r of events.relays) {
        const relayOps = await this.relayOps(r, height);
        if (relayOps !== null) {
          ops.push(...relayOps.ops);
          result.relayed.push(relayOps.id);
        }
      }
      ops.push(AllianceStore.putNextHeight(height + 1));
      await this.store.write(ops);
      this.next = height + 1;
    }
    return result;
  }

  private async depositRecord(d: BtcDepositEvent, height: number, seen: Set<string>): Promise<DepositRecord | null> {
    const key = `d${d.btcTxidHex}`;
    if (seen.has(key) || (await this.store.deposit(d.btcTxidHex)) !== null) {
      this.log.info({ height, txid: d.btcTxidHex, polyTxHash: d.polyTxHash }, 'deposit already known, ignored');
      return null;
    }
    seen.add(key);
    this.counters.c.depositsSeen++;
    const t = this.now();
    this.log.info({ height, txid: d.btcTxidHex, polyTxHash: d.polyTxHash }, 'deposit observed');
    return {
      txid: d.btcTxidHex,
      polyTxHash: d.polyTxHash,
      polyHeight: height,
      txHex: toHex(d.proof.tx),
      proofHex: toHex(d.proof.proof),
      relayerHeight: d.proof.height,
      blocksToWait: Number(d.proof.blocksToWait > 1_000_000n ? 1_000_000n : d.proof.blocksToWait),
      state: 'waiting',
      reason: null,
      verified: null,
      vote: null,
      confirmations: 0,
      reorgAlert: false,
      createdAt: t,
      updatedAt: t,
    };
  }

  private async withdrawalRecord(w: BtcWithdrawalEvent, height: number, seen: Set<string>): Promise<WithdrawalRecord | null> {
    let id: string;
    try {
      id = unsignedTxid(Transaction.fromBuffer(w.unsignedTx));
    } catch (err) {
      // Not decodable: still recorded (refused by the signer with SIGNER_TX_MALFORMED) under the hash of its bytes.
      id = hashToHex(sha256d(w.unsignedTx));
      this.log.warn({ height, polyTxHash: w.polyTxHash, err: isSpvError(err) ? err : String(err) }, 'withdrawal tx does not decode');
    }
    const key = `w${id}`;
    if (seen.has(key) || (await this.store.withdrawal(id)) !== null) {
      this.log.info({ height, id, polyTxHash: w.polyTxHash }, 'withdrawal already known, ignored');
      return null;
    }
    seen.add(key);
    this.counters.c.withdrawalsSeen++;
    const t = this.now();
    this.log.info({ height, id, polyTxHash: w.polyTxHash }, 'withdrawal observed');
    return {
      id,
      polyTxHash: w.polyTxHash,
      polyHeight: height,
      unsignedTxHex: toHex(w.unsignedTx),
      redeemHex: toHex(w.redeemScript),
      state: 'received',
      reason: null,
      inputs: [],
      outputs: [],
      fee: null,
      multiSign: null,
      finalTxid: null,
      createdAt: t,
      updatedAt: t,
    };
  }

  /** A relayed (fully signed) withdrawal we signed: remember its txid and its change outputs as multisig coins. */
  private async relayOps(r: BtcRelayEvent, height: number): Promise<{ id: string; ops: StoreOp[] } | null> {
    let tx: Transaction;
    try {
      tx = Transaction.fromBuffer(r.signedTx);
    } catch {
      this.counters.c.eventsSkipped++;
      this.log.warn({ height, polyTxHash: r.polyTxHash }, 'relayed withdrawal does not decode');
      return null;
    }
    const id = unsignedTxid(tx);
    const rec = await this.store.withdrawal(id);
    if (rec === null || rec.finalTxid !== null) return null;
    const finalTxid = tx.getId();
    const ops: StoreOp[] = [AllianceStore.putWithdrawal({ ...rec, finalTxid, updatedAt: this.now() })];
    // Change is ours to know only for withdrawals we signed (a MultiSign prepared; it may have failed only because
    // the others completed it first). One relayed before we got to it is checked by the workflow, which learns
    // its change then (state 'relayed').
    if (rec.multiSign !== null) ops.push(...changeUtxoOps(rec.outputs, finalTxid, this.opts.redeemScript));
    this.log.info({ height, id, finalTxid }, 'withdrawal relayed');
    return { id, ops };
  }
}
