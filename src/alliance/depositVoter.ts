/**
 * Drives each deposit through its life cycle (protocol/allianceRecords.ts): verify against OUR header chain,
 * persist the signed vote, send it, confirm it executed; wait (persisted) while confirmations are short or the
 * block is not on our best chain, retried at every poll; after a vote, a block leaving the best chain is an
 * alert (log error + counter), never silently ignored (original-spvclient.md §8 items 3 and 5).
 */
import type { Logger } from '../log/logger.js';
import type { ChainApi } from '../protocol/chain.js';
import type { DepositRecord, DepositState, PreparedPolyTx, Reason } from '../protocol/allianceRecords.js';
import type { EmitEvent } from '../protocol/events.js';
import { fromHex } from '../util/bytes.js';
import type { Counters } from './counters.js';
import { verifyDeposit } from './deposit/index.js';
import type { DepositPolicy } from './deposit/index.js';
import { advanceSubmission } from './polySubmitter.js';
import type { SubmitOutcome, SubmitRpc } from './polySubmitter.js';
import { buildVoteTx, rawHex } from './polyTxBuilder.js';
import type { PolyTxContext } from './polyTxBuilder.js';
import { AllianceStore } from './store/allianceStore.js';
import type { StoreOp } from './store/allianceStore.js';

export type VoterChain = Pick<ChainApi, 'verifyProof' | 'confirmations'>;

export interface VoterOptions {
  readonly policy: DepositPolicy;
  readonly tx: PolyTxContext;
  readonly resendAfterMs: number;
  readonly reorgWatchDepth: number;
}

export class DepositVoter {
  constructor(
    private readonly store: AllianceStore,
    private readonly rpc: SubmitRpc,
    private readonly chain: VoterChain,
    private readonly opts: VoterOptions,
    private readonly counters: Counters,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly emit?: EmitEvent,
  ) {}

  /** Whether a record still needs attention (open, or voted and still inside the reorg watch depth). */
  isOpen(rec: DepositRecord): boolean {
    if (rec.state === 'waiting' || rec.state === 'voting' || rec.state === 'voteSent') return true;
    return rec.state === 'voteConfirmed' && rec.confirmations < this.opts.reorgWatchDepth && !rec.reorgAlert;
  }

  /** One step for one deposit; returns the record as persisted. */
  async process(rec: DepositRecord): Promise<DepositRecord> {
    switch (rec.state) {
      case 'waiting':
      case 'voting':
        return this.verifyAndVote(rec);
      case 'voteSent':
        return this.followVote(await this.watchReorg(rec));
      case 'voteConfirmed':
        return this.watchReorg(rec);
      case 'voteFailed':
      case 'rejected':
        return rec;
    }
  }

  private async save(rec: DepositRecord, extra: StoreOp[] = []): Promise<DepositRecord> {
    await this.store.write([AllianceStore.putDeposit(rec), ...extra]);
    return rec;
  }

  private async transition(rec: DepositRecord, state: DepositState, patch: Partial<DepositRecord>, extra: StoreOp[] = []): Promise<DepositRecord> {
    const next: DepositRecord = { ...rec, ...patch, state, updatedAt: this.now() };
    const saved = await this.save(next, extra);
    if (state !== rec.state) {
      this.log.info({ txid: rec.txid, from: rec.state, to: state, code: next.reason?.code }, 'deposit state changed');
      this.emit?.('deposit', { txid: rec.txid, state, reason: next.reason?.code ?? null });
    }
    return saved;
  }

  private async verifyAndVote(rec: DepositRecord): Promise<DepositRecord> {
    // A vote prepared earlier may already have executed (crash or timeout after sending): ask before anything else.
    if (rec.vote !== null) {
      const ev = await this.rpc.txEvent(rec.vote.txHash);
      if (ev !== null) return this.applyOutcome(rec, ev.state === 1 ? { kind: 'executed', prepared: rec.vote } : failed(rec.vote, ev.state));
    }
    const check = await verifyDeposit(
      {
        btcTxidHex: rec.txid,
        proof: { tx: fromHex(rec.txHex), proof: fromHex(rec.proofHex), height: rec.relayerHeight, blocksToWait: BigInt(rec.blocksToWait) },
      },
      this.chain,
      this.opts.policy,
    );
    if (check.kind === 'reject') {
      this.counters.byCode(this.counters.c.depositsRejected, check.code);
      this.log.warn({ txid: rec.txid, code: check.code, reason: check.message }, 'deposit rejected');
      return this.transition(rec, 'rejected', { reason: { code: check.code, message: check.message } });
    }
    if (check.kind === 'wait') {
      const reason: Reason = { code: check.code, message: check.message };
      if (rec.state === 'waiting' && rec.confirmations === check.confirmations && rec.reason?.code === reason.code) return rec;
      return this.transition(rec, 'waiting', { reason, confirmations: check.confirmations });
    }
    const d = check.deposit;
    const vote: PreparedPolyTx = rec.vote ?? this.prepareVote(rec.txid);
    const extra: StoreOp[] = [];
    if ((await this.store.utxo(d.txid, 0)) === null) {
      // Output 0 of a deposit we verified is a coin of the multisig: withdrawals may spend it (signer policy).
      extra.push(AllianceStore.putUtxo({ txid: d.txid, vout: 0, value: d.value.toString(), kind: d.scriptKind, source: 'deposit', committedTo: null }));
    }
    // Persist the exact vote BEFORE sending it: whatever happens next, this txid only ever gets these bytes.
    const voting = await this.transition(
      rec,
      'voting',
      {
        reason: null,
        confirmations: d.confirmations,
        vote,
        verified: {
          blockHash: d.blockHash,
          height: d.height,
          value: d.value.toString(),
          scriptKind: d.scriptKind,
          toChainId: d.toChainId.toString(),
          fee: d.fee.toString(),
          addressHex: d.addressHex,
        },
      },
      extra,
    );
    return this.applyOutcome(voting, await advanceSubmission(this.rpc, vote, this.now(), this.opts.resendAfterMs));
  }

  private prepareVote(txid: string): PreparedPolyTx {
    const built = buildVoteTx(this.opts.tx, txid);
    return { txHash: built.txHash, rawHex: rawHex(built), sentAt: null };
  }

  private async followVote(rec: DepositRecord): Promise<DepositRecord> {
    if (rec.vote === null) return rec;
    return this.applyOutcome(rec, await advanceSubmission(this.rpc, rec.vote, this.now(), this.opts.resendAfterMs));
  }

  private async applyOutcome(rec: DepositRecord, out: SubmitOutcome): Promise<DepositRecord> {
    switch (out.kind) {
      case 'executed':
        this.counters.c.votesConfirmed++;
        return this.transition(rec, 'voteConfirmed', { vote: out.prepared, reason: null });
      case 'failed':
        this.counters.c.votesFailed++;
        this.log.error({ txid: rec.txid, voteTx: out.prepared.txHash }, 'vote failed on the alliance chain');
        return this.transition(rec, 'voteFailed', { vote: out.prepared, reason: out.reason });
      case 'refused':
        this.log.warn({ txid: rec.txid, voteTx: out.prepared.txHash, reason: out.reason.message }, 'vote refused by the alliance node');
        return this.transition(rec, rec.state, { reason: out.reason });
      case 'pending':
        if (rec.state !== 'voteSent') {
          this.counters.c.votesSent++;
          this.log.info({ txid: rec.txid, voteTx: out.prepared.txHash }, 'vote sent');
        }
        if (rec.state === 'voteSent' && out.prepared.sentAt === rec.vote?.sentAt) return rec;
        return this.transition(rec, 'voteSent', { vote: out.prepared, reason: null });
    }
  }

  /** After our vote: the deposit's block must stay on our best chain; if it leaves, alert once. */
  private async watchReorg(rec: DepositRecord): Promise<DepositRecord> {
    if (rec.verified === null) return rec;
    const confirmations = await this.chain.confirmations(rec.verified.blockHash);
    if (confirmations === 0 && !rec.reorgAlert) {
      this.counters.c.depositReorgAlerts++;
      this.log.error({ txid: rec.txid, blockHash: rec.verified.blockHash, height: rec.verified.height, state: rec.state }, 'voted deposit left the best chain');
      this.emit?.('deposit', { txid: rec.txid, state: rec.state, reason: 'DEPOSIT_BLOCK_REORGED' });
      return this.save({ ...rec, confirmations, reorgAlert: true, reason: { code: 'DEPOSIT_BLOCK_REORGED', message: 'the deposit block left the best chain after our vote' }, updatedAt: this.now() });
    }
    if (confirmations === rec.confirmations) return rec;
    return this.save({ ...rec, confirmations, updatedAt: this.now() });
  }
}

function failed(prepared: PreparedPolyTx, state: number): SubmitOutcome {
  return { kind: 'failed', prepared, reason: { code: 'ALLIANCE_TX_FAILED', message: `alliance tx ${prepared.txHash} executed with State ${state}` } };
}
