/**
 * A whole bridge on loopback, shared by the end-to-end test and `npm run demo`: a real bcoin regtest node, the
 * alliance devnet, and N spvclient validators (in-process SpvClients, each with its own workers, stores, Poly
 * wallet and BTC key), optionally one REST server. Everything is bounded in time; stop() tears it all down.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2';
import { networks, payments, script as bscript } from 'bitcoinjs-lib';
import { createRestServer } from '../../src/api/index.js';
import type { RestServer } from '../../src/api/index.js';
import { SpvClient } from '../../src/client/spvClient.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { DepositRecord, WithdrawalRecord } from '../../src/protocol/allianceRecords.js';
import { toHex } from '../../src/util/bytes.js';
import { silentLogger } from '../../src/log/logger.js';
import type { LogLevelName } from '../../src/log/logger.js';
import { encodeBtcProof } from '../../src/alliance/poly/index.js';
import { CCM_ADDRESS_ERA_A_HEX, startDevnet } from '../../scripts/devnet/devnet.js';
import type { Devnet, DevnetState } from '../../scripts/devnet/devnet.js';
import { writeWalletFile } from '../../scripts/devnet/walletWriter.js';
import { BcoinNode } from './bcoinNode.js';
import { mulberry32 } from './random.js';

export type MultisigKind = 'p2sh' | 'p2wsh';

export interface Validator {
  readonly name: string;
  client: SpvClient;
  /** The config it was created with (restart() makes a new client from it, same stores). */
  readonly config: ConfigInput;
  readonly dataDir: string;
  readonly polyAddress: string;
  readonly btcPublicKey: Uint8Array;
}

export interface BridgeOptions {
  readonly dir: string;
  readonly validators?: number;
  /** m of the m-of-n multisig (default 2 of 3). */
  readonly m?: number;
  readonly changeKind?: MultisigKind;
  readonly minConfirmations?: number;
  readonly blocksToWait?: number;
  readonly seed?: number;
  /** Start a REST server on validator 0 (for broadcasttx / verifyproof). */
  readonly rest?: boolean;
  readonly pollIntervalMs?: number;
}

const REGTEST = networks.regtest;
const CLIENT_OPTIONS = { gomaxprocs: 1, logLevel: (process.env.BRIDGE_LOG_LEVEL ?? 'silent') as LogLevelName };
const wif = createBase58check(sha256);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A deterministic valid secp256k1 private key from the seeded generator. */
function privateKey(rand: () => number): Uint8Array {
  for (;;) {
    const k = new Uint8Array(32);
    for (let i = 0; i < 32; i++) k[i] = Math.floor(rand() * 256);
    if (secp256k1.utils.isValidPrivateKey(k)) return k;
  }
}

/** `OP_m <pk>... OP_n OP_CHECKMULTISIG`. */
export function multisigRedeem(m: number, pubkeys: readonly Uint8Array[]): Uint8Array {
  return payments.p2ms({ m, pubkeys: pubkeys.map((p) => Buffer.from(p)), network: REGTEST }).output!;
}

export function multisigOutput(kind: MultisigKind, redeem: Uint8Array): Uint8Array {
  const pay = kind === 'p2sh' ? payments.p2sh({ redeem: { output: Buffer.from(redeem) }, network: REGTEST }) : payments.p2wsh({ redeem: { output: Buffer.from(redeem) }, network: REGTEST });
  return pay.output!;
}

/** OP_RETURN 0x66 ‖ A3 Args (u64 LE toChainId ‖ i64 LE fee ‖ var-bytes address). */
export function depositOpReturn(toChainId: bigint, fee: bigint, address: Uint8Array): Uint8Array {
  const payload = new Uint8Array(1 + 8 + 8 + 1 + address.length);
  const dv = new DataView(payload.buffer);
  payload[0] = 0x66;
  dv.setBigUint64(1, toChainId, true);
  dv.setBigInt64(9, fee, true);
  payload[17] = address.length;
  payload.set(address, 18);
  return bscript.compile([bscript.OPS['OP_RETURN']!, Buffer.from(payload)]);
}

export async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method, params, id: '1' }), signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { error: number; desc: string; result: T };
  if (body.error !== 0) throw new Error(`${method}: ${body.error} ${body.desc} ${JSON.stringify(body.result)}`);
  return body.result;
}

/** Polls `check` every 100 ms until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < timeoutMs / 50 + 10; round++) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export class Bridge {
  private constructor(
    readonly bcoin: BcoinNode,
    readonly devnet: Devnet,
    readonly validators: readonly Validator[],
    readonly redeem: Uint8Array,
    readonly m: number,
    readonly rest: RestServer | null,
    readonly restUrl: string | null,
  ) {}

  static async start(opts: BridgeOptions): Promise<Bridge> {
    const n = opts.validators ?? 3;
    const m = opts.m ?? 2;
    const rand = mulberry32(opts.seed ?? 7);
    const btcKeys = Array.from({ length: n }, () => privateKey(rand));
    const polyKeys = Array.from({ length: n }, () => privateKey(rand));
    const pubkeys = btcKeys.map((k) => secp256k1.getPublicKey(k, true));
    const redeem = multisigRedeem(m, pubkeys);
    const wallets = await Promise.all(
      polyKeys.map((k, i) => {
        mkdirSync(join(opts.dir, `v${i}`), { recursive: true });
        return writeWalletFile(join(opts.dir, `v${i}`, 'wallet.dat'), { privateKey: k, curve: 'secp256k1', password: `pw${i}`, scrypt: { n: 1024 } });
      }),
    );
    const bcoin = await BcoinNode.start(process.env.BCOIN_LOG_LEVEL ? { extraArgs: [`--log-level=${process.env.BCOIN_LOG_LEVEL}`] } : {});
    let devnet: Devnet | null = null;
    const validators: Validator[] = [];
    let rest: RestServer | null = null;
    try {
      devnet = await startDevnet({
        voters: wallets.map((w) => w.address),
        redeemScript: redeem,
        btcNetwork: 'regtest',
        blocksToWait: opts.blocksToWait ?? 1,
        changeKind: opts.changeKind ?? 'p2wsh',
        feeRate: 2,
      });
      for (let i = 0; i < n; i++) {
        const dir = join(opts.dir, `v${i}`);
        writeFileSync(join(dir, 'password'), `pw${i}\n`, { mode: 0o600 });
        const keyFile = join(dir, 'btc.key');
        writeFileSync(keyFile, wif.encode(new Uint8Array([0xef, ...btcKeys[i]!, 0x01])), { mode: 0o600 });
        chmodSync(keyFile, 0o600);
        const config: ConfigInput = {
            network: 'regtest',
            dataDir: join(dir, 'data'),
            peers: { connect: [`127.0.0.1:${bcoin.p2pPort}`], dnsSeeds: false },
            rest: { enabled: false },
            alliance: {
              enabled: true,
              rpcUrl: devnet.url,
              walletFile: join(dir, 'wallet.dat'),
              walletPasswordFile: join(dir, 'password'),
              redeemScript: toHex(redeem),
              minConfirmations: opts.minConfirmations ?? 2,
              pollIntervalMs: opts.pollIntervalMs ?? 200,
              resendAfterMs: 5_000,
              rpcRetries: 2,
              rpcTimeoutMs: 5_000,
              signer: { btcKeyFile: keyFile, maxFeeRate: 100 },
            },
        };
        const client = await SpvClient.create(config, CLIENT_OPTIONS);
        await client.start();
        validators.push({ name: `v${i}`, client, config, dataDir: dir, polyAddress: wallets[i]!.address, btcPublicKey: pubkeys[i]! });
      }
      let restUrl: string | null = null;
      if (opts.rest === true) {
        const v0 = validators[0]!.client;
        rest = await createRestServer({
          client: v0,
          config: { ...v0.config.rest, enabled: true, port: 0 },
          network: 'regtest',
          log: silentLogger(),
          token: null,
        });
        const addr = await rest.listen();
        restUrl = `http://127.0.0.1:${addr.port}`;
      }
      return new Bridge(bcoin, devnet, validators, redeem, m, rest, restUrl);
    } catch (err) {
      await rest?.close();
      for (const v of validators) await v.client.close();
      await devnet?.close();
      await bcoin.stop();
      throw err;
    }
  }

  /**
   * Mines until segwit is active: bcoin's regtest activates it by BIP9 signalling (144-block windows), unlike
   * Core's regtest where it is active from genesis. P2WSH spends are non-standard before that.
   */
  async activateSegwit(): Promise<number> {
    for (let round = 0; round < 8; round++) {
      const info = await this.bcoin.rpc<{ bip9_softforks?: Record<string, { status: string }> }>('getblockchaininfo');
      if (info.bip9_softforks?.['segwit']?.status === 'active') return this.bcoin.height();
      await this.bcoin.mine(144);
    }
    throw new Error('segwit did not activate on the bcoin regtest node');
  }

  /** Closes validator i (workers, stores) and starts a new client on the same data directory. */
  async restart(i: number): Promise<void> {
    const v = this.validators[i]!;
    await v.client.close();
    const client = await SpvClient.create(v.config, CLIENT_OPTIONS);
    await client.start();
    v.client = client;
  }

  devnetState(): DevnetState {
    return this.devnet.state();
  }

  /** Pays `value` to the multisig (as `kind`) with the deposit OP_RETURN, mines `confirmations` blocks on it. */
  async deposit(kind: MultisigKind, value: number, toChainId = 2n, fee = 1000n): Promise<{ txid: string; blockHash: string; txHex: string }> {
    const spend = await this.bcoin.makeSpendTo([
      { script: multisigOutput(kind, this.redeem), value },
      { script: depositOpReturn(toChainId, fee, new Uint8Array(20).fill(0xab)), value: 0 },
    ]);
    await this.bcoin.sendRawTransaction(spend.raw);
    const [blockHash] = await this.bcoin.mine(1);
    return { txid: spend.txid, blockHash: blockHash!, txHex: spend.hex };
  }

  /** Pays `outputs` (raw scripts, in order) from a matured coinbase and broadcasts it; not mined. */
  async pay(outputs: readonly { readonly script: Uint8Array; readonly value: number }[]): Promise<{ txid: string; txHex: string }> {
    const spend = await this.bcoin.makeSpendTo(outputs);
    await this.bcoin.sendRawTransaction(spend.raw);
    return { txid: spend.txid, txHex: spend.hex };
  }

  /** An arbitrary notify in a new alliance block (default: from the CCM, in a successful tx); its height. */
  async injectNotify(states: unknown, opts: { contract?: string; state?: 0 | 1 } = {}): Promise<number> {
    const r = await rpc<{ height: number }>(this.devnet.url, 'devnet_injectNotify', [
      { contractAddress: opts.contract ?? CCM_ADDRESS_ERA_A_HEX, states, state: opts.state ?? 1 },
    ]);
    return r.height;
  }

  /**
   * A notifyBtcProof the devnet's own relayer checks would refuse (mutated proof, proof of another block): the
   * BtcProof (E1) is built here and injected as an event, so only the validators judge it.
   */
  injectDeposit(d: { txid: string; txHex: string; proofHex: string; height: number }, opts: { contract?: string; state?: 0 | 1 } = {}): Promise<number> {
    const proof = encodeBtcProof({ tx: Buffer.from(d.txHex, 'hex'), proof: Buffer.from(d.proofHex, 'hex'), height: d.height, blocksToWait: 1n }, 'E1');
    return this.injectNotify(['notifyBtcProof', d.txid, toHex(proof)], opts);
  }

  /** A makeBtcTx event for an unsigned tx built by the test (default redeem: the bridge's). */
  injectWithdrawal(unsignedTxHex: string, opts: { contract?: string; state?: 0 | 1; redeemHex?: string } = {}): Promise<number> {
    return this.injectNotify(['makeBtcTx', unsignedTxHex, opts.redeemHex ?? toHex(this.redeem)], opts);
  }

  /** Resolves once every validator's observer has read past alliance height `height`. */
  async observedPast(height: number, timeoutMs = 30_000): Promise<void> {
    for (const v of this.validators) {
      await waitFor(`${v.name} observed alliance height ${height}`, async () => ((await v.client.allianceStatus()).nextHeight > height ? true : undefined), timeoutMs);
    }
  }

  /** The relayer: gettxoutproof from bcoin, submitted to the devnet (which emits notifyBtcProof). */
  async relayDeposit(d: { txid: string; blockHash: string; txHex: string }): Promise<void> {
    const proof = await this.bcoin.rpc<string>('gettxoutproof', [[d.txid], d.blockHash]);
    const height = (await this.bcoin.rpc<{ height: number }>('getblockheader', [d.blockHash, true])).height;
    await rpc(this.devnet.url, 'devnet_submitDeposit', [d.txHex, proof, height]);
  }

  /** The admin's withdrawal request (the devnet builds the unsigned tx and emits makeBtcTx). */
  async requestWithdrawal(value: number): Promise<string> {
    const pubkey = secp256k1.getPublicKey(privateKey(mulberry32(99)), true);
    const address = payments.p2wpkh({ pubkey: Buffer.from(pubkey), network: REGTEST }).address!;
    const r = await rpc<{ id: string }>(this.devnet.url, 'devnet_requestWithdrawal', [[{ address, value }]]);
    return r.id;
  }

  async waitForTip(height: number, timeoutMs = 30_000): Promise<void> {
    for (const v of this.validators) {
      await waitFor(`${v.name} at height ${height}`, async () => ((await v.client.chainTip()).height >= height ? true : undefined), timeoutMs);
    }
  }

  depositStates(txid: string): Promise<(DepositRecord | null)[]> {
    return Promise.all(this.validators.map((v) => v.client.deposit(txid)));
  }

  withdrawalStates(id: string): Promise<(WithdrawalRecord | null)[]> {
    return Promise.all(this.validators.map((v) => v.client.withdrawal(id)));
  }

  async stop(): Promise<void> {
    await this.rest?.close();
    for (const v of this.validators) await v.client.close().catch(() => undefined);
    await this.devnet.close().catch(() => undefined);
    await this.bcoin.stop().catch(() => undefined);
  }
}
