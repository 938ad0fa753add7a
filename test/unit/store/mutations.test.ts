import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateNextBits } from '../../../src/chain/difficulty.js';
import { HEADER_SIZE, headerBits, headerHash, headerHashHex, headerTime } from '../../../src/chain/header.js';
import type { ChainParams } from '../../../src/chain/params.js';
import { MAINNET, REGTEST, TESTNET3 } from '../../../src/chain/params.js';
import { TargetCache, hashMeetsTarget } from '../../../src/chain/pow.js';
import { workFromBits } from '../../../src/chain/work.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import type { ConnectResult } from '../../../src/protocol/chainTypes.js';
import type { StartPoint } from '../../../src/store/headerStore.js';
import type { HeaderStore } from '../../../src/store/headerStore.js';
import { concatBytes, hashToHex } from '../../../src/util/bytes.js';
import type { BuiltHeader } from '../../helpers/chainBuilder.js';
import { ChainBuilder, concatHeaders } from '../../helpers/chainBuilder.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';
import { openTempStore as openStore } from '../../helpers/tempStore.js';
import type { OpenStore } from '../../helpers/tempStore.js';

// ------------------------------------------------------------------ helpers



/** Runs `fn` on a fresh store; audits it afterwards; always closes and removes it. */
async function withStore(
  params: ChainParams,
  fn: (store: HeaderStore) => Promise<void>,
  opts: { start?: StartPoint; now?: () => number } = {},
): Promise<void> {
  const s = await openStore(params, opts.start, opts.now);
  try {
    await fn(s.store);
    const report = await s.store.audit();
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  } finally {
    await s.close();
  }
}

type Raw = Uint8Array | BuiltHeader;

function rawOf(h: Raw): Uint8Array {
  return h instanceof Uint8Array ? h : h.raw;
}

function concatRaw(hs: readonly Raw[]): Uint8Array {
  return concatBytes(...hs.map(rawOf));
}

async function extend(store: HeaderStore, hs: readonly Raw[]): Promise<ConnectResult> {
  const r = await store.connectHeaders(concatRaw(hs));
  assert.equal(r.rejected, null, `unexpected rejection ${r.rejected?.code} at ${r.rejected?.height}`);
  assert.equal(r.outcome, 'extended');
  assert.equal(r.tip.hashHex, headerHashHex(rawOf(hs[hs.length - 1]!)));
  return r;
}

async function accepts(store: HeaderStore, h: Raw): Promise<ConnectResult> {
  const r = await store.connectHeaders(rawOf(h));
  assert.equal(r.rejected, null, `unexpected rejection ${r.rejected?.code} at ${r.rejected?.height}`);
  assert.equal(r.stored, 1);
  return r;
}

/**
 * Sends prefix + bad + suffix and checks: the bad header is rejected with `code` at its index and height;
 * the prefix was kept (new prefix headers stored, the tip at the last of them, or unchanged when the prefix
 * was empty or already known); neither the bad header nor the suffix was stored. Then sends the bad header
 * alone: same code, nothing stored, tip unchanged.
 */
async function expectRejected(
  store: HeaderStore,
  code: ErrorCode,
  parts: { prefix?: readonly Raw[]; bad: Raw; suffix?: readonly Raw[]; height?: number; prefixNew?: number },
): Promise<ConnectResult> {
  const prefix = parts.prefix ?? [];
  const suffix = parts.suffix ?? [];
  const prefixNew = parts.prefixNew ?? prefix.length;
  const bad = rawOf(parts.bad);
  const tip0 = store.tip();
  const count0 = store.stats().headerCount;

  const r = await store.connectHeaders(concatRaw([...prefix, bad, ...suffix]));
  assert.equal(r.outcome, 'invalid');
  assert.ok(r.rejected !== null, 'expected a rejection');
  assert.equal(r.rejected.code, code);
  assert.equal(r.rejected.index, prefix.length);
  assert.equal(r.rejected.hashHex, headerHashHex(bad));
  assert.equal(r.rejected.height, parts.height ?? tip0.height + prefix.length + 1);
  assert.equal(r.stored, prefixNew);
  assert.equal(r.duplicates, prefix.length - prefixNew);
  assert.equal(store.stats().headerCount, count0 + prefixNew);
  if (prefixNew > 0) {
    const lastPrefix = headerHashHex(rawOf(prefix[prefix.length - 1]!));
    assert.equal(store.tip().hashHex, lastPrefix);
    assert.equal(store.tip().height, tip0.height + prefixNew);
    assert.equal(r.lastHeight, tip0.height + prefixNew);
  } else {
    assert.deepEqual(store.tip(), tip0);
  }
  assert.deepEqual(r.tip, store.tip());
  assert.equal(await store.headerByHash(headerHashHex(bad)), null);
  for (const s of suffix) assert.equal(await store.headerByHash(headerHashHex(rawOf(s))), null);

  const tip1 = store.tip();
  const count1 = store.stats().headerCount;
  const alone = await store.connectHeaders(bad);
  if (code === 'HEADER_BAD_PREV') {
    // Alone, the header no longer follows anything in its batch: it does not connect at all.
    assert.equal(alone.outcome, 'unconnected');
  } else {
    assert.equal(alone.outcome, 'invalid');
    assert.equal(alone.rejected?.code, code);
    assert.equal(alone.rejected.index, 0);
  }
  assert.equal(alone.stored, 0);
  assert.deepEqual(store.tip(), tip1);
  assert.equal(store.stats().headerCount, count1);
  return r;
}

function mutate(raw: Uint8Array, f: (dv: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = new Uint8Array(raw);
  f(new DataView(copy.buffer), copy);
  return copy;
}

const setNonce = (raw: Uint8Array, v: number): Uint8Array => mutate(raw, (dv) => dv.setUint32(76, v >>> 0, true));
const setBits = (raw: Uint8Array, v: number): Uint8Array => mutate(raw, (dv) => dv.setUint32(72, v >>> 0, true));
const setTime = (raw: Uint8Array, v: number): Uint8Array => mutate(raw, (dv) => dv.setUint32(68, v >>> 0, true));
const setVersion = (raw: Uint8Array, v: number): Uint8Array => mutate(raw, (dv) => dv.setInt32(0, v | 0, true));

/** Median of the last 11 times (Core GetMedianTimePast), computed here independently of src. */
function mtpOf(times: readonly number[]): number {
  const w = [...times.slice(-11)].sort((a, b) => a - b);
  return w[Math.floor(w.length / 2)]!;
}

class HeaderFile {
  constructor(
    readonly raw: Uint8Array,
    readonly firstHeight: number,
  ) {}

  at(height: number): Uint8Array {
    const i = height - this.firstHeight;
    assert.ok(i >= 0 && (i + 1) * HEADER_SIZE <= this.raw.length, `height ${height} outside the file`);
    return this.raw.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
  }

  list(from: number, to: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let h = from; h <= to; h++) out.push(this.at(h));
    return out;
  }

  range(from: number, to: number): Uint8Array {
    return concatBytes(...this.list(from, to));
  }
}

// ------------------------------------------------------------------ synthetic profiles

/**
 * Mainnet's rules with regtest's easy powLimit (0x207fffff) so ChainBuilder can mine: retargeting on,
 * no min-difficulty blocks, no BIP94, version floors at small heights, no checkpoints.
 */
const EASY: ChainParams = {
  ...MAINNET,
  genesisHeader: REGTEST.genesisHeader,
  genesisHashHex: REGTEST.genesisHashHex,
  powLimit: REGTEST.powLimit,
  powLimitBits: REGTEST.powLimitBits,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBip94: false,
  bip34Height: 20,
  bip66Height: 40,
  bip65Height: 60,
  checkpoints: new Map(),
  anchor: null,
};

/** EASY plus the testnet 20-minute rule (testnet3-like). */
const MINDIFF: ChainParams = { ...EASY, powAllowMinDifficultyBlocks: true };
/** EASY plus BIP94 only (timewarp rule, first-block retarget base). */
const BIP94: ChainParams = { ...EASY, enforceBip94: true };
/** Testnet4-like: the 20-minute rule and BIP94. */
const TESTNET4_LIKE: ChainParams = { ...EASY, powAllowMinDifficultyBlocks: true, enforceBip94: true };

const POW_LIMIT_BITS = REGTEST.powLimitBits; // 0x207fffff

/** A header mined with `bits` that fails its own PoW (a nonce whose hash is above the target). */
function failingPow(h: BuiltHeader, powLimit: bigint): Uint8Array {
  const t = new TargetCache(powLimit).get(h.bits);
  assert.ok(!isSpvError(t));
  for (let nonce = 1; ; nonce++) {
    const raw = setNonce(h.raw, nonce);
    if (!hashMeetsTarget(headerHash(raw), t.targetBE)) return raw;
  }
}

// ------------------------------------------------------------------ real data: mainnet 0-9999

describe('real mainnet 0-9999 from genesis: single-field mutations', { skip: skipUnlessFixture(FX.mainnet0) }, () => {
  let file: HeaderFile;
  let s: OpenStore;
  /** The next height not yet sent: each case uses a fresh window above the tip. */
  let next = 1;

  before(async () => {
    file = new HeaderFile(readFixture(FX.mainnet0), 0);
    s = await openStore(MAINNET);
    await extend(s.store, file.list(1, 999));
    next = 1000;
  });

  after(async () => {
    const report = await s?.store.audit();
    assert.equal(report?.ok, true);
    await s?.close();
  });

  /** prefix = 3 real headers, bad = mutation of the 4th, suffix = the 2 real headers after it. */
  async function caseAt(code: ErrorCode, make: (raw: Uint8Array, height: number) => Uint8Array): Promise<void> {
    assert.equal(s.store.tip().height, next - 1);
    const h = next + 3;
    await expectRejected(s.store, code, {
      prefix: file.list(next, h - 1),
      bad: make(file.at(h), h),
      suffix: file.list(h + 1, h + 2),
    });
    // The real header at that height is still accepted: the store is not poisoned.
    await accepts(s.store, file.at(h));
    next = h + 1;
  }

  it('nonce + 1 -> HEADER_BAD_POW', () => caseAt('HEADER_BAD_POW', (raw) => setNonce(raw, new DataView(raw.buffer, raw.byteOffset).getUint32(76, true) + 1)));
  it('one merkle-root bit -> HEADER_BAD_POW', () => caseAt('HEADER_BAD_POW', (raw) => mutate(raw, (_dv, b) => (b[40] = b[40]! ^ 0x01))));
  it('version 1 -> 2 -> HEADER_BAD_POW (the hash changes)', () => caseAt('HEADER_BAD_POW', (raw) => setVersion(raw, 2)));
  it('time + 1 -> HEADER_BAD_POW', () => caseAt('HEADER_BAD_POW', (raw) => setTime(raw, headerTime(raw) + 1)));
  it('bits to a harder valid target (0x1d00fffe) -> HEADER_BAD_POW before any context rule', () =>
    caseAt('HEADER_BAD_POW', (raw) => setBits(raw, 0x1d00fffe)));
  it('bits negative (powLimit with the sign bit) -> HEADER_BAD_TARGET', () =>
    caseAt('HEADER_BAD_TARGET', (raw) => setBits(raw, 0x1d80ffff)));
  it('bits above powLimit (powLimit x 2) -> HEADER_BAD_TARGET', () =>
    caseAt('HEADER_BAD_TARGET', (raw) => setBits(raw, 0x1d01fffe)));
  it('bits overflowing (0xff7fffff) -> HEADER_BAD_TARGET', () =>
    caseAt('HEADER_BAD_TARGET', (raw) => setBits(raw, 0xff7fffff)));
  it('bits zero -> HEADER_BAD_TARGET', () => caseAt('HEADER_BAD_TARGET', (raw) => setBits(raw, 0)));
  it('prev hash changed inside a batch -> HEADER_BAD_PREV', () =>
    caseAt('HEADER_BAD_PREV', (raw) => mutate(raw, (_dv, b) => (b[4] = b[4]! ^ 0x01))));
  it('a header skipped inside a batch -> HEADER_BAD_PREV', () =>
    caseAt('HEADER_BAD_PREV', (_raw, h) => file.at(h + 1)));

  it('a retarget-height header (4032) with each field mutated -> HEADER_BAD_POW; the real one is accepted', async () => {
    const tipBefore = s.store.tip().height;
    await extend(s.store, file.list(tipBefore + 1, 4031));
    for (const bad of [
      setVersion(file.at(4032), 4),
      setTime(file.at(4032), headerTime(file.at(4031))),
      setBits(file.at(4032), 0x1d00d86a),
    ]) {
      await expectRejected(s.store, 'HEADER_BAD_POW', { bad });
    }
    await accepts(s.store, file.at(4032));
    next = 4033;
  });

  it('a batch whose first header has an unknown parent -> outcome unconnected, HEADER_UNCONNECTED', async () => {
    const tip = s.store.tip();
    const r = await s.store.connectHeaders(file.range(9000, 9010));
    assert.equal(r.outcome, 'unconnected');
    assert.equal(r.missingHashHex, headerHashHex(file.at(8999)));
    assert.equal(r.rejected?.code, 'HEADER_UNCONNECTED');
    assert.equal(r.rejected.index, 0);
    assert.equal(r.rejected.height, null);
    assert.equal(r.stored, 0);
    assert.deepEqual(s.store.tip(), tip);
    assert.equal(await s.store.headerByHash(headerHashHex(file.at(9000))), null);
  });

  it('after every rejection the rest of the real chain still connects to 9999', async () => {
    await extend(s.store, file.list(s.store.tip().height + 1, 9999));
    assert.equal(s.store.tip().hashHex, '00000000fbc97cc6c599ce9c24dd4a2243e2bfd518eda56e1d5e47d29e29c3a7');
  });
});

// ------------------------------------------------------------------ real data: 822528-830592

describe(
  'real mainnet 822528-830592 from its anchor: post-BIP65 headers, real difficulty',
  { skip: skipUnlessFixture(FX.mainnet822528, FX.boundaries) },
  () => {
    it('version below the BIP65 floor, bits of the previous period, time at MTP: all HEADER_BAD_POW (PoW first)', async () => {
      const file = new HeaderFile(readFixture(FX.mainnet822528), 822528);
      const rows = readFixtureJson<BoundaryRow[]>(FX.boundaries);
      const anchorRow = rows.find((r) => r.height === 822528);
      assert.ok(anchorRow !== undefined);
      const anchor = { height: 822528, header: file.at(822528), chainwork: BigInt('0x' + anchorRow.chainwork) };
      await withStore(
        MAINNET,
        async (store) => {
          await extend(store, file.list(822529, 824540));
          const times = file.list(822528, 824543).map((raw) => headerTime(raw));
          const mtp = mtpOf(times);
          const real = file.at(824544);
          assert.equal(headerBits(real), 0x1703d869);
          const prevBits = headerBits(file.at(824543));
          assert.notEqual(prevBits, headerBits(real));
          const prefix = file.list(824541, 824543);
          const cases = [
            setVersion(real, 3),
            setVersion(real, 1),
            setVersion(real, -0x80000000),
            setBits(real, prevBits),
            setBits(real, 0x1d00ffff),
            setTime(real, mtp),
            setTime(real, headerTime(real) + 7 * 86400),
          ];
          await expectRejected(store, 'HEADER_BAD_POW', { prefix, bad: cases[0]!, suffix: file.list(824545, 824546) });
          for (const bad of cases.slice(1)) await expectRejected(store, 'HEADER_BAD_POW', { bad });
          await expectRejected(store, 'HEADER_BAD_TARGET', { bad: setBits(real, 0x1d01fffe) });
          await extend(store, file.list(824544, 826600));
          const info = await store.headerByHeight(824544);
          assert.equal(info?.hashHex, rows.find((r) => r.height === 824544)?.hash);
        },
        { start: { kind: 'anchor', anchor } },
      );
    });
  },
);

// ------------------------------------------------------------------ synthetic: one rule at a time

/** A chain of EASY headers, mined once; period 0 at 300 s spacing so the 2016 retarget halves the target. */
const easyMain = new ChainBuilder(EASY);
const easyPeriod0 = easyMain.extend(2015, { spacing: 300 }).headers; // heights 1..2015
const easyGenesisTime = headerTime(EASY.genesisHeader);
const EASY_RETARGET_BITS = calculateNextBits(EASY, POW_LIMIT_BITS, easyGenesisTime, easyPeriod0[2014]!.time);
const easyAfter = easyMain.extend(80).headers; // heights 2016..2095
const easyAll = [...easyPeriod0, ...easyAfter];
const easyAt = (h: number): BuiltHeader => easyAll[h - 1]!;

describe('synthetic EASY profile: the chain itself is valid', () => {
  it('the retarget at 2016 halves the target (not capped, so expected +/- 1 are valid targets)', async () => {
    assert.notEqual(EASY_RETARGET_BITS, POW_LIMIT_BITS);
    assert.equal(easyAt(2016).bits, EASY_RETARGET_BITS);
    assert.equal(easyAt(2095).bits, EASY_RETARGET_BITS);
    await withStore(EASY, async (store) => {
      await extend(store, easyAll);
      assert.equal(store.tip().height, 2095);
    });
  });
});

describe('HEADER_BAD_DIFFBITS', () => {
  it('at a non-retarget height: harder valid bits, and easier bits after a retarget', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 1));
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        prefix: [easyAt(2), easyAt(3), easyAt(4)],
        bad: easyMain.fork(4).next({ bits: 0x207ffffe }),
        suffix: [easyAt(6)],
      });
      await extend(store, easyAll.slice(4, 2016));
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        bad: easyMain.fork(2016).next({ bits: POW_LIMIT_BITS }),
      });
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        bad: easyMain.fork(2016).next({ bits: EASY_RETARGET_BITS - 1 }),
      });
      await accepts(store, easyAt(2017));
    }));

  it('at a retarget height: no retarget (parent bits), expected + 1 and expected - 1 compact are rejected; expected accepted', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 2012));
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        prefix: [easyAt(2013), easyAt(2014), easyAt(2015)],
        bad: easyMain.fork(2015).next({ bits: POW_LIMIT_BITS }),
        suffix: [easyAt(2017)],
      });
      for (const bits of [EASY_RETARGET_BITS + 1, EASY_RETARGET_BITS - 1]) {
        assert.notEqual(new TargetCache(EASY.powLimit).get(bits) instanceof Error, true, 'a valid target');
        await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: easyMain.fork(2015).next({ bits }) });
      }
      await accepts(store, easyAt(2016));
    }));
});

describe('HEADER_TIME_TOO_OLD (median time past)', () => {
  it('time == MTP is rejected; MTP + 1 (even before the parent) is accepted', () =>
    withStore(EASY, async (store) => {
      const b = new ChainBuilder(EASY);
      const hs = b.extend(30).headers;
      await extend(store, hs.slice(0, 26));
      const times = [easyGenesisTime, ...hs.map((h) => h.time)];
      const mtp = mtpOf(times);
      assert.ok(mtp < hs[29]!.time);
      await expectRejected(store, 'HEADER_TIME_TOO_OLD', {
        prefix: hs.slice(26, 30),
        bad: b.fork(30).next({ time: mtp }),
      });
      await expectRejected(store, 'HEADER_TIME_TOO_OLD', { bad: b.fork(30).next({ time: mtp - 1000 }) });
      const ok = b.fork(30).next({ time: mtp + 1 });
      assert.ok(ok.time < hs[29]!.time, 'older than its parent');
      await accepts(store, ok);
    }));

  it('near genesis the median is over the headers that exist (Core)', () =>
    withStore(EASY, async (store) => {
      const b = new ChainBuilder(EASY);
      const hs = b.extend(3).headers;
      await extend(store, hs);
      // Times: g, g+600, g+1200, g+1800: the median of 4 (index 2) is g+1200.
      await expectRejected(store, 'HEADER_TIME_TOO_OLD', { bad: b.fork(3).next({ time: easyGenesisTime + 1200 }) });
      await accepts(store, b.fork(3).next({ time: easyGenesisTime + 1201 }));
    }));

  it('above a start anchor: no false rejection while fewer than 6 ancestors are known; a sound lower bound after', async () => {
    const anchorHeader = easyAt(2016);
    const anchor = { height: 2016, header: anchorHeader.raw, chainwork: 2017n * workFromBits(POW_LIMIT_BITS) };
    await withStore(
      EASY,
      async (store) => {
        // The real chain's MTP at 2016 is ~4 blocks back; a header older than the anchor is valid.
        const b = easyMain.fork(2016);
        const young = b.next({ time: anchorHeader.time - 600 });
        await accepts(store, young);
        const more = b.extend(4).headers; // 2018..2021: 6 known times now
        await extend(store, more);
        const known = [anchorHeader.time, young.time, ...more.map((h) => h.time)].sort((x, y) => x - y);
        // With 6 of 11 times known, the true median is at least the smallest known one.
        await expectRejected(store, 'HEADER_TIME_TOO_OLD', { bad: b.fork(2021).next({ time: known[0]! }) });
        await accepts(store, b.fork(2021).next({ time: known[0]! + 1 }));
      },
      { start: { kind: 'anchor', anchor } },
    );
  });
});

describe('HEADER_TIME_TOO_NEW (more than 2 h ahead of the local clock)', () => {
  it('now + 7201 is rejected, and the same header is accepted once the clock advances', async () => {
    const b = new ChainBuilder(EASY);
    const hs = b.extend(12).headers;
    let now = hs[9]!.time;
    await withStore(
      EASY,
      async (store) => {
        await extend(store, hs.slice(0, 8));
        const bad = b.fork(12).next({ time: now + 7201 });
        await expectRejected(store, 'HEADER_TIME_TOO_NEW', { prefix: hs.slice(8, 12), bad });
        now += 1;
        const r = await accepts(store, bad);
        assert.equal(r.outcome, 'extended');
        assert.equal(store.tip().hashHex, bad.hashHex);
      },
      { now: () => now },
    );
  });

  it('now + 7200 exactly is accepted', async () => {
    const b = new ChainBuilder(EASY);
    const hs = b.extend(5).headers;
    const now = hs[4]!.time;
    await withStore(
      EASY,
      async (store) => {
        await extend(store, hs);
        await accepts(store, b.next({ time: now + 7200 }));
      },
      { now: () => now },
    );
  });
});

describe('HEADER_BAD_VERSION (floors: >= 2 from BIP34 (20), >= 3 from BIP66 (40), >= 4 from BIP65 (60))', () => {
  it('version 1 after bip34Height, 2 after bip66Height, 3 after bip65Height, negative (bit 31) anywhere after', () =>
    withStore(EASY, async (store) => {
      const b = new ChainBuilder(EASY);
      await extend(store, b.extend(15).headers);
      // Below BIP34 Core sets no floor: version 1, 0 and negative versions are all valid.
      await accepts(store, b.next({ version: 1 })); // 16, on the main chain
      for (const version of [0, -0x80000000, -1]) {
        const r = await accepts(store, b.fork(15).next({ version, tag: version & 0xffff })); // siblings
        assert.equal(r.outcome, 'side');
        assert.equal(r.lastHeight, 16);
      }
      await extend(store, b.extend(2).headers);
      await accepts(store, b.next({ version: 1 })); // 19 = bip34Height - 1

      const cases: [number, number[], number[]][] = [
        // [height, rejected versions, accepted versions]
        [20, [1, 0, -0x80000000, -0x60000000], [2]],
        [39, [1], [2]],
        [40, [2, 1], [3]],
        [59, [2], [3]],
        [60, [3, 2, 1, -0x80000000, -0x20000000], [4, 0x20000000]],
        [70, [3, 0xe0000000 | 0], [4]],
      ];
      for (const [height, bad, good] of cases) {
        if (b.tipHeight < height - 1) await extend(store, b.extend(height - 1 - b.tipHeight).headers);
        assert.equal(store.tip().height, height - 1);
        for (const version of bad) {
          await expectRejected(store, 'HEADER_BAD_VERSION', {
            bad: b.fork(height - 1).next({ version, tag: 100 + (version & 0xff) }),
          });
        }
        const main = await accepts(store, b.next({ version: good[0]! }));
        assert.equal(main.outcome, 'extended');
        assert.equal(main.lastHeight, height);
        for (const version of good.slice(1)) {
          const r = await accepts(store, b.fork(height - 1).next({ version, tag: 200 + (version & 0xff) }));
          assert.equal(r.outcome, 'side');
          assert.equal(r.lastHeight, height);
        }
        assert.equal(store.tip().hashHex, hashToHex(b.tipHash));
      }
    }));

  it('a prefix before the floor is kept, the header at the floor is rejected', () =>
    withStore(EASY, async (store) => {
      const b = new ChainBuilder(EASY);
      const hs = b.extend(60, { version: 4 }).headers;
      await extend(store, hs.slice(0, 55));
      await expectRejected(store, 'HEADER_BAD_VERSION', {
        prefix: hs.slice(55, 59),
        bad: b.fork(59).next({ version: 3 }),
      });
    }));
});

describe('checkpoints', () => {
  const b = new ChainBuilder(EASY);
  const main = b.extend(12).headers;
  const CP: ChainParams = { ...EASY, checkpoints: new Map([[5, main[4]!.hashHex]]) };

  it('HEADER_CHECKPOINT_MISMATCH: a different header at a checkpoint height', () =>
    withStore(CP, async (store) => {
      await extend(store, main.slice(0, 2));
      await expectRejected(store, 'HEADER_CHECKPOINT_MISMATCH', {
        prefix: main.slice(2, 4),
        bad: b.fork(4).next({ tag: 1 }),
        suffix: [main[5]!],
      });
      await extend(store, main.slice(4));
      assert.equal((await store.headerByHeight(5))?.hashHex, main[4]!.hashHex);
    }));

  it('HEADER_FORK_TOO_OLD: a fork below a passed checkpoint; at the checkpoint it is a mismatch; above it a side branch', () =>
    withStore(CP, async (store) => {
      await extend(store, main);
      await expectRejected(store, 'HEADER_FORK_TOO_OLD', {
        prefix: main.slice(1, 3), // heights 2, 3: already stored
        prefixNew: 0,
        bad: b.fork(3).next({ tag: 2 }),
        height: 4,
      });
      await expectRejected(store, 'HEADER_FORK_TOO_OLD', { bad: b.fork(0).next({ tag: 3 }), height: 1 });
      await expectRejected(store, 'HEADER_CHECKPOINT_MISMATCH', { bad: b.fork(4).next({ tag: 4 }), height: 5 });
      const side = await store.connectHeaders(b.fork(5).next({ tag: 5 }).raw);
      assert.equal(side.outcome, 'side');
      assert.equal(side.tip.hashHex, main[11]!.hashHex);
    }));

  it('before the checkpoint is passed, a fork below it is still allowed', () =>
    withStore(CP, async (store) => {
      await extend(store, main.slice(0, 4));
      const r = await store.connectHeaders(b.fork(2).next({ tag: 6 }).raw);
      assert.equal(r.outcome, 'side');
    }));
});

describe('HEADER_TIMEWARP (BIP94: the first header of a period may be at most 600 s before its parent)', () => {
  const b = new ChainBuilder(BIP94);
  const period0 = b.extend(2015).headers;
  const parentTime = period0[2014]!.time;

  it('parent - 601 at a retarget height is rejected; parent - 600 accepted', () =>
    withStore(BIP94, async (store) => {
      await extend(store, period0.slice(0, 2012));
      await expectRejected(store, 'HEADER_TIMEWARP', {
        prefix: period0.slice(2012),
        bad: b.fork(2015).next({ time: parentTime - 601 }),
      });
      const ok = b.fork(2015).next({ time: parentTime - 600 });
      await accepts(store, ok);
      // Not at a retarget height the rule does not apply.
      const b2 = b.fork(2015);
      b2.next({ time: parentTime - 600 });
      await accepts(store, b2.next({ time: parentTime - 600 - 601 }));
    }));

  it('without BIP94 the same timewarped header is valid', () =>
    withStore(EASY, async (store) => {
      const e = new ChainBuilder(EASY);
      const p0 = e.extend(2015).headers;
      await extend(store, p0);
      await accepts(store, e.fork(2015).next({ time: p0[2014]!.time - 601 }));
    }));
});

describe('HEADER_BAD_PREV, HEADER_BAD_TARGET, HEADER_BAD_POW, HEADER_UNCONNECTED on the synthetic chain', () => {
  it('a non-continuous batch: HEADER_BAD_PREV, prefix kept', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 3));
      await expectRejected(store, 'HEADER_BAD_PREV', { prefix: [easyAt(4), easyAt(5)], bad: easyAt(7), suffix: [easyAt(8)] });
      await accepts(store, easyAt(6));
    }));

  it('bits above powLimit, negative or zero: HEADER_BAD_TARGET', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 3));
      for (const bits of [0x21008000, 0x20800000 | 0x7fffff, 0]) {
        await expectRejected(store, 'HEADER_BAD_TARGET', { prefix: [], bad: easyMain.fork(3).next({ bits }) });
      }
      await expectRejected(store, 'HEADER_BAD_TARGET', {
        prefix: [easyAt(4)],
        bad: easyMain.fork(4).next({ bits: 0x21008000 }),
      });
    }));

  it('a hash above the target: HEADER_BAD_POW', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 3));
      await expectRejected(store, 'HEADER_BAD_POW', { prefix: [easyAt(4)], bad: failingPow(easyAt(5), EASY.powLimit) });
    }));

  it('an unknown parent: outcome unconnected with missingHashHex', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 3));
      const tip = store.tip();
      const r = await store.connectHeaders(concatHeaders([easyAt(6), easyAt(7)]));
      assert.equal(r.outcome, 'unconnected');
      assert.equal(r.missingHashHex, easyAt(5).hashHex);
      assert.equal(r.rejected?.code, 'HEADER_UNCONNECTED');
      assert.equal(r.rejected.height, null);
      assert.equal(r.stored, 0);
      assert.deepEqual(store.tip(), tip);
    }));
});

// ------------------------------------------------------------------ testnet 20-minute rule

/**
 * MINDIFF chain: period 0 at 150 s spacing (all at powLimit: walk-back reaches genesis), so the 2016
 * retarget clamps to 1/4: target = powLimit / 4, bits 0x201fffff.
 */
const mdMain = new ChainBuilder(MINDIFF);
const mdPeriod0 = mdMain.extend(2015, { spacing: 150 }).headers;
const md2016 = mdMain.next();
const B1 = 0x201fffff;

describe('testnet 20-minute rule (powAllowMinDifficultyBlocks)', () => {
  it('the retarget after a fast period gives powLimit / 4 = 0x201fffff', () => {
    assert.ok(mdPeriod0.every((h) => h.bits === POW_LIMIT_BITS));
    assert.equal(md2016.bits, B1);
  });

  it('a min-difficulty block after > 20 min is accepted; the next normal block returns to the walked-back bits', () =>
    withStore(MINDIFF, async (store) => {
      await extend(store, [...mdPeriod0, md2016]);
      const b = mdMain.fork(2016);
      const min1 = b.next({ spacing: 1201 });
      assert.equal(min1.bits, POW_LIMIT_BITS);
      await accepts(store, min1);
      // Within 20 minutes of a min-difficulty parent: the parent's bits are wrong, the walked-back ones right.
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: b.fork(2017).next({ spacing: 600, bits: POW_LIMIT_BITS }) });
      const normal = b.next({ spacing: 600 });
      assert.equal(normal.bits, B1);
      await accepts(store, normal);
    }));

  it('a run of min-difficulty blocks walks back past all of them', () =>
    withStore(MINDIFF, async (store) => {
      await extend(store, [...mdPeriod0, md2016]);
      const b = mdMain.fork(2016);
      const run = b.extend(5, { spacing: 1500 }).headers;
      assert.ok(run.every((h) => h.bits === POW_LIMIT_BITS));
      await extend(store, run);
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: b.fork(2021).next({ spacing: 10, bits: POW_LIMIT_BITS }) });
      const back = b.next({ spacing: 10 });
      assert.equal(back.bits, B1);
      await accepts(store, back);
    }));

  it('a min-difficulty block within 20 min (1200 s exactly) is rejected; after 20 min the bits must be powLimit', () =>
    withStore(MINDIFF, async (store) => {
      await extend(store, [...mdPeriod0, md2016]);
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        bad: mdMain.fork(2016).next({ spacing: 1200, bits: POW_LIMIT_BITS }),
      });
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        bad: mdMain.fork(2016).next({ spacing: 600, bits: POW_LIMIT_BITS }),
      });
      // > 20 minutes: Core requires exactly powLimit, the normal bits are not accepted either.
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: mdMain.fork(2016).next({ spacing: 1201, bits: B1 }) });
      await accepts(store, mdMain.fork(2016).next({ spacing: 1200 }));
    }));

  it('without the rule (EASY) a slow block must keep the normal bits', () =>
    withStore(EASY, async (store) => {
      await extend(store, easyAll.slice(0, 2016));
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', {
        bad: easyMain.fork(2016).next({ spacing: 5000, bits: POW_LIMIT_BITS }),
      });
      await accepts(store, easyMain.fork(2016).next({ spacing: 5000 }));
    }));
});

// ------------------------------------------------------------------ BIP94 retarget base

describe('BIP94 retarget uses the FIRST block of the period as the old target (testnet3 uses the last)', () => {
  // Period 1 (2016..4031): normal blocks at B1, except the last one (4031), a min-difficulty block.
  const p1 = mdMain.fork(2016);
  const period1 = p1.extend(2014, { spacing: 600 }).headers; // 2017..4030
  const last = p1.next({ spacing: 1201 }); // 4031
  const prefix = [...mdPeriod0, md2016, ...period1, last];
  const firstTime = md2016.time;
  const bitsBip94 = calculateNextBits(TESTNET4_LIKE, B1, firstTime, last.time);
  const bitsTestnet3 = calculateNextBits(MINDIFF, POW_LIMIT_BITS, firstTime, last.time);
  const with94 = p1.fork(4031).next({ bits: bitsBip94, tag: 94 });
  const with3 = p1.fork(4031).next({ bits: bitsTestnet3, tag: 3 });

  it('the two rules give different bits here', () => {
    assert.equal(last.bits, POW_LIMIT_BITS);
    assert.ok(period1.every((h) => h.bits === B1));
    assert.notEqual(bitsBip94, bitsTestnet3);
    assert.equal(bitsTestnet3, POW_LIMIT_BITS); // the testnet3 "difficulty reset" quirk
  });

  it('a BIP94 (testnet4-like) store accepts the first-block retarget and rejects the last-block one', () =>
    withStore(TESTNET4_LIKE, async (store) => {
      await extend(store, prefix);
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: with3 });
      await accepts(store, with94);
      assert.equal(headerBits((await store.headerByHeight(4032))!.header), bitsBip94);
    }));

  it('a testnet3-like store does the opposite', () =>
    withStore(MINDIFF, async (store) => {
      await extend(store, prefix);
      await expectRejected(store, 'HEADER_BAD_DIFFBITS', { bad: with94 });
      await accepts(store, with3);
    }));
});

// ------------------------------------------------------------------ real testnet3 mutations

describe('real testnet3: the 20-minute rule on real headers', { skip: skipUnlessFixture(FX.testnet3) }, () => {
  it('walk-back header 4209 with min-difficulty bits, or 4033 with normal bits, fails PoW first; the real ones pass', async () => {
    const file = new HeaderFile(readFixture(FX.testnet3), 0);
    await withStore(TESTNET3, async (store) => {
      await extend(store, file.list(1, 4032));
      await expectRejected(store, 'HEADER_BAD_POW', { bad: setBits(file.at(4033), 0x1c3fffc0) });
      await extend(store, file.list(4033, 4208));
      await expectRejected(store, 'HEADER_BAD_POW', { bad: setBits(file.at(4209), 0x1d00ffff) });
      await accepts(store, file.at(4209));
      assert.equal(hashToHex(file.at(4210).subarray(4, 36)), store.tip().hashHex);
    });
  });
});
