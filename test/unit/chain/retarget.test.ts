import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateNextBits, permittedDifficultyTransition } from '../../../src/chain/difficulty.js';
import { HEADER_SIZE, headerBits, headerHash, headerHashHex, headerTime } from '../../../src/chain/header.js';
import { MAINNET, RETARGET_INTERVAL } from '../../../src/chain/params.js';
import { TargetCache, checkProofOfWork } from '../../../src/chain/pow.js';
import { workFromBits } from '../../../src/chain/work.js';
import { fromHex, hashToHex } from '../../../src/util/bytes.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';

interface Row {
  readonly height: number;
  readonly hash: string;
  readonly header: Uint8Array;
  readonly time: number;
  readonly bits: number;
  readonly chainwork: bigint;
}

function loadRows(): Map<number, Row> {
  const rows = new Map<number, Row>();
  for (const r of readFixtureJson<BoundaryRow[]>(FX.boundaries)) {
    rows.set(r.height, {
      height: r.height,
      hash: r.hash,
      header: fromHex(r.header),
      time: r.time,
      bits: typeof r.bits === 'string' ? parseInt(r.bits, 16) : r.bits,
      chainwork: BigInt('0x' + r.chainwork),
    });
  }
  return rows;
}

function row(rows: Map<number, Row>, height: number): Row {
  const r = rows.get(height);
  assert.ok(r !== undefined, `boundary row ${height} missing`);
  return r;
}

const skipBoundaries = { skip: skipUnlessFixture(FX.boundaries) };

describe('mainnet retarget boundaries (every k*2016 - 1 and k*2016 to 832608)', () => {
  it('rows are self-consistent: header fields, hash, PoW and the link across each boundary', skipBoundaries, () => {
    const rows = loadRows();
    assert.equal(rows.size, 827);
    const cache = new TargetCache(MAINNET.powLimit);
    for (const r of rows.values()) {
      assert.equal(r.header.length, HEADER_SIZE);
      assert.equal(headerHashHex(r.header), r.hash, `hash at ${r.height}`);
      assert.equal(headerTime(r.header), r.time, `time at ${r.height}`);
      assert.equal(headerBits(r.header), r.bits, `bits at ${r.height}`);
      checkProofOfWork(headerHash(r.header), r.bits, cache);
    }
    assert.equal(row(rows, 0).hash, MAINNET.genesisHashHex);
    let links = 0;
    for (let k = 1; rows.has(k * RETARGET_INTERVAL); k++) {
      const first = row(rows, k * RETARGET_INTERVAL);
      const prevOfFirst = hashToHex(first.header.subarray(4, 36));
      assert.equal(prevOfFirst, row(rows, k * RETARGET_INTERVAL - 1).hash, `link at ${first.height}`);
      links++;
    }
    assert.equal(links, 413);
  });

  it('all 413 retargets recompute exactly from (bits of k*2016-1, time of (k-1)*2016, time of k*2016-1)', skipBoundaries, () => {
    const rows = loadRows();
    let count = 0;
    let changed = 0;
    for (let k = 1; rows.has(k * RETARGET_INTERVAL); k++) {
      const h = k * RETARGET_INTERVAL;
      const last = row(rows, h - 1);
      const first = row(rows, h - RETARGET_INTERVAL);
      const next = row(rows, h);
      const got = calculateNextBits(MAINNET, last.bits, first.time, last.time);
      assert.equal(got, next.bits, `retarget at ${h}: 0x${got.toString(16)} vs 0x${next.bits.toString(16)}`);
      assert.equal(permittedDifficultyTransition(MAINNET, h, last.bits, next.bits), true, `permitted at ${h}`);
      // Mainnet has no min-difficulty blocks: a period keeps its first block's bits to the end.
      assert.equal(last.bits, first.bits, `bits constant through the period ending ${h - 1}`);
      if (next.bits !== last.bits) changed++;
      count++;
    }
    assert.equal(count, 413);
    assert.equal(row(rows, 830592).bits, 0x170371b1);
    assert.ok(changed > 390, `${changed} retargets changed the bits`);
  });

  it('a retarget computed from the wrong end of the period (2016 intervals, not 2015) is detectably different', skipBoundaries, () => {
    // Core's off-by-one: first = h - 2016, never h - 2017. Using the previous period's last time instead
    // of its first would shift the span; at least one real retarget tells the two apart.
    const rows = loadRows();
    let differs = 0;
    for (let k = 2; rows.has(k * RETARGET_INTERVAL); k++) {
      const h = k * RETARGET_INTERVAL;
      const last = row(rows, h - 1);
      const wrongFirst = row(rows, h - RETARGET_INTERVAL - 1);
      if (calculateNextBits(MAINNET, last.bits, wrongFirst.time, last.time) !== row(rows, h).bits) differs++;
    }
    assert.ok(differs > 0);
  });

  it('the chainwork column equals the sum of workFromBits over the chain, from genesis 0x100010001', skipBoundaries, () => {
    const rows = loadRows();
    assert.equal(row(rows, 0).chainwork, 0x100010001n);
    assert.equal(row(rows, 0).chainwork, workFromBits(row(rows, 0).bits));
    let checked = 1;
    for (let k = 1; rows.has(k * RETARGET_INTERVAL); k++) {
      const h = k * RETARGET_INTERVAL;
      const periodStart = row(rows, h - RETARGET_INTERVAL);
      const last = row(rows, h - 1);
      const first = row(rows, h);
      // The period (h-2016 .. h-1) has constant bits (checked above), so 2015 more headers of that work.
      const expectedLast = periodStart.chainwork + 2015n * workFromBits(periodStart.bits);
      assert.equal(last.chainwork, expectedLast, `chainwork at ${h - 1}`);
      assert.equal(first.chainwork, last.chainwork + workFromBits(first.bits), `chainwork at ${h}`);
      checked += 2;
    }
    assert.equal(checked, 827);
    // At 832608 the chain's work is just below 2^95, the limit of bitcoinj's signed 12-byte field
    // (which overflowed at 849,138): chainwork must be kept as a full 256-bit value.
    const top = row(rows, 832608).chainwork;
    assert.equal(top, 0x6cba5548513889a0030bd7b4n);
    assert.ok(top > 1n << 94n && top < 1n << 95n);
  });

  it(
    'across 822528-830592: the JSON chainwork at 822528 plus workFromBits of each header gives every boundary',
    { skip: skipUnlessFixture(FX.boundaries, FX.mainnet822528) },
    () => {
      const rows = loadRows();
      const file = readFixture(FX.mainnet822528);
      const n = file.length / HEADER_SIZE;
      assert.equal(n, 8065);
      const base = 822528;
      assert.equal(headerHashHex(file.subarray(0, 80)), row(rows, base).hash);
      let work = row(rows, base).chainwork;
      let boundaries = 0;
      for (let i = 1; i < n; i++) {
        const raw = file.subarray(i * 80, i * 80 + 80);
        work += workFromBits(headerBits(raw));
        const r = rows.get(base + i);
        if (r !== undefined) {
          assert.equal(headerHashHex(raw), r.hash, `hash at ${base + i}`);
          assert.equal(work, r.chainwork, `chainwork at ${base + i}`);
          boundaries++;
        }
      }
      // 824543/824544, 826559/826560, 828575/828576, 830591/830592
      assert.equal(boundaries, 8);
      assert.equal(work, row(rows, 830592).chainwork);
    },
  );

  it(
    'the four retargets inside 822528-830592 recompute from the file alone',
    { skip: skipUnlessFixture(FX.mainnet822528) },
    () => {
      const file = readFixture(FX.mainnet822528);
      const at = (h: number): Uint8Array => file.subarray((h - 822528) * 80, (h - 822528) * 80 + 80);
      const expected: Record<number, number> = {
        824544: 0x1703d869,
        826560: 0x1704005a,
        828576: 0x1703ba5d,
        830592: 0x170371b1,
      };
      for (const [hs, bits] of Object.entries(expected)) {
        const h = Number(hs);
        const got = calculateNextBits(
          MAINNET,
          headerBits(at(h - 1)),
          headerTime(at(h - RETARGET_INTERVAL)),
          headerTime(at(h - 1)),
        );
        assert.equal(got, bits, `retarget at ${h}`);
        assert.equal(headerBits(at(h)), bits);
      }
    },
  );

  it(
    'the retarget at 588672 (0x171f3a08 -> 0x171c3039) recomputes from the 586657-589289 file and the boundary row 586656',
    { skip: skipUnlessFixture(FX.boundaries, FX.mainnet586657) },
    () => {
      const rows = loadRows();
      const file = readFixture(FX.mainnet586657);
      assert.equal(file.length / 80, 2633);
      const at = (h: number): Uint8Array => file.subarray((h - 586657) * 80, (h - 586657) * 80 + 80);
      const first = row(rows, 586656);
      // The file starts one header after the period's first block, which the boundary JSON supplies.
      assert.equal(hashToHex(at(586657).subarray(4, 36)), first.hash);
      assert.equal(headerBits(at(588671)), 0x171f3a08);
      const got = calculateNextBits(MAINNET, headerBits(at(588671)), first.time, headerTime(at(588671)));
      assert.equal(got, 0x171c3039);
      assert.equal(headerBits(at(588672)), got);
      assert.equal(headerHashHex(at(588672)), row(rows, 588672).hash);
    },
  );
});
