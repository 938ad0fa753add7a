/**
 * The cross-chain manager (CCM) of an era-A alliance chain, as far as the BTC bridge sees it (poly-protocol.md §3, §6,
 * §7; ontio/multi-chain native/service/cross_chain_manager/btc): `Vote` and `MultiSign` transactions, plus the
 * relayer's deposit proofs and the admin's withdrawal requests (devnet_* methods) that the real chain got from
 * other contracts. Every state change happens after every check, so a failed (State 0) transaction changes nothing.
 *
 * Deliberate differences from the 2019 contract, all from the devnet brief: the withdrawal is assembled once m
 * signers are in (the Go code waited for all n), `btcTxMultiSign` / `btcTxToRelay` carry display hex, and a quorum
 * emits a devnet-only `btcDepositExecuted` notify.
 */
import { Transaction } from 'bitcoinjs-lib';
import {
  MULTISIGN_METHOD,
  VOTE_METHOD,
  decodeMultiSignParam,
  decodeNativeInvoke,
  decodeVoteParam,
  encodeBtcProof,
  parseOpReturnArgs,
  polyAddressFromBase58,
} from '../../src/alliance/poly/index.js';
import type { NativeInvoke, OpReturnLayout, Secp256k1Digest } from '../../src/alliance/poly/index.js';
import type { NetworkName } from '../../src/chain/params.js';
import { isSpvError } from '../../src/errors/spvError.js';
import { verifyTxInProof } from '../../src/merkle/index.js';
import { bytesEqual, concatBytes, fromHexOrNull, hashToHex, reversed, toHex } from '../../src/util/bytes.js';
import { outputScriptForAddress, p2pkhAddress } from './btcAddress.js';
import type { MultisigRedeem, UtxoKind } from './btcMultisig.js';
import { applyMultisigSignatures, inputSighash, kindOfScript, signatureProblem } from './btcMultisig.js';
import type {
  DevnetDeposit,
  DevnetFault,
  DevnetRejection,
  DevnetState,
  DevnetUtxo,
  DevnetWithdrawal,
  RejectReason,
  UtxoStatus,
} from './devnetState.js';
import type { ExecuteNotify, NotifyEntry, PolyChain } from './polyChain.js';
import type { JsonValue, RpcOutcome } from './rpcOutcome.js';
import { RPC_CODES, badParams, devnetRefusal, rpcFail, rpcOk } from './rpcOutcome.js';
import type { AdmittedTx } from './txPool.js';
import { admitPolyTx } from './txPool.js';
import { buildWithdrawal } from './withdrawalBuilder.js';

/** Storage key prefix of cached unsigned withdrawals (btc BTC_TX_PREFIX). */
export const BTC_TX_PREFIX = 'btctx';
/** 21 million BTC in satoshis (btcutil.MaxSatoshi). */
const MAX_SATOSHI = 21_000_000 * 100_000_000;

export interface CcmConfig {
  readonly voters: readonly string[];
  readonly redeem: MultisigRedeem;
  readonly btcNetwork: NetworkName;
  readonly blocksToWait: number;
  readonly changeKind: UtxoKind;
  readonly feeRate: number;
  /** Display (reversed) hex, lower case. */
  readonly ccmAddressHex: string;
  readonly secp256k1Digest: Secp256k1Digest;
  readonly opReturnLayout: OpReturnLayout;
}

interface DepositRecord {
  readonly txid: string;
  readonly tx: Transaction;
  readonly polyTxHash: string;
  readonly btcHeight: number;
  readonly submittedAtHeight: number;
  readonly voters: string[];
  executedAtHeight: number | null;
  utxoRecorded: boolean;
  problem: string | null;
}

interface UtxoRecord {
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
  readonly kind: UtxoKind;
  readonly origin: 'deposit' | 'change';
  status: UtxoStatus;
  withdrawalId: string | null;
}

interface WithdrawalRecord {
  readonly id: string;
  readonly tx: Transaction;
  readonly unsignedTxHex: string;
  readonly requestedAtHeight: number;
  readonly outputs: ReadonlyArray<{ readonly address: string; readonly value: number }>;
  readonly inputs: readonly UtxoRecord[];
  readonly fee: number;
  readonly change: number;
  readonly vsize: number;
  readonly sigs: Map<string, readonly Uint8Array[]>;
  readonly signers: string[];
  finalTxHex: string | null;
  finalTxid: string | null;
  completedAtHeight: number | null;
}

type Execution =
  | { readonly state: 1; readonly notify: readonly NotifyEntry[] }
  | { readonly state: 0; readonly reason: RejectReason; readonly detail: string };

function failed(reason: RejectReason, detail: string): Execution {
  return { state: 0, reason, detail };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CcmContract {
  private readonly cfg: CcmConfig;
  private readonly chain: PolyChain;
  private readonly ccmRaw: Uint8Array;
  private readonly voterSet: ReadonlySet<string>;
  private readonly quorum: number;
  /** P2PKH address of each redeem key, in script order. */
  private readonly keyAddresses: readonly string[];
  private readonly deposits = new Map<string, DepositRecord>();
  private readonly utxos: UtxoRecord[] = [];
  private readonly withdrawals = new Map<string, WithdrawalRecord>();
  private readonly relayed: Array<{ withdrawalId: string; txid: string; txHex: string; height: number }> = [];
  private readonly rejections: DevnetRejection[] = [];

  constructor(cfg: CcmConfig, chain: PolyChain) {
    this.cfg = cfg;
    this.chain = chain;
    this.ccmRaw = reversed(fromHexOrNull(cfg.ccmAddressHex) ?? new Uint8Array(0));
    this.voterSet = new Set(cfg.voters);
    // ValidateVote (cross_chain_manager/common/utils.go): fires when the count equals (2N+2)/3.
    this.quorum = Math.floor((2 * cfg.voters.length + 2) / 3);
    this.keyAddresses = cfg.redeem.keys.map((k) => p2pkhAddress(k, cfg.btcNetwork));
  }

  private ccmNotify(states: JsonValue): NotifyEntry {
    return { ContractAddress: this.cfg.ccmAddressHex, States: states };
  }

  private reject(r: Omit<DevnetRejection, 'height'> & { height?: number | null }): void {
    this.rejections.push({ ...r, height: r.height ?? null });
  }

  // ----------------------------------------------------------------------------------------------------------------
  // sendrawtransaction

  sendRawTransaction(params: readonly unknown[]): RpcOutcome {
    if (params.length < 1) return rpcFail(RPC_CODES.INVALID_PARAMS);
    if (params[1] === 1) {
      // the node pre-executes without committing; the bridge never asks for it
      return rpcFail(RPC_CODES.INVALID_PARAMS, 'pre-execution is not supported by the devnet');
    }
    const admission = admitPolyTx(params[0], this.cfg.secp256k1Digest);
    if (!admission.ok) {
      this.reject({ txHash: admission.hashHex, reason: admission.reason, detail: admission.detail, stage: 'pool' });
      return admission.outcome;
    }
    const { admitted } = admission;
    if (this.chain.hasTx(admitted.hashHex)) {
      const detail = `[TxPool] duplicated transaction ${admitted.hashHex}`;
      this.reject({ txHash: admitted.hashHex, reason: 'DUPLICATE_TX', detail, stage: 'pool' });
      return rpcFail(RPC_CODES.DUPLICATED_TX, detail);
    }
    const exec = this.execute(admitted);
    const event: ExecuteNotify =
      exec.state === 1
        ? { TxHash: admitted.hashHex, State: 1, GasConsumed: 0, Notify: exec.notify }
        : { TxHash: admitted.hashHex, State: 0, GasConsumed: 0, Notify: [] };
    const height = this.chain.addBlock(event);
    if (exec.state === 0) this.reject({ txHash: admitted.hashHex, reason: exec.reason, detail: exec.detail, stage: 'exec', height });
    return rpcOk(admitted.hashHex);
  }

  private execute(admitted: AdmittedTx): Execution {
    const { tx } = admitted;
    // era A/B: the SDK never sets a chain id; a node refuses others when it builds the native service
    if (tx.chainId !== 0n) return failed('BAD_CHAIN_ID', `tx chain id ${tx.chainId} is not 0`);
    let invoke: NativeInvoke;
    try {
      invoke = decodeNativeInvoke(tx.payload);
    } catch (err) {
      return failed('NOT_NATIVE_INVOKE', `payload is not a native invoke: ${errorText(err)}`);
    }
    if (!bytesEqual(invoke.contract, this.ccmRaw)) {
      return failed('NOT_CCM', `contract ${toHex(reversed(invoke.contract))} is not the cross-chain manager`);
    }
    if (invoke.method === VOTE_METHOD) return this.vote(invoke.args, admitted.witnesses);
    if (invoke.method === MULTISIGN_METHOD) return this.multiSign(invoke.args);
    return failed('UNKNOWN_METHOD', `method ${JSON.stringify(invoke.method)} is not Vote or MultiSign`);
  }

  /** btc Vote: CheckWitness, genesis bookkeepers only, one vote per voter, fire when the count equals the quorum. */
  private vote(args: Uint8Array, witnesses: ReadonlySet<string>): Execution {
    let p: ReturnType<typeof decodeVoteParam>;
    try {
      p = decodeVoteParam(args);
    } catch (err) {
      return failed('BAD_PARAM', `VoteParam does not decode: ${errorText(err)}`);
    }
    if (p.fromChainId !== 0n) return failed('BAD_CHAIN_ID', `FromChainID ${p.fromChainId} is not BTC (0)`);
    try {
      polyAddressFromBase58(p.address);
    } catch (err) {
      return failed('BAD_PARAM', `address ${JSON.stringify(p.address)} is not a Poly address: ${errorText(err)}`);
    }
    if (!witnesses.has(p.address)) return failed('NO_WITNESS', `tx is not signed by ${p.address} (CheckWitness)`);
    if (!this.voterSet.has(p.address)) return failed('NOT_VOTER', `${p.address} is not a genesis bookkeeper`);
    const txid = hashToHex(p.txid);
    const d = this.deposits.get(txid);
    if (d === undefined) return failed('UNKNOWN_DEPOSIT', `no BtcProof for ${txid}`);
    if (d.voters.includes(p.address)) return failed('DUPLICATE_VOTE', `${p.address} already voted for ${txid}`);

    d.voters.push(p.address);
    const voteMap: Record<string, JsonValue> = {};
    for (const v of d.voters) voteMap[v] = v;
    const notify: NotifyEntry[] = [this.ccmNotify(['Vote', voteMap])];
    if (d.voters.length === this.quorum) {
      this.executeDeposit(d);
      notify.push(this.ccmNotify(['btcDepositExecuted', d.txid, this.outputValue(d.tx, 0)]));
    }
    return { state: 1, notify };
  }

  private outputValue(tx: Transaction, index: number): number {
    const out = tx.outs[index];
    return out === undefined ? 0 : Number(out.value);
  }

  /** Quorum reached: output 0 becomes a multisig UTXO (when it pays the multisig); rule breaks are recorded. */
  private executeDeposit(d: DepositRecord): void {
    d.executedAtHeight = this.chain.height + 1;
    const out0 = d.tx.outs[0];
    const kind = out0 === undefined ? null : kindOfScript(this.cfg.redeem, out0.script);
    const value = this.outputValue(d.tx, 0);
    if (kind !== null && value > 0) {
      this.utxos.push({ txid: d.txid, vout: 0, value, kind, origin: 'deposit', status: 'available', withdrawalId: null });
      d.utxoRecorded = true;
    }
    d.problem = this.depositProblem(d.tx, kind);
  }

  /** What a validator should have refused (original-spvclient.md §6.3 steps 6-7, P2WSH allowed). */
  private depositProblem(tx: Transaction, kind: UtxoKind | null): string | null {
    if (tx.outs.length < 2) return 'fewer than 2 outputs';
    const value = this.outputValue(tx, 0);
    if (value <= 0) return 'output 0 has no value';
    if (kind === null) return 'output 0 does not pay the multisig';
    try {
      const args = parseOpReturnArgs(tx.outs[1]!.script, this.cfg.opReturnLayout);
      if (args.fee < 0n) return `OP_RETURN fee ${args.fee} is negative`;
      if (args.fee > BigInt(value)) return `OP_RETURN fee ${args.fee} exceeds the deposit ${value}`;
    } catch (err) {
      return `output 1: ${isSpvError(err) ? err.code : 'error'}: ${errorText(err)}`;
    }
    return null;
  }

  /** btc MultiSign (era-A param layout): no witness check; the signer is named by its P2PKH address. */
  private multiSign(args: Uint8Array): Execution {
    let p: ReturnType<typeof decodeMultiSignParam>;
    try {
      p = decodeMultiSignParam(args, 'A');
    } catch (err) {
      return failed('BAD_PARAM', `MultiSignParam does not decode: ${errorText(err)}`);
    }
    if (p.chainId !== 0n) return failed('BAD_CHAIN_ID', `ChainID ${p.chainId} is not BTC (0)`);
    const id = p.txHash.length === 32 ? hashToHex(p.txHash) : toHex(p.txHash);
    const w = this.withdrawals.get(id);
    if (w === undefined) return failed('UNKNOWN_WITHDRAWAL', `no withdrawal ${id}`);
    if (w.finalTxHex !== null) return failed('WITHDRAWAL_COMPLETE', `withdrawal ${id} already has enough signatures`);
    const keyIndex = this.keyAddresses.indexOf(p.address);
    if (keyIndex < 0) return failed('UNKNOWN_SIGNER', `${p.address} is not the P2PKH address of a redeem key`);
    if (w.sigs.has(p.address)) return failed('ALREADY_SIGNED', `${p.address} already signed ${id}`);
    if (p.sigs.length !== w.inputs.length) {
      return failed('WRONG_SIG_COUNT', `${p.sigs.length} signatures for ${w.inputs.length} inputs`);
    }
    const key = this.cfg.redeem.keys[keyIndex]!;
    for (const [i, input] of w.inputs.entries()) {
      const digest = inputSighash(w.tx, i, this.cfg.redeem, input.kind, input.value);
      const problem = signatureProblem(p.sigs[i]!, digest, key);
      if (problem !== null) return failed('BAD_BTC_SIGNATURE', `input ${i}: ${problem}`);
    }

    w.sigs.set(p.address, p.sigs.map((s) => new Uint8Array(s)));
    w.signers.push(p.address);
    const sigMap: Record<string, JsonValue> = {};
    for (const [addr, sigs] of w.sigs) sigMap[addr] = sigs.map(toHex);
    const notify: NotifyEntry[] = [this.ccmNotify(['btcTxMultiSign', id, sigMap])];
    if (w.signers.length === this.cfg.redeem.m) notify.push(this.ccmNotify(['btcTxToRelay', this.finalize(w)]));
    return { state: 1, notify };
  }

  /** m signers: assemble, spend the inputs, record the change, queue for relay. Returns the final tx hex. */
  private finalize(w: WithdrawalRecord): string {
    const final = Transaction.fromBuffer(w.tx.toBuffer());
    const firstIndex = new Map<string, number>();
    this.keyAddresses.forEach((a, k) => {
      if (!firstIndex.has(a)) firstIndex.set(a, k);
    });
    const sigsByKey = this.keyAddresses.map((a, k) => (firstIndex.get(a) === k ? w.sigs.get(a) : undefined));
    applyMultisigSignatures(
      final,
      this.cfg.redeem,
      w.inputs.map((u) => u.kind),
      sigsByKey,
    );
    const txHex = final.toHex();
    const txid = final.getId();
    const height = this.chain.height + 1;
    for (const u of w.inputs) u.status = 'spent';
    final.outs.forEach((out, vout) => {
      const kind = kindOfScript(this.cfg.redeem, out.script);
      if (kind !== null) {
        this.utxos.push({ txid, vout, value: Number(out.value), kind, origin: 'change', status: 'available', withdrawalId: null });
      }
    });
    w.finalTxHex = txHex;
    w.finalTxid = txid;
    w.completedAtHeight = height;
    this.relayed.push({ withdrawalId: w.id, txid, txHex, height });
    return txHex;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // devnet_* actions

  /** devnet_submitDeposit [txHex, merkleblockHex, height]: the relayer's MakeDepositProposal. */
  submitDeposit(params: readonly unknown[]): RpcOutcome {
    const [txHex, proofHex, btcHeight] = params;
    if (typeof txHex !== 'string' || typeof proofHex !== 'string' || !isU32(btcHeight)) {
      return badParams('expected [txHex, merkleblockHex, height]');
    }
    const txRaw = fromHexOrNull(txHex);
    const proofRaw = fromHexOrNull(proofHex);
    if (txRaw === null || proofRaw === null || txRaw.length === 0 || proofRaw.length === 0) {
      return badParams('tx and merkleblock must be non-empty hex');
    }
    try {
      verifyTxInProof(txRaw, proofRaw);
    } catch (err) {
      if (isSpvError(err)) return devnetRefusal(err.code, err.message);
      throw err;
    }
    const tx = Transaction.fromBuffer(txRaw);
    const txid = tx.getId();
    if (this.deposits.has(txid)) return devnetRefusal('DEPOSIT_DUPLICATE', `btc proof for ${txid} already exists`);
    const proofBytes = encodeBtcProof(
      { tx: txRaw, proof: proofRaw, height: btcHeight, blocksToWait: BigInt(this.cfg.blocksToWait) },
      'E1',
    );
    const polyTxHash = this.chain.syntheticTxHash('notifyBtcProof', proofBytes);
    const height = this.chain.addBlock({
      TxHash: polyTxHash,
      State: 1,
      GasConsumed: 0,
      Notify: [this.ccmNotify(['notifyBtcProof', txid, toHex(proofBytes)])],
    });
    this.deposits.set(txid, {
      txid,
      tx,
      polyTxHash,
      btcHeight,
      submittedAtHeight: height,
      voters: [],
      executedAtHeight: null,
      utxoRecorded: false,
      problem: null,
    });
    return rpcOk({ txid, polyTxHash, height });
  }

  /** devnet_requestWithdrawal [[{address, value}…]]: MakeTransaction to BTC after a (simulated) cross-chain quorum. */
  requestWithdrawal(params: readonly unknown[]): RpcOutcome {
    const list = params[0];
    if (!Array.isArray(list) || list.length === 0) return badParams('expected [[{address, value}, …]]');
    const outputs: Array<{ address: string; value: number; script: Uint8Array }> = [];
    for (const [i, o] of (list as unknown[]).entries()) {
      if (!isRecord(o) || typeof o['address'] !== 'string') return badParams(`output ${i}: address must be a string`);
      const value = o['value'];
      // makeBtcTx: 0 < amount <= MaxSatoshi
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > MAX_SATOSHI) {
        return badParams(`output ${i}: value must be a positive number of satoshis`);
      }
      const script = outputScriptForAddress(o['address'], this.cfg.btcNetwork);
      if (script === null) return badParams(`output ${i}: not a ${this.cfg.btcNetwork} address`);
      outputs.push({ address: o['address'], value, script });
    }
    const total = outputs.reduce((s, o) => s + o.value, 0);
    if (total > MAX_SATOSHI) return badParams('outputs exceed 21 million BTC');
    const available = this.utxos.filter((u) => u.status === 'available');
    const built = buildWithdrawal(available, outputs, {
      redeem: this.cfg.redeem,
      changeKind: this.cfg.changeKind,
      feeRate: this.cfg.feeRate,
    });
    if (built === null) {
      const have = available.reduce((s, u) => s + u.value, 0);
      return devnetRefusal('INSUFFICIENT_FUNDS', `multisig holds ${have} sat in ${available.length} UTXOs, outputs need ${total} plus fee`);
    }
    const id = built.tx.getId();
    const unsigned = built.tx.toBuffer();
    const unsignedTxHex = toHex(unsigned);
    const inputs = built.inputs.map((b) => this.utxos.find((u) => u.txid === b.txid && u.vout === b.vout)!);
    const height = this.chain.addBlock({
      TxHash: this.chain.syntheticTxHash('makeBtcTx', unsigned),
      State: 1,
      GasConsumed: 0,
      Notify: [this.ccmNotify(['makeBtcTx', unsignedTxHex, toHex(this.cfg.redeem.script)])],
    });
    for (const u of inputs) {
      u.status = 'reserved';
      u.withdrawalId = id;
    }
    this.withdrawals.set(id, {
      id,
      tx: built.tx,
      unsignedTxHex,
      requestedAtHeight: height,
      outputs: outputs.map(({ address, value }) => ({ address, value })),
      inputs,
      fee: built.fee,
      change: built.change,
      vsize: built.vsize,
      sigs: new Map(),
      signers: [],
      finalTxHex: null,
      finalTxid: null,
      completedAtHeight: null,
    });
    return rpcOk({ id, txHex: unsignedTxHex, height });
  }

  /** devnet_injectNotify [{contractAddress, states, state}]: an arbitrary event in a new block. */
  injectNotify(params: readonly unknown[]): RpcOutcome {
    const p = params[0];
    if (!isRecord(p)) return badParams('expected [{contractAddress, states, state}]');
    const contract = p['contractAddress'];
    if (typeof contract !== 'string' || !/^[0-9a-fA-F]{40}$/.test(contract)) {
      return badParams('contractAddress must be 40 hex characters');
    }
    const state = p['state'] ?? 1;
    if (state !== 0 && state !== 1) return badParams('state must be 0 or 1');
    if (!('states' in p)) return badParams('states is required');
    const states = p['states'] as JsonValue;
    const payload = new TextEncoder().encode(JSON.stringify([contract, states, state]));
    const polyTxHash = this.chain.syntheticTxHash('injectNotify', payload);
    const height = this.chain.addBlock({
      TxHash: polyTxHash,
      State: state,
      GasConsumed: 0,
      Notify: [{ ContractAddress: contract, States: states }],
    });
    return rpcOk({ polyTxHash, height });
  }

  /** getstorage [contract, key]: the CCM's cached unsigned withdrawals under `btctx ‖ txHash`, else null. */
  getStorage(params: readonly unknown[]): RpcOutcome {
    if (params.length < 2) return rpcFail(RPC_CODES.INVALID_PARAMS);
    const [contract, keyHex] = params;
    if (typeof contract !== 'string' || typeof keyHex !== 'string') return rpcFail(RPC_CODES.INVALID_PARAMS);
    // bcomn.GetAddress: 40-hex (reversed) or base58
    let raw: Uint8Array | null = null;
    if (/^[0-9a-fA-F]{40}$/.test(contract)) raw = reversed(fromHexOrNull(contract)!);
    else {
      try {
        raw = polyAddressFromBase58(contract);
      } catch {
        raw = null;
      }
    }
    const key = fromHexOrNull(keyHex);
    if (raw === null || key === null) return rpcFail(RPC_CODES.INVALID_PARAMS);
    if (!bytesEqual(raw, this.ccmRaw)) return rpcOk(null);
    const prefix = new TextEncoder().encode(BTC_TX_PREFIX);
    if (key.length !== prefix.length + 32 || !bytesEqual(key.subarray(0, prefix.length), prefix)) return rpcOk(null);
    const w = this.withdrawals.get(hashToHex(key.subarray(prefix.length)));
    return rpcOk(w === undefined ? null : w.unsignedTxHex);
  }

  /** The storage key of a withdrawal's cached tx (for tests and tools). */
  static storageKeyHex(withdrawalId: string): string {
    return toHex(concatBytes(new TextEncoder().encode(BTC_TX_PREFIX), reversed(fromHexOrNull(withdrawalId) ?? new Uint8Array(0))));
  }

  // ----------------------------------------------------------------------------------------------------------------
  // snapshot

  snapshot(fault: DevnetFault): DevnetState {
    const deposits: DevnetDeposit[] = [...this.deposits.values()].map((d) => {
      const votes: Record<string, boolean> = {};
      for (const v of this.cfg.voters) votes[v] = d.voters.includes(v);
      return {
        txid: d.txid,
        polyTxHash: d.polyTxHash,
        btcHeight: d.btcHeight,
        blocksToWait: this.cfg.blocksToWait,
        submittedAtHeight: d.submittedAtHeight,
        votes,
        voteCount: d.voters.length,
        executed: d.executedAtHeight !== null,
        executedAtHeight: d.executedAtHeight,
        value: this.outputValue(d.tx, 0),
        utxoRecorded: d.utxoRecorded,
        problem: d.problem,
      };
    });
    const utxos: DevnetUtxo[] = this.utxos.map((u) => ({ ...u }));
    const withdrawals: DevnetWithdrawal[] = [...this.withdrawals.values()].map((w) => {
      const signatures: Record<string, string[]> = {};
      for (const [addr, sigs] of w.sigs) signatures[addr] = sigs.map(toHex);
      return {
        id: w.id,
        unsignedTxHex: w.unsignedTxHex,
        requestedAtHeight: w.requestedAtHeight,
        outputs: w.outputs.map((o) => ({ ...o })),
        inputs: w.inputs.map((u) => ({ txid: u.txid, vout: u.vout, value: u.value, kind: u.kind })),
        fee: w.fee,
        change: w.change,
        estimatedVsize: w.vsize,
        signatures,
        signers: [...w.signers],
        complete: w.finalTxHex !== null,
        finalTxHex: w.finalTxHex,
        finalTxid: w.finalTxid,
        completedAtHeight: w.completedAtHeight,
      };
    });
    const byReason: Partial<Record<RejectReason, number>> = {};
    for (const r of this.rejections) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    return {
      height: this.chain.height,
      quorum: this.quorum,
      voters: [...this.cfg.voters],
      ccmAddressHex: this.cfg.ccmAddressHex,
      deposits,
      utxos,
      withdrawals,
      relayed: this.relayed.map((r) => ({ ...r })),
      rejected: { count: this.rejections.length, byReason, entries: this.rejections.map((r) => ({ ...r })) },
      fault: { ...fault },
    };
  }
}
