import { fromHex, hexToHash } from '../util/bytes.js';
import { decodeCompact } from './compact.js';
import { serializeHeader } from './header.js';
import { MAINNET_ELECTRUM_CHECKPOINTS } from './checkpoints.js';

export const NETWORK_NAMES = ['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest', 'benchnet'] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

/** Core consensus MAX_MONEY (src/consensus/amount.h): 21,000,000 BTC in satoshis; no amount can be larger. */
export const MAX_MONEY = 21_000_000n * 100_000_000n;

/** Retarget interval and spacing (Core: consensus/params.h, DifficultyAdjustmentInterval). */
export const RETARGET_INTERVAL = 2016;
export const TARGET_TIMESPAN = 14 * 24 * 60 * 60; // 1,209,600 s
export const TARGET_SPACING = 10 * 60;
/** Core: MAX_FUTURE_BLOCK_TIME (src/chain.h). */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Core: MAX_TIMEWARP (src/consensus/consensus.h), BIP94. */
export const MAX_TIMEWARP = 600;
/** Core: CBlockIndex::nMedianTimeSpan. */
export const MEDIAN_TIME_SPAN = 11;

/** A trusted start point: a header at a retarget height and the cumulative work up to and including it. */
export interface Anchor {
  readonly height: number;
  readonly header: Uint8Array;
  readonly chainwork: bigint;
}

export interface ChainParams {
  readonly name: NetworkName;
  /** Message start bytes, in wire order. */
  readonly magic: Uint8Array;
  readonly defaultPort: number;
  readonly dnsSeeds: readonly string[];
  readonly genesisHeader: Uint8Array;
  readonly genesisHashHex: string;
  readonly powLimit: bigint;
  readonly powLimitBits: number;
  /** testnet3/testnet4/regtest: the 20-minute min-difficulty rule (Core: fPowAllowMinDifficultyBlocks). */
  readonly powAllowMinDifficultyBlocks: boolean;
  /** regtest: no retarget (Core: fPowNoRetargeting). */
  readonly powNoRetargeting: boolean;
  /** testnet4: BIP94 (retarget from the period's first block, 600 s timewarp limit). */
  readonly enforceBip94: boolean;
  /** Version floors: >= 2 from BIP34, >= 3 from BIP66, >= 4 from BIP65 (Core: ContextualCheckBlockHeader). */
  readonly bip34Height: number;
  readonly bip66Height: number;
  readonly bip65Height: number;
  /** Known best-chain block hashes (display hex) by height; a header at such a height must match. */
  readonly checkpoints: ReadonlyMap<number, string>;
  /** The default start point when the store is empty (null: start from genesis). */
  readonly anchor: Anchor | null;
}

function genesis(fields: { time: number; bits: number; nonce: number; merkleRootHex: string }): Uint8Array {
  return serializeHeader({
    version: 1,
    prevHash: new Uint8Array(32),
    merkleRoot: hexToHash(fields.merkleRootHex),
    time: fields.time,
    bits: fields.bits,
    nonce: fields.nonce,
  });
}

const SATOSHI_MERKLE = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';

/** Core's historic mainnet checkpoints (chainparams.cpp before bitcoin#31649 removed them). */
const CORE_MAINNET_CHECKPOINTS: ReadonlyArray<readonly [number, string]> = [
  [11111, '0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d'],
  [33333, '000000002dd5588a74784eaa7ab0507a18ad16a236e7b1ce69f00d7ddfb5d0a6'],
  [74000, '0000000000573993a3c9e41ce34471c079dcf5f52a0e824a81e7f953b8661a20'],
  [105000, '00000000000291ce28027faea320c8d2b054b2e0fe44a773f3eefb151d6bdc97'],
  [134444, '00000000000005b12ffd4cd315cd34ffd4a594f430ac814c91184a0d42d2b0fe'],
  [168000, '000000000000099e61ea72015e79632f216fe6cb33d7899acb35b75c8303b763'],
  [193000, '000000000000059f452a5f7340de6682a977387c17010ff6e6c3bd83ca8b1317'],
  [210000, '000000000000048b95347e83192f69cf0366076336c639f9b7228e9ba171342e'],
  [216116, '00000000000001b4f4b433e81ee46494af945cf96014816a4e2370f11b23df4e'],
  [225430, '00000000000001c108384350f74090433e7fcf79a606b8e797f065b130575932'],
  [250000, '000000000000003887df1f29024b06fc2200b55f8af8f35453d7be294df2d214'],
  [279000, '0000000000000001ae8c72a0b0c301f67e3afca10e819efa9041e458e9bd7e40'],
  [295000, '00000000000000004d9b4ef50f0f9d686fd69db2e03af35a100370c64632a983'],
];

/** Core's testnet3 checkpoint (chainparams.cpp before bitcoin#31649). */
const CORE_TESTNET3_CHECKPOINTS: ReadonlyArray<readonly [number, string]> = [
  [546, '000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70'],
];

const MAINNET_POW_LIMIT_BITS = 0x1d00ffff;

function pow(bits: number): { powLimitBits: number; powLimit: bigint } {
  return { powLimitBits: bits, powLimit: decodeCompact(bits).target };
}

/**
 * Built-in anchors: the newest header of bitcoinj's shipped checkpoint file at a retarget height,
 * with its cumulative chainwork (org.bitcoin.production.checkpoints.txt / org.bitcoin.test.checkpoints.txt).
 */
const MAINNET_ANCHOR: Anchor = {
  height: 878976,
  header: fromHex(
    '0080cb2a84fa5fcdb3c448a0dc7f38c6a7e55f1261fcec2f0b6d00000000000000000000a2282f81592e007e389fa35ed4a9f5559c2ebf12fa76b54f0316668dcba6d961af1f8467618c02178c74d981',
  ),
  chainwork: 0xa6e78db05939f5b7a956f47bn,
};

const TESTNET3_ANCHOR: Anchor = {
  height: 3612672,
  header: fromHex(
    '00404b2878f7adc4720f60656d31fd5111fa1b526026bf1084d496c90300000000000000552135cb71df767cb6425e703e8223dce06e4f8b60fece9aef7ad54e5e2361fa37ba7d679a0a011953099de5',
  ),
  chainwork: 0x14ce853925a9e33901fan,
};

export const MAINNET: ChainParams = {
  name: 'mainnet',
  magic: fromHex('f9beb4d9'),
  defaultPort: 8333,
  dnsSeeds: [
    'seed.bitcoin.sipa.be',
    'dnsseed.bluematt.me',
    'dnsseed.bitcoin.dashjr-list-of-p2p-nodes.us',
    'seed.bitcoinstats.com',
    'seed.bitcoin.jonasschnelli.ch',
    'seed.btc.petertodd.net',
    'seed.bitcoin.sprovoost.nl',
    'dnsseed.emzy.de',
    'seed.bitcoin.wiz.biz',
    'seed.mainnet.achownodes.xyz',
  ],
  genesisHeader: genesis({ time: 1231006505, bits: 0x1d00ffff, nonce: 2083236893, merkleRootHex: SATOSHI_MERKLE }),
  genesisHashHex: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  ...pow(MAINNET_POW_LIMIT_BITS),
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBip94: false,
  bip34Height: 227931,
  bip66Height: 363725,
  bip65Height: 388381,
  checkpoints: new Map([...CORE_MAINNET_CHECKPOINTS, ...MAINNET_ELECTRUM_CHECKPOINTS]),
  anchor: MAINNET_ANCHOR,
};

export const TESTNET3: ChainParams = {
  name: 'testnet3',
  magic: fromHex('0b110907'),
  defaultPort: 18333,
  dnsSeeds: [
    'testnet-seed.bitcoin.jonasschnelli.ch',
    'seed.tbtc.petertodd.net',
    'seed.testnet.bitcoin.sprovoost.nl',
    'testnet-seed.bluematt.me',
    'seed.testnet.achownodes.xyz',
  ],
  genesisHeader: genesis({ time: 1296688602, bits: 0x1d00ffff, nonce: 414098458, merkleRootHex: SATOSHI_MERKLE }),
  genesisHashHex: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  ...pow(MAINNET_POW_LIMIT_BITS),
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBip94: false,
  bip34Height: 21111,
  bip66Height: 330776,
  bip65Height: 581885,
  checkpoints: new Map(CORE_TESTNET3_CHECKPOINTS),
  anchor: TESTNET3_ANCHOR,
};

export const TESTNET4: ChainParams = {
  name: 'testnet4',
  magic: fromHex('1c163f28'),
  defaultPort: 48333,
  dnsSeeds: ['seed.testnet4.bitcoin.sprovoost.nl', 'seed.testnet4.wiz.biz'],
  genesisHeader: genesis({
    time: 1714777860,
    bits: 0x1d00ffff,
    nonce: 393743547,
    merkleRootHex: '7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e',
  }),
  genesisHashHex: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  ...pow(MAINNET_POW_LIMIT_BITS),
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBip94: true,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  checkpoints: new Map(),
  anchor: null,
};

export const SIGNET: ChainParams = {
  name: 'signet',
  magic: fromHex('0a03cf40'),
  defaultPort: 38333,
  dnsSeeds: ['seed.signet.bitcoin.sprovoost.nl', 'seed.signet.achownodes.xyz'],
  genesisHeader: genesis({ time: 1598918400, bits: 0x1e0377ae, nonce: 52613770, merkleRootHex: SATOSHI_MERKLE }),
  genesisHashHex: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  ...pow(0x1e0377ae),
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBip94: false,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  checkpoints: new Map(),
  anchor: null,
};

export const REGTEST: ChainParams = {
  name: 'regtest',
  magic: fromHex('fabfb5da'),
  defaultPort: 18444,
  dnsSeeds: [],
  genesisHeader: genesis({ time: 1296688602, bits: 0x207fffff, nonce: 2, merkleRootHex: SATOSHI_MERKLE }),
  genesisHashHex: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  ...pow(0x207fffff),
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: true,
  enforceBip94: false,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  checkpoints: new Map(),
  anchor: null,
};

/**
 * benchnet: a local-only network for benchmarks (scripts/gen-chain.ts writes its chains). Mining is as cheap
 * as regtest's (powLimit 0x207fffff: about one try in two at the limit), but every rule mainnet applies to
 * headers is on: retargeting every 2016 blocks (no fPowNoRetargeting, no min-difficulty exception), MTP and
 * the future-time limit, version floors from height 1. It has no DNS seeds and a magic of its own, so it
 * can never talk to a real network.
 *
 * Genesis, mined deterministically: version 1, null prev hash, merkle root = sha256d of the ASCII text
 * "spvclient benchnet genesis", time 1,000,000,000 (2001-09-09: a million headers at ~600 s end in 2020,
 * before any "now" this code runs at), bits 0x207fffff, nonce = the smallest from 0 whose hash meets the
 * target (1). test/unit/chain/benchnet.test.ts re-derives all of it.
 */
export const BENCHNET_GENESIS_TEXT = 'spvclient benchnet genesis';

export const BENCHNET: ChainParams = {
  name: 'benchnet',
  magic: fromHex('b7e6c4a9'),
  defaultPort: 19444,
  dnsSeeds: [],
  genesisHeader: genesis({
    time: 1_000_000_000,
    bits: 0x207fffff,
    nonce: 1,
    merkleRootHex: '5cac86d9144f93d0504b2e575dc49f266b5d63825db1f12c96be4ec1b90cd845',
  }),
  genesisHashHex: '03a555d43a1985bf148088e81e84998ae910efb76c837de831eb22294ca8d7b2',
  ...pow(0x207fffff),
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBip94: false,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  checkpoints: new Map(),
  anchor: null,
};

const ALL: Readonly<Record<NetworkName, ChainParams>> = {
  mainnet: MAINNET,
  testnet3: TESTNET3,
  testnet4: TESTNET4,
  signet: SIGNET,
  regtest: REGTEST,
  benchnet: BENCHNET,
};

export function paramsFor(name: NetworkName): ChainParams {
  return ALL[name];
}

export function isNetworkName(value: unknown): value is NetworkName {
  return typeof value === 'string' && (NETWORK_NAMES as readonly string[]).includes(value);
}
