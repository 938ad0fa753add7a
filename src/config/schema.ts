import { z } from 'zod';
import { MAX_MONEY, NETWORK_NAMES } from '../chain/params.js';

/**
 * `s` (a decimal string) is at most `max`. Not digits: true, because the regex check before it already reports that
 * (zod runs every check of a field, so this one must not throw on what the regex refused).
 */
const decimalAtMost = (max: bigint) => (s: string): boolean => !/^\d+$/.test(s) || BigInt(s) <= max;

const hex = (what: string) => z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, `${what} must be hex`);

/** A trusted anchor given in conf.json: a header at a retarget height and its cumulative chainwork. */
const AnchorSchema = z.strictObject({
  height: z.number().int().min(0).refine((h) => h % 2016 === 0, 'height must be a multiple of 2016'),
  header: hex('header').length(160, 'header must be 80 bytes (160 hex digits)'),
  chainwork: hex('chainwork').max(64, 'chainwork must be at most 32 bytes'),
});

const ChainSchema = z.strictObject({
  /**
   * Where an empty store starts: "builtin" (the network's built-in anchor; genesis where it has none),
   * "genesis", or an explicit anchor object.
   */
  start: z.union([z.enum(['builtin', 'genesis']), AnchorSchema]).default('builtin'),
});

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1-65535');

const PeersSchema = z.strictObject({
  /** Use only these peers (like bitcoind -connect); no DNS seeds, no address manager dialling. */
  connect: z.array(hostPort).default([]),
  /** Peers always dialled in addition to discovered ones (the original's TrustedPeer, now a list with ports). */
  trusted: z.array(hostPort).default([]),
  /** Outbound connections to keep (1 per trusted peer when only trusted/connect peers are set). */
  maxOutbound: z.number().int().min(1).max(64).default(8),
  /** Resolve the network's DNS seeds (in parallel, with a timeout) when the address manager needs addresses. */
  dnsSeeds: z.boolean().default(true),
  /** SOCKS5 proxy for every connection, e.g. "socks5://127.0.0.1:9050" (Tor); names resolve through it. */
  proxy: z
    .string()
    .regex(/^socks5h?:\/\/[^\s/]+:\d{1,5}$/, 'must be socks5://host:port')
    .refine((s) => {
      const port = Number(s.slice(s.lastIndexOf(':') + 1));
      return port >= 1 && port <= 65535;
    }, 'port must be 1-65535')
    .nullable()
    .default(null),
  userAgent: z.string().min(1).max(256).default('/spvclient:0.1.0/'),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  handshakeTimeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  pingIntervalMs: z.number().int().min(1_000).max(3_600_000).default(120_000),
  /** Misbehaviour score at which a peer is disconnected and its address banned. */
  banScore: z.number().int().min(1).max(10_000).default(100),
  banDurationMs: z.number().int().min(0).max(365 * 86_400_000).default(86_400_000),
});

const SyncSchema = z.strictObject({
  /** No `headers` answer to our getheaders within this time: drop the sync peer and rotate (Core uses 2 min). */
  headersTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /**
   * Progress floor: a sync peer that claims more but delivers fewer headers per second than this over
   * `progressWindowMs` is dropped and sync rotates (bitcoinj: ~10 headers/s for 10 s). 0 disables it.
   */
  minHeadersPerSecond: z.number().min(0).max(1_000_000).default(10),
  progressWindowMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
  /** Ready peers needed before header sync starts (the original: 5, or 1 with a trusted peer). */
  minPeersForSync: z.number().int().min(1).max(64).default(1),
  /** How long broadcastTx waits for peers to ask for the transaction after announcing it. */
  broadcastWaitMs: z.number().int().min(100).max(60_000).default(3_000),
});

const RestSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Loopback by default: the original listened on every interface with no authentication. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(50071),
  /** File holding the bearer token required by rollback and broadcasttx (null: no token). */
  tokenFile: z.string().min(1).nullable().default(null),
  bodyLimitBytes: z.number().int().min(1_024).max(16 * 1024 * 1024).default(1_048_576),
  /**
   * Whole-request deadline (headers and body): a client that trickles its request (slowloris) is answered 408 and
   * disconnected after this long. Handler time does not count. Node's default would be 5 minutes, fastify's none.
   */
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});

const SignerSchema = z.strictObject({
  /** File with the validator's BTC key: a WIF or 64 hex digits; must not be group/world readable. null = do not sign. */
  btcKeyFile: z.string().min(1).nullable().default(null),
  /** Most outputs a withdrawal may have (change included). */
  maxOutputs: z.number().int().min(1).max(1000).default(20),
  /** Highest fee rate (sat/vbyte, estimated on the fully signed size) we co-sign. */
  maxFeeRate: z.number().min(1).max(100_000).default(500),
  /** Largest single non-change output in satoshis, as a decimal string; null = no limit. */
  maxOutputValue: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a decimal number of satoshis')
    // The signer policy refuses more than MAX_MONEY at alliance start; refuse it here, with the key named.
    .refine(decimalAtMost(MAX_MONEY), 'must be at most 21,000,000 BTC (2100000000000000 satoshis)')
    .nullable()
    .default(null),
  /** Smallest output in satoshis (Core's dust limit for P2PKH at the default relay fee is 546). */
  dustLimit: z.number().int().min(0).max(1_000_000).default(546),
});

const AllianceSchema = z.strictObject({
  /** Run the alliance worker: observe the alliance chain, vote on BTC deposits, co-sign withdrawals. */
  enabled: z.boolean().default(false),
  /** JSON-RPC endpoint of the alliance (Poly) node. */
  rpcUrl: z
    .string()
    .url()
    // PolyRpcClient speaks JSON-RPC over HTTP(S) only; anything else would fail when the alliance worker starts.
    .refine((s) => /^https?:\/\//i.test(s), 'must be an http:// or https:// URL')
    .default('http://127.0.0.1:40336'),
  rpcTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  rpcRetries: z.number().int().min(0).max(20).default(3),
  /** Transaction layout era (poly-protocol.md §1): 'A' late-2019 (Vote exists), 'C' 2020+. */
  era: z.enum(['A', 'C']).default('A'),
  /** Alliance chain id put in each transaction, decimal u64 string. */
  chainId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a decimal u64')
    // 20 digits go past 2^64 - 1; every vote would then fail to encode (POLY_PARAM_MALFORMED), long after start.
    .refine(decimalAtMost(0xffff_ffff_ffff_ffffn), 'must be at most 18446744073709551615 (u64)')
    .default('0'),
  /** The cross-chain-manager contract as the node prints it (byte-reversed hex). Only its events are read. */
  ccmAddress: z.string().regex(/^[0-9a-fA-F]{40}$/, 'must be 40 hex digits').default('0200000000000000000000000000000000000000'),
  /** Ontology/Poly wallet.dat with the validator's account (default account). */
  walletFile: z.string().min(1).default('wallet.dat'),
  /** File holding the wallet password; null = ask on the terminal at start. */
  walletPasswordFile: z.string().min(1).nullable().default(null),
  /** Digest of secp256k1 account signatures: era-A nodes used Keccak-256. */
  secp256k1Digest: z.enum(['keccak256', 'sha3-256']).default('keccak256'),
  /** The bridge's multisig redeem script (hex): deposits must pay it, withdrawals must spend it. */
  redeemScript: hex('redeemScript').nullable().default(null),
  /** Confirmation floor; the requirement is max(this, the deposit's BlocksToWait). */
  minConfirmations: z.number().int().min(1).max(10_000).default(6),
  /** OP_RETURN Args layout (poly-protocol.md §7): A3 era-A spvclient, A4 with ToContractAddress, BE oldest. */
  argsLayout: z.enum(['A3', 'A4', 'BE']).default('A3'),
  /** Accept bytes after the Args, as the original did. */
  allowTrailingArgs: z.boolean().default(false),
  /** BtcProof serialization in notifyBtcProof: E1 (u32/u64 LE tail) or E0 (NeoBigInt tail). */
  proofEncoding: z.enum(['E1', 'E0']).default('E1'),
  /** Notify names (the original's WatchingKey / WatchingMakeTxKey). */
  proofKey: z.string().min(1).default('notifyBtcProof'),
  makeTxKey: z.string().min(1).default('makeBtcTx'),
  relayKey: z.string().min(1).default('btcTxToRelay'),
  /** First alliance block to scan when the alliance store is new. */
  startHeight: z.number().int().min(0).default(0),
  pollIntervalMs: z.number().int().min(50).max(600_000).default(3_000),
  /** Alliance blocks read per poll at most (the rest next time). */
  maxBlocksPerPoll: z.number().int().min(1).max(100_000).default(500),
  /** A sent vote/MultiSign not executed after this long is sent again (same bytes, same hash). */
  resendAfterMs: z.number().int().min(1_000).max(86_400_000).default(60_000),
  /** Voted deposits are watched for reorgs until they have this many confirmations. */
  reorgWatchDepth: z.number().int().min(1).max(100_000).default(100),
  signer: SignerSchema.prefault({}),
});

/** conf.json. Unknown keys are rejected everywhere; every key has a default. */
export const ConfigSchema = z.strictObject({
  network: z.enum(NETWORK_NAMES).default('mainnet'),
  /** Base data directory; each network gets its own sub-folder. */
  dataDir: z.string().min(1).default('./data'),
  /** 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 fatal, 6 silent (--loglevel overrides). */
  logLevel: z.number().int().min(0).max(6).default(2),
  chain: ChainSchema.prefault({}),
  peers: PeersSchema.prefault({}),
  sync: SyncSchema.prefault({}),
  rest: RestSchema.prefault({}),
  alliance: AllianceSchema.prefault({}),
});

export type AllianceConfig = z.output<typeof AllianceSchema>;

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
