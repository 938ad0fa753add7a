/**
 * A local era-A alliance chain for tests and the demo: a JSON-RPC server that behaves like a Poly node plus the
 * cross-chain manager as far as the BTC bridge sees it (poly-protocol.md §2, §3, §6, §7; original-spvclient.md §6).
 * Deterministic (no clock, no randomness in what it records), in memory, strict: it is the judge of the validators'
 * Vote and MultiSign transactions. See ccmContract.ts for the contract rules and rpcServer.ts for the transport.
 *
 * Node methods: getblockcount, getsmartcodeevent [height | txhash], sendrawtransaction [hex], getstorage
 * [contract, key], getblockheightbytxhash [txhash]. Devnet methods (never faulted): devnet_submitDeposit [txHex,
 * merkleblockHex, height] → {txid, polyTxHash, height}; devnet_requestWithdrawal [[{address, value}…]] → {id, txHex,
 * height}; devnet_injectNotify [{contractAddress, states, state}] → {polyTxHash, height}; devnet_fault [{mode, count,
 * delayMs, methods?}]; devnet_state [] → DevnetState. Refusals of devnet methods are error 47001 (42002 for bad params) with
 * `{reason, message}` in `result`.
 */
import { polyAddressFromBase58 } from '../../src/alliance/poly/index.js';
import type { OpReturnLayout, Secp256k1Digest } from '../../src/alliance/poly/index.js';
import type { NetworkName } from '../../src/chain/params.js';
import { isNetworkName } from '../../src/chain/params.js';
import { SpvError } from '../../src/errors/spvError.js';
import { hexToHashOrNull } from '../../src/util/bytes.js';
import type { MultisigRedeem } from './btcMultisig.js';
import { checkKindUsable, parseMultisigRedeem } from './btcMultisig.js';
import { CcmContract } from './ccmContract.js';
import type { DevnetState, FaultMode } from './devnetState.js';
import { PolyChain } from './polyChain.js';
import type { RpcOutcome } from './rpcOutcome.js';
import { RPC_CODES, badParams, rpcFail, rpcOk, toJsonValue } from './rpcOutcome.js';
import { DEFAULT_SLOW_MS, FAULT_MODES, FaultPlan, startRpcServer } from './rpcServer.js';
import type { RpcServer } from './rpcServer.js';

export type { DevnetState } from './devnetState.js';

/** CCM address of eras A/B as the node prints it (byte-reversed `0x00…02`). */
export const CCM_ADDRESS_ERA_A_HEX = '0200000000000000000000000000000000000000';

export interface DevnetOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (default) = ephemeral. */
  readonly port?: number;
  /** Poly base58 addresses of the genesis bookkeepers; quorum (2N+2)/3, fires when the count equals it. */
  readonly voters: readonly string[];
  /** The bridge's m-of-n multisig redeem script. */
  readonly redeemScript: Uint8Array;
  /** For decoding withdrawal addresses and naming MultiSign signers ('regtest' in tests). */
  readonly btcNetwork: NetworkName;
  /** Put into each BtcProof. */
  readonly blocksToWait: number;
  /** Script of change outputs back to the multisig. */
  readonly changeKind: 'p2sh' | 'p2wsh';
  /** sat/vbyte for built withdrawals. */
  readonly feeRate: number;
  /** Default era A '0200000000000000000000000000000000000000' (display/reversed form). */
  readonly ccmAddressHex?: string;
  /** Digest of secp256k1 Poly signatures; default era-A 'keccak256'. */
  readonly secp256k1Digest?: Secp256k1Digest;
  /** OP_RETURN Args layout used to flag bad executed deposits (DevnetDeposit.problem); default 'A3'. */
  readonly opReturnLayout?: OpReturnLayout;
}

export interface Devnet {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** A plain-data snapshot (what devnet_state answers). */
  state(): DevnetState;
}

interface Resolved {
  readonly host: string;
  readonly port: number;
  readonly voters: readonly string[];
  readonly redeem: MultisigRedeem;
  readonly btcNetwork: NetworkName;
  readonly blocksToWait: number;
  readonly changeKind: 'p2sh' | 'p2wsh';
  readonly feeRate: number;
  readonly ccmAddressHex: string;
  readonly secp256k1Digest: Secp256k1Digest;
  readonly opReturnLayout: OpReturnLayout;
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new SpvError('CONFIG_INVALID', `devnet: ${message}`, details);
}

function resolveOptions(opts: DevnetOptions): Resolved {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) invalid('port must be 0..65535', { port });
  if (!Array.isArray(opts.voters) || opts.voters.length === 0) invalid('voters must be a non-empty array');
  for (const v of opts.voters) {
    try {
      polyAddressFromBase58(v);
    } catch (cause) {
      throw new SpvError('CONFIG_INVALID', 'devnet: voter is not a Poly base58 address', { voter: v }, { cause });
    }
  }
  if (new Set(opts.voters).size !== opts.voters.length) invalid('voters must be distinct');
  if (!(opts.redeemScript instanceof Uint8Array)) invalid('redeemScript must be bytes');
  const redeem = parseMultisigRedeem(opts.redeemScript);
  if (!isNetworkName(opts.btcNetwork)) invalid('btcNetwork is not a network name', { btcNetwork: opts.btcNetwork });
  if (!Number.isSafeInteger(opts.blocksToWait) || opts.blocksToWait < 0) invalid('blocksToWait must be a non-negative integer');
  if (opts.changeKind !== 'p2sh' && opts.changeKind !== 'p2wsh') invalid('changeKind must be p2sh or p2wsh');
  checkKindUsable(redeem, opts.changeKind);
  if (typeof opts.feeRate !== 'number' || !Number.isFinite(opts.feeRate) || opts.feeRate < 0) invalid('feeRate must be >= 0');
  const ccmAddressHex = (opts.ccmAddressHex ?? CCM_ADDRESS_ERA_A_HEX).toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(ccmAddressHex)) invalid('ccmAddressHex must be 40 hex characters');
  const secp256k1Digest = opts.secp256k1Digest ?? 'keccak256';
  if (secp256k1Digest !== 'keccak256' && secp256k1Digest !== 'sha3-256') invalid('secp256k1Digest must be keccak256 or sha3-256');
  const opReturnLayout = opts.opReturnLayout ?? 'A3';
  if (opReturnLayout !== 'A3' && opReturnLayout !== 'A4' && opReturnLayout !== 'BE') invalid('opReturnLayout must be A3, A4 or BE');
  return {
    host,
    port,
    voters: [...opts.voters],
    redeem,
    btcNetwork: opts.btcNetwork,
    blocksToWait: opts.blocksToWait,
    changeKind: opts.changeKind,
    feeRate: opts.feeRate,
    ccmAddressHex,
    secp256k1Digest,
    opReturnLayout,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** getsmartcodeevent [height | "<txhash>"] (http/base/rpc GetSmartCodeEvent). */
function smartCodeEvent(chain: PolyChain, params: readonly unknown[]): RpcOutcome {
  if (params.length < 1) return rpcFail(RPC_CODES.INVALID_PARAMS, null);
  const p = params[0];
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) return rpcFail(RPC_CODES.INVALID_PARAMS);
    return rpcOk(chain.eventsAt(p));
  }
  if (typeof p === 'string') {
    if (hexToHashOrNull(p) === null) return rpcFail(RPC_CODES.INVALID_PARAMS); // Uint256FromHexString
    return rpcOk(chain.eventOf(p));
  }
  return rpcFail(RPC_CODES.INVALID_PARAMS);
}

/** getblockheightbytxhash ["<txhash>"]: unknown hash → 42002 as the node answers. */
function heightByTxHash(chain: PolyChain, params: readonly unknown[]): RpcOutcome {
  const p = params[0];
  if (typeof p !== 'string' || hexToHashOrNull(p) === null) return rpcFail(RPC_CODES.INVALID_PARAMS);
  const h = chain.heightOf(p);
  return h === null ? rpcFail(RPC_CODES.INVALID_PARAMS) : rpcOk(h);
}

function setFault(faults: FaultPlan, params: readonly unknown[]): RpcOutcome {
  const p = params[0];
  if (!isRecord(p)) return badParams('expected [{mode, count}]');
  const mode = p['mode'];
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    return badParams(`mode must be one of ${FAULT_MODES.join(', ')}`);
  }
  const count = p['count'] ?? 1;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return badParams('count must be a non-negative integer');
  const delayMs = p['delayMs'] ?? DEFAULT_SLOW_MS;
  if (typeof delayMs !== 'number' || !Number.isSafeInteger(delayMs) || delayMs < 0 || delayMs > 600_000) {
    return badParams('delayMs must be 0..600000');
  }
  const methods = p['methods'] ?? null;
  if (methods !== null && (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string'))) {
    return badParams('methods must be a non-empty array of method names');
  }
  faults.set(mode as FaultMode, count, delayMs, methods as string[] | null);
  return rpcOk(toJsonValue(faults.snapshot()));
}

export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const cfg = resolveOptions(opts);
  const chain = new PolyChain();
  const contract = new CcmContract(
    {
      voters: cfg.voters,
      redeem: cfg.redeem,
      btcNetwork: cfg.btcNetwork,
      blocksToWait: cfg.blocksToWait,
      changeKind: cfg.changeKind,
      feeRate: cfg.feeRate,
      ccmAddressHex: cfg.ccmAddressHex,
      secp256k1Digest: cfg.secp256k1Digest,
      opReturnLayout: cfg.opReturnLayout,
    },
    chain,
  );
  const faults = new FaultPlan();
  const state = (): DevnetState => contract.snapshot(faults.snapshot());

  const methods: Readonly<Record<string, (params: unknown[]) => RpcOutcome>> = {
    getblockcount: () => rpcOk(chain.blockCount),
    getsmartcodeevent: (p) => smartCodeEvent(chain, p),
    getblockheightbytxhash: (p) => heightByTxHash(chain, p),
    sendrawtransaction: (p) => contract.sendRawTransaction(p),
    getstorage: (p) => contract.getStorage(p),
    devnet_submitDeposit: (p) => contract.submitDeposit(p),
    devnet_requestWithdrawal: (p) => contract.requestWithdrawal(p),
    devnet_injectNotify: (p) => contract.injectNotify(p),
    devnet_fault: (p) => {
      const outcome = setFault(faults, p);
      // 'refuse' is not a per-request fault: the listener goes away for delayMs.
      if (outcome.ok && faults.snapshot().mode === 'refuse') {
        server?.suspend(faults.snapshot().delayMs);
        faults.set('none', 0);
      }
      return outcome;
    },
    devnet_state: () => rpcOk(toJsonValue(state())),
  };

  let server: RpcServer | null = null;
  server = await startRpcServer({
    host: cfg.host,
    port: cfg.port,
    faults,
    dispatch: (method, params) => (Object.hasOwn(methods, method) ? methods[method]!(params) : null),
  });
  const started = server;
  return { url: started.url, port: started.port, close: () => started.close(), state };
}
