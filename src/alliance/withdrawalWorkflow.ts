/**
 * Drives each withdrawal (a `makeBtcTx` of the cross-chain manager) through the signer policy, signs it, persists
 * the signed MultiSign together with the commitment of every input to this withdrawal (one batch, so two
 * conflicting spends can never both be signed, even across a crash), sends it and confirms it executed.
 * Every refusal is logged with its reason and counted (original-spvclient.md §8 items 1, 8, 9).
 */
import type { Logger } from '../log/logger.js';
import type { PreparedPolyTx, UtxoRecord, WithdrawalRecord, WithdrawalState } from '../protocol/allianceRecords.js';
import type { EmitEvent } from '../protocol/events.js';
import { isSpvError } from '../errors/spvError.js';
import { fromHex } from '../util/bytes.js';
import type { Counters } from './counters.js';
import { advanceSubmission } from './polySubmitter.js';
import type { SubmitOutcome, SubmitRpc } from './polySubmitter.js';
import { buildMultiSignTx, rawHex } from './polyTxBuilder.js';
import type { PolyTxContext } from './polyTxBuilder.js';
import { checkWithdrawal, signWithdrawal } from './signer/index.js';
import type { BtcKey, KnownUtxo, SignerPolicy, UtxoLookup, WithdrawalPlan } from './signer/index.js';
import { changeUtxoOps } from './changeCoins.js';
import { AllianceStore } from './store/allianceStore.js';
import type { StoreOp } from './store/allianceStore.js';

export interface WithdrawalOptions {
  /** null: this validator does not sign (no BTC key configured). */
  readonly signer: { readonly policy: SignerPolicy; readonly key: BtcKey; readonly btcAddress: string } | null;
  readonly tx: PolyTxContext;
  readonly resendAfterMs: number;
  readonly redeemScript: Uint8Array;
}

/** The multisig's known coins, as the policy's lookup and as the stored records to commit. */
function coinSet(utxos: readonly UtxoRecord[]): { lookup: UtxoLookup; commitOps: (plan: WithdrawalPlan, id: string) => StoreOp[] } {
  const records = new Map<string, UtxoRecord>();
  for (const u of utxos) records.set(`${u.txid}:${u.vout}`, u);
  const lookup: UtxoLookup = {
    get: (txid, vout): KnownUtxo | null => {
      const u = records.get(`${txid}:${vout}`);
      return u === undefined ? null : { txid: u.txid, vout: u.vout, value: BigInt(u.value), kind: u.kind, committedTo: u.committedTo };
    },
  };
  // checkWithdrawal found every planned input in `lookup`, so each has its record.
  const commitOps = (plan: WithdrawalPlan, id: string): StoreOp[] =>
    plan.inputs.map((u) => AllianceStore.putUtxo({ ...records.get(`${u.txid}:${u.vout}`)!, committedTo: id }));
  return { lookup, commitOps };
}

/** The plan as the record stores it (amounts as decimal strings). */
function planFields(plan: WithdrawalPlan): Pick<WithdrawalRecord, 'inputs' | 'outputs' | 'fee'> {
  return {
    inputs: plan.inputs.map((u) => ({ txid: u.txid, vout: u.vout, value: u.value.toString(), kind: u.kind })),
    outputs: plan.outputs.map((o) => ({ scriptHex: o.scriptHex, value: o.value.toString(), change: o.change })),
    fee: plan.fee.toString(),
  };
}

export class WithdrawalWorkflow {
  constructor(
    private readonly store: AllianceStore,
    private readonly rpc: SubmitRpc,
    private readonly opts: WithdrawalOptions,
    private readonly counters: Counters,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly emit?: EmitEvent,
  ) {}

  isOpen(rec: WithdrawalRecord): boolean {
    if (rec.state === 'received') return this.opts.signer !== null;
    return rec.state === 'signing' || rec.state === 'submitted';
  }

  async process(rec: WithdrawalRecord): Promise<WithdrawalRecord> {
    switch (rec.state) {
      case 'received':
        return this.checkAndSign(rec);
      case 'signing':
      case 'submitted':
        return rec.multiSign === null ? rec : this.applyOutcome(rec, await advanceSubmission(this.rpc, rec.multiSign, this.now(), this.opts.resendAfterMs));
      case 'refused':
      case 'confirmed':
      case 'failed':
      case 'relayed':
        return rec;
    }
  }

  private async transition(rec: WithdrawalRecord, state: WithdrawalState, patch: Partial<WithdrawalRecord>, extra: StoreOp[] = []): Promise<WithdrawalRecord> {
    const next: WithdrawalRecord = { ...rec, ...patch, state, updatedAt: this.now() };
    await this.store.write([AllianceStore.putWithdrawal(next), ...extra]);
    if (state !== rec.state) {
      this.log.info({ id: rec.id, from: rec.state, to: state, code: next.reason?.code }, 'withdrawal state changed');
      this.emit?.('withdrawal', { id: rec.id, state, reason: next.reason?.code ?? null });
    }
    return next;
  }

  private refuse(rec: WithdrawalRecord, code: string, message: string, details: Record<string, unknown> = {}): Promise<WithdrawalRecord> {
    this.counters.byCode(this.counters.c.withdrawalRefusals, code);
    this.log.warn({ id: rec.id, polyTxHash: rec.polyTxHash, code, reason: message, details }, 'withdrawal refused');
    return this.transition(rec, 'refused', { reason: { code, message } });
  }

  private async checkAndSign(rec: WithdrawalRecord): Promise<WithdrawalRecord> {
    const signer = this.opts.signer;
    if (signer === null) return rec;
    const unsigned = fromHex(rec.unsignedTxHex);
    const coins = coinSet(await this.store.utxos());
    const check = checkWithdrawal(unsigned, fromHex(rec.redeemHex), coins.lookup, signer.policy);
    if (check.kind === 'reject') return this.refuse(rec, check.code, check.message, check.details);
    const plan = check.plan;
    if (plan.id !== rec.id) return this.refuse(rec, 'SIGNER_TX_MALFORMED', 'the policy computed another id for this tx', { planId: plan.id });
    // The inputs are ours to spend only once: commit them in the same batch as the signed MultiSign.
    const commits = coins.commitOps(plan, rec.id);
    if (rec.finalTxid !== null) return this.learnRelayed(rec, plan, commits);
    let sigs: Uint8Array[];
    try {
      sigs = signWithdrawal(unsigned, plan, signer.policy.redeemScript, signer.key);
    } catch (err) {
      if (isSpvError(err) && err.code.startsWith('SIGNER_')) return this.refuse(rec, err.code, err.message);
      throw err;
    }
    const built = buildMultiSignTx(this.opts.tx, rec.id, signer.btcAddress, sigs);
    const multiSign: PreparedPolyTx = { txHash: built.txHash, rawHex: rawHex(built), sentAt: null };
    this.counters.c.withdrawalsSigned++;
    const signing = await this.transition(
      rec,
      'signing',
      { reason: null, ...planFields(plan), multiSign },
      commits,
    );
    this.log.info({ id: rec.id, inputs: plan.inputs.length, outputs: plan.outputs.length, fee: plan.fee.toString(), feeRate: plan.feeRate }, 'withdrawal signed');
    return this.applyOutcome(signing, await advanceSubmission(this.rpc, multiSign, this.now(), this.opts.resendAfterMs));
  }

  /** Completed by the others before we signed: no signature, but commit its inputs and learn its change. */
  private learnRelayed(rec: WithdrawalRecord, plan: WithdrawalPlan, commits: StoreOp[]): Promise<WithdrawalRecord> {
    const fields = planFields(plan);
    const change = changeUtxoOps(fields.outputs, rec.finalTxid!, this.opts.redeemScript);
    return this.transition(rec, 'relayed', { reason: null, ...fields }, [...commits, ...change]);
  }

  private applyOutcome(rec: WithdrawalRecord, out: SubmitOutcome): Promise<WithdrawalRecord> | WithdrawalRecord {
    switch (out.kind) {
      case 'executed':
        this.counters.c.multiSignsConfirmed++;
        return this.transition(rec, 'confirmed', { multiSign: out.prepared, reason: null });
      case 'failed':
        // The contract completed it with the others' signatures before ours arrived: not a failure.
        if (rec.finalTxid !== null) return this.transition(rec, 'relayed', { multiSign: out.prepared, reason: null });
        this.log.error({ id: rec.id, multiSignTx: out.prepared.txHash }, 'multisign failed on the alliance chain');
        return this.transition(rec, 'failed', { multiSign: out.prepared, reason: out.reason });
      case 'refused':
        this.log.warn({ id: rec.id, multiSignTx: out.prepared.txHash, reason: out.reason.message }, 'multisign refused by the alliance node');
        return this.transition(rec, rec.state, { reason: out.reason });
      case 'pending':
        if (rec.state === 'submitted' && out.prepared.sentAt === rec.multiSign?.sentAt) return rec;
        return this.transition(rec, 'submitted', { multiSign: out.prepared, reason: null });
    }
  }
}
