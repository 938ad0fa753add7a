import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MAINNET_ELECTRUM_CHECKPOINTS } from '../../../src/chain/checkpoints.js';
import { decodeCompact } from '../../../src/chain/compact.js';
import { HEADER_SIZE, headerBits, headerHash, headerHashHex, parseHeader } from '../../../src/chain/header.js';
import { locatorHeights } from '../../../src/chain/locator.js';
import type { ChainParams } from '../../../src/chain/params.js';
import {
  MAINNET,
  NETWORK_NAMES,
  RETARGET_INTERVAL,
  REGTEST,
  SIGNET,
  TESTNET3,
  TESTNET4,
  isNetworkName,
  paramsFor,
} from '../../../src/chain/params.js';
import { TargetCache, checkProofOfWork } from '../../../src/chain/pow.js';
import { workFromBits } from '../../../src/chain/work.js';
import { toHex } from '../../../src/util/bytes.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, fixturePath, readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';

interface BitcoinjCheckpoint {
  readonly height: number;
  readonly chainwork: bigint;
  readonly header: Uint8Array;
}

/**
 * bitcoinj "TXT CHECKPOINTS 1": line 2 = signature count, line 3 = checkpoint count, then base64 lines of
 * 96 bytes = chainwork (12 B BE) | height (4 B BE) | 80-byte header.
 */
function readBitcoinj(rel: string): BitcoinjCheckpoint[] {
  const lines = readFileSync(fixturePath(rel), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  assert.equal(lines[0], 'TXT CHECKPOINTS 1');
  const sigs = Number(lines[1]);
  const count = Number(lines[2]);
  const body = lines.slice(3 + sigs);
  assert.equal(body.length, count);
  return body.map((line) => {
    const b = new Uint8Array(Buffer.from(line, 'base64'));
    assert.equal(b.length, 96);
    const chainwork = BigInt('0x' + toHex(b.subarray(0, 12)));
    const height = new DataView(b.buffer, b.byteOffset).getUint32(12, false);
    return { height, chainwork, header: b.slice(16, 96) };
  });
}

/** Electrum checkpoints: [hash, target] pairs; targets exceed 2^53, so they are read as text. */
function readElectrum(rel: string): { hash: string; target: bigint }[] {
  const text = readFileSync(fixturePath(rel), 'utf8');
  const out: { hash: string; target: bigint }[] = [];
  for (const m of text.matchAll(/\[\s*"([0-9a-f]{64})"\s*,\s*(\d+)\s*\]/g)) {
    out.push({ hash: m[1]!, target: BigInt(m[2]!) });
  }
  return out;
}

function last<T>(xs: readonly T[]): T {
  const v = xs[xs.length - 1];
  assert.ok(v !== undefined);
  return v;
}

const ALL: readonly ChainParams[] = [MAINNET, TESTNET3, TESTNET4, SIGNET, REGTEST];

describe('network parameters', () => {
  it('each network genesis header hashes to its genesisHashHex and meets its own powLimit', () => {
    for (const p of ALL) {
      assert.equal(p.genesisHeader.length, HEADER_SIZE, p.name);
      assert.equal(headerHashHex(p.genesisHeader), p.genesisHashHex, p.name);
      assert.equal(headerBits(p.genesisHeader), p.powLimitBits, p.name);
      assert.equal(decodeCompact(p.powLimitBits).target, p.powLimit, p.name);
      checkProofOfWork(headerHash(p.genesisHeader), p.powLimitBits, new TargetCache(p.powLimit));
      const h = parseHeader(p.genesisHeader);
      assert.equal(h.version, 1);
      assert.deepEqual(h.prevHash, new Uint8Array(32));
    }
  });

  it('known genesis hashes and flags (Core chainparams)', () => {
    assert.equal(MAINNET.genesisHashHex, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    assert.equal(TESTNET3.genesisHashHex, '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943');
    assert.equal(TESTNET4.genesisHashHex, '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043');
    assert.equal(SIGNET.genesisHashHex, '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6');
    assert.equal(REGTEST.genesisHashHex, '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
    assert.deepEqual(
      ALL.map((p) => [p.name, p.powAllowMinDifficultyBlocks, p.powNoRetargeting, p.enforceBip94]),
      [
        ['mainnet', false, false, false],
        ['testnet3', true, false, false],
        ['testnet4', true, false, true],
        ['signet', false, false, false],
        ['regtest', true, true, false],
      ],
    );
    assert.deepEqual(
      [MAINNET.bip34Height, MAINNET.bip66Height, MAINNET.bip65Height],
      [227931, 363725, 388381],
    );
    assert.deepEqual(
      [TESTNET3.bip34Height, TESTNET3.bip66Height, TESTNET3.bip65Height],
      [21111, 330776, 581885],
    );
    for (const p of [TESTNET4, SIGNET, REGTEST]) {
      assert.deepEqual([p.bip34Height, p.bip66Height, p.bip65Height], [1, 1, 1], p.name);
    }
    assert.equal(MAINNET.powLimitBits, 0x1d00ffff);
    assert.equal(SIGNET.powLimitBits, 0x1e0377ae);
    assert.equal(REGTEST.powLimitBits, 0x207fffff);
    assert.deepEqual(NETWORK_NAMES.map((n) => paramsFor(n).name), [...NETWORK_NAMES]);
    assert.equal(isNetworkName('testnet4'), true);
    assert.equal(isNetworkName('testnet'), false);
  });

  it(
    'mainnet and testnet3 genesis equal the first 80 bytes of the fixture files',
    { skip: skipUnlessFixture(FX.mainnet0, FX.testnet3) },
    () => {
      assert.deepEqual(readFixture(FX.mainnet0).subarray(0, 80), MAINNET.genesisHeader);
      assert.deepEqual(readFixture(FX.testnet3).subarray(0, 80), TESTNET3.genesisHeader);
    },
  );
});

describe('checkpoints', () => {
  it('every checkpoint map entry is a 64-hex display hash', () => {
    for (const p of ALL) {
      for (const [h, hash] of p.checkpoints) {
        assert.ok(Number.isInteger(h) && h > 0, `${p.name} ${h}`);
        assert.match(hash, /^0{8}[0-9a-f]{56}$/, `${p.name} ${h}`);
      }
    }
    assert.equal(MAINNET.checkpoints.get(295000), '00000000000000004d9b4ef50f0f9d686fd69db2e03af35a100370c64632a983');
    for (const [h, hash] of MAINNET_ELECTRUM_CHECKPOINTS) assert.equal(MAINNET.checkpoints.get(h), hash);
  });

  it(
    'mainnet checkpoint 33333 matches the 30000-39999 file',
    { skip: skipUnlessFixture(FX.mainnet30000) },
    () => {
      const file = readFixture(FX.mainnet30000);
      let matched = 0;
      for (const [h, hash] of MAINNET.checkpoints) {
        if (h < 30000 || h > 39999) continue;
        assert.equal(headerHashHex(file.subarray((h - 30000) * 80, (h - 30000) * 80 + 80)), hash, `checkpoint ${h}`);
        matched++;
      }
      assert.equal(matched, 1);
      assert.equal(MAINNET.checkpoints.get(33333), '000000002dd5588a74784eaa7ab0507a18ad16a236e7b1ce69f00d7ddfb5d0a6');
    },
  );

  it('mainnet checkpoints inside 0-9999 (none) match', { skip: skipUnlessFixture(FX.mainnet0) }, () => {
    const file = readFixture(FX.mainnet0);
    for (const [h, hash] of MAINNET.checkpoints) {
      if (h > 9999) continue;
      assert.equal(headerHashHex(file.subarray(h * 80, h * 80 + 80)), hash, `checkpoint ${h}`);
    }
  });

  it('testnet3 checkpoint 546 matches the testnet3 0-9999 file', { skip: skipUnlessFixture(FX.testnet3) }, () => {
    const file = readFixture(FX.testnet3);
    let matched = 0;
    for (const [h, hash] of TESTNET3.checkpoints) {
      if (h > 9999) continue;
      assert.equal(headerHashHex(file.subarray(h * 80, h * 80 + 80)), hash, `checkpoint ${h}`);
      matched++;
    }
    assert.equal(matched, 1);
    assert.equal(TESTNET3.checkpoints.get(546), '000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70');
  });

  it(
    'mainnet checkpoints at a boundary height or inside 822528-830592 / 586657-589289 match',
    { skip: skipUnlessFixture(FX.boundaries, FX.mainnet822528, FX.mainnet586657) },
    () => {
      const rows = new Map(readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [r.height, r.hash]));
      const ranges: [number, Uint8Array][] = [
        [822528, readFixture(FX.mainnet822528)],
        [586657, readFixture(FX.mainnet586657)],
      ];
      for (const [h, hash] of MAINNET.checkpoints) {
        const r = rows.get(h);
        if (r !== undefined) assert.equal(r, hash, `checkpoint ${h} vs boundary JSON`);
        for (const [from, file] of ranges) {
          if (h >= from && h < from + file.length / 80) {
            assert.equal(headerHashHex(file.subarray((h - from) * 80, (h - from) * 80 + 80)), hash, `checkpoint ${h}`);
          }
        }
      }
    },
  );

  it(
    'MAINNET_ELECTRUM_CHECKPOINTS equal the Electrum fixture entries above the anchor (entry i = block 2016(i+1)-1)',
    { skip: skipUnlessFixture(FX.electrumMainnet) },
    () => {
      const entries = readElectrum(FX.electrumMainnet);
      assert.equal(entries.length, 473);
      const above = entries
        .map((e, i) => [2016 * (i + 1) - 1, e.hash] as const)
        .filter(([h]) => h > MAINNET.anchor!.height);
      assert.deepEqual(
        MAINNET_ELECTRUM_CHECKPOINTS.map(([h, hash]) => [h, hash]),
        above.map(([h, hash]) => [h, hash]),
      );
      assert.equal(MAINNET_ELECTRUM_CHECKPOINTS.length, 37);
      assert.equal(last(MAINNET_ELECTRUM_CHECKPOINTS)[0], 953567);
    },
  );

  it(
    'Electrum entries agree with the boundary JSON: hash of 2016(i+1)-1 and target of bits at 2016(i+1)',
    { skip: skipUnlessFixture(FX.electrumMainnet, FX.boundaries) },
    () => {
      const entries = readElectrum(FX.electrumMainnet);
      const rows = new Map(readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [r.height, r]));
      let checked = 0;
      entries.forEach((e, i) => {
        const lastRow = rows.get(2016 * (i + 1) - 1);
        const next = rows.get(2016 * (i + 1));
        if (lastRow === undefined || next === undefined) return;
        assert.equal(e.hash, lastRow.hash);
        const bits = typeof next.bits === 'string' ? parseInt(next.bits, 16) : next.bits;
        assert.equal(e.target, decodeCompact(bits).target, `target at ${next.height}`);
        checked++;
      });
      assert.equal(checked, 413);
    },
  );
});

describe('built-in anchors', () => {
  it('anchors sit at retarget heights, pass PoW and carry at least their own work', () => {
    for (const p of [MAINNET, TESTNET3]) {
      const a = p.anchor;
      assert.ok(a !== null, p.name);
      assert.equal(a.height % RETARGET_INTERVAL, 0);
      assert.equal(a.header.length, HEADER_SIZE);
      checkProofOfWork(headerHash(a.header), headerBits(a.header), new TargetCache(p.powLimit));
      assert.ok(a.chainwork >= workFromBits(headerBits(a.header)));
    }
    assert.equal(MAINNET.anchor?.height, 878976);
    assert.equal(TESTNET3.anchor?.height, 3612672);
    for (const p of [TESTNET4, SIGNET, REGTEST]) assert.equal(p.anchor, null, p.name);
  });

  it(
    'MAINNET.anchor (878976) equals the last bitcoinj mainnet checkpoint: header bytes and chainwork',
    { skip: skipUnlessFixture(FX.bitcoinjMainnet) },
    () => {
      const cps = readBitcoinj(FX.bitcoinjMainnet);
      assert.equal(cps.length, 436);
      const top = last(cps);
      assert.equal(top.height, 878976);
      assert.deepEqual(MAINNET.anchor?.header, top.header);
      assert.equal(MAINNET.anchor?.chainwork, top.chainwork);
      // No Electrum checkpoint disagrees with the anchor's height range.
      assert.ok(MAINNET_ELECTRUM_CHECKPOINTS.every(([h]) => h > top.height));
    },
  );

  it(
    'TESTNET3.anchor (3612672) equals the last bitcoinj testnet3 checkpoint: header bytes and chainwork',
    { skip: skipUnlessFixture(FX.bitcoinjTestnet3) },
    () => {
      const cps = readBitcoinj(FX.bitcoinjTestnet3);
      assert.equal(cps.length, 1792);
      const top = last(cps);
      assert.equal(top.height, 3612672);
      assert.deepEqual(TESTNET3.anchor?.header, top.header);
      assert.equal(TESTNET3.anchor?.chainwork, top.chainwork);
    },
  );

  it(
    'every bitcoinj mainnet checkpoint passes PoW; header and chainwork equal the boundary JSON at common heights',
    { skip: skipUnlessFixture(FX.bitcoinjMainnet, FX.boundaries) },
    () => {
      const rows = new Map(readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [r.height, r]));
      const cache = new TargetCache(MAINNET.powLimit);
      let common = 0;
      for (const cp of readBitcoinj(FX.bitcoinjMainnet)) {
        assert.equal(cp.height % RETARGET_INTERVAL, 0);
        checkProofOfWork(headerHash(cp.header), headerBits(cp.header), cache);
        const r = rows.get(cp.height);
        if (r === undefined) continue;
        assert.equal(toHex(cp.header), r.header, `header at ${cp.height}`);
        assert.equal(cp.chainwork, BigInt('0x' + r.chainwork), `chainwork at ${cp.height}`);
        common++;
      }
      assert.equal(common, 413);
    },
  );
});

describe('locatorHeights', () => {
  function checkShape(tip: number, floor: number): number[] {
    const hs = locatorHeights(tip, floor);
    assert.equal(hs[0], tip);
    assert.equal(last(hs), floor);
    assert.ok(hs.length <= 101, `length ${hs.length}`);
    for (let i = 1; i < hs.length; i++) assert.ok(hs[i]! < hs[i - 1]!, 'strictly decreasing');
    // As Core's LocatorEntries: 11 steps of one (the 12 newest headers), then steps doubling from 2, then the floor.
    const dense = Math.min(hs.length, 12);
    for (let i = 1; i < dense; i++) assert.equal(hs[i], tip - i);
    let step = 2;
    for (let i = 12; i < hs.length - 1; i++) {
      assert.equal(hs[i - 1]! - hs[i]!, step, `step before entry ${i}`);
      step *= 2;
    }
    return hs;
  }

  it('12 dense entries, then doubling steps, ending at the floor (Core LocatorEntries)', () => {
    const hs = checkShape(100, 0);
    assert.deepEqual(hs, [100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0]);
  });

  it('a short chain lists every height down to the floor', () => {
    assert.deepEqual(locatorHeights(0, 0), [0]);
    assert.deepEqual(locatorHeights(5, 0), [5, 4, 3, 2, 1, 0]);
    assert.deepEqual(locatorHeights(878980, 878976), [878980, 878979, 878978, 878977, 878976]);
    checkShape(10, 0);
    checkShape(11, 0);
    checkShape(12, 0);
  });

  it('stays within 101 entries even at height 1,000,000 and above an anchor', () => {
    const hs = checkShape(1_000_000, 0);
    assert.ok(hs.length < 40);
    checkShape(1_000_000, 878976);
    checkShape(2 ** 31, 0);
  });
});
