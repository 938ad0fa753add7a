import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HEADER_SIZE, headerBits, headerHashHex } from '../../../src/chain/header.js';
import type { Anchor } from '../../../src/chain/params.js';
import { MAINNET, TESTNET3 } from '../../../src/chain/params.js';
import { workFromBits } from '../../../src/chain/work.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import type { ConnectResult } from '../../../src/protocol/chainTypes.js';
import { HeaderStore } from '../../../src/store/headerStore.js';
import { bigintToBytes32, fromHex, hashToHex, toHex } from '../../../src/util/bytes.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/tmp.js';
import { openTempStore as openStore } from '../../helpers/tempStore.js';

function workHex(work: bigint): string {
  return toHex(bigintToBytes32(work));
}

function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(isSpvError(err), 'expected an SpvError');
    assert.equal(err.code, code);
    return true;
  };
}

/** A header file with its first height, read by height. */
class HeaderFile {
  readonly count: number;
  constructor(
    readonly raw: Uint8Array,
    readonly firstHeight: number,
  ) {
    assert.equal(raw.length % HEADER_SIZE, 0);
    this.count = raw.length / HEADER_SIZE;
  }

  get lastHeight(): number {
    return this.firstHeight + this.count - 1;
  }

  at(height: number): Uint8Array {
    assert.ok(height >= this.firstHeight && height <= this.lastHeight, `height ${height} outside the file`);
    const i = height - this.firstHeight;
    return this.raw.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
  }

  /** Headers from..to inclusive. */
  range(from: number, to: number): Uint8Array {
    const i = from - this.firstHeight;
    return this.raw.subarray(i * HEADER_SIZE, (to - this.firstHeight + 1) * HEADER_SIZE);
  }
}

interface Boundary {
  readonly hash: string;
  readonly header: Uint8Array;
  readonly chainwork: bigint;
}

function loadBoundaries(): Map<number, Boundary> {
  return new Map(
    readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [
      r.height,
      { hash: r.hash, header: fromHex(r.header), chainwork: BigInt('0x' + r.chainwork) },
    ]),
  );
}

function boundary(rows: Map<number, Boundary>, height: number): Boundary {
  const b = rows.get(height);
  assert.ok(b !== undefined, `no boundary row at ${height}`);
  return b;
}


async function assertAuditOk(store: HeaderStore): Promise<void> {
  const report = await store.audit();
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.equal(report.headersChecked, store.stats().headerCount);
  assert.equal(report.bestChainChecked, store.tip().height - store.anchorHeight + 1);
}

/** Connects heights from..to of `file` in batches of `size`; every batch must extend the tip whole. */
async function connectWhole(store: HeaderStore, file: HeaderFile, from: number, to: number, size = 2000): Promise<ConnectResult[]> {
  const results: ConnectResult[] = [];
  for (let h = from; h <= to; h += size) {
    const end = Math.min(to, h + size - 1);
    const r = await store.connectHeaders(file.range(h, end));
    assert.equal(r.rejected, null, `batch ${h}-${end}: ${r.rejected?.code} at ${r.rejected?.height}`);
    assert.equal(r.outcome, 'extended', `batch ${h}-${end}`);
    assert.equal(r.lastHeight, end);
    assert.equal(r.tip.height, end);
    assert.equal(r.tip.hashHex, headerHashHex(file.at(end)));
    assert.equal(r.forkHeight, null);
    assert.deepEqual(r.disconnected, []);
    results.push(r);
  }
  return results;
}

/** Independent chainwork: the start's work plus workFromBits of each header above it. */
function sumWork(file: HeaderFile, base: bigint, from: number, to: number): bigint {
  let w = base;
  for (let h = from; h <= to; h++) w += workFromBits(headerBits(file.at(h)));
  return w;
}

describe('mainnet 0-9999 from genesis', { skip: skipUnlessFixture(FX.mainnet0) }, () => {
  it('is accepted whole in batches of 2000; tip 9999 = 00000000fbc97cc6...; chainwork 10000 x genesis work; audit ok', async () => {
    const file = new HeaderFile(readFixture(FX.mainnet0), 0);
    const { store, close } = await openStore(MAINNET, { kind: 'genesis' });
    try {
      const results = await connectWhole(store, file, 0, 9999);
      assert.equal(results.length, 5);
      // The first batch begins with genesis, which the store already has.
      assert.equal(results[0]!.duplicates, 1);
      assert.equal(results[0]!.stored, 1999);
      for (const r of results.slice(1)) {
        assert.equal(r.stored, 2000);
        assert.equal(r.duplicates, 0);
        assert.equal(r.connectedCount, 2000);
      }
      const tip = store.tip();
      assert.equal(tip.height, 9999);
      assert.equal(tip.hashHex, '00000000fbc97cc6c599ce9c24dd4a2243e2bfd518eda56e1d5e47d29e29c3a7');
      assert.equal(tip.chainworkHex, workHex(10000n * 0x100010001n));
      assert.equal(store.stats().headerCount, 10000);
      for (const h of [0, 1, 2015, 2016, 4032, 8064, 9998]) {
        const info = await store.headerByHeight(h);
        assert.equal(info?.hashHex, headerHashHex(file.at(h)), `height ${h}`);
        assert.equal(info.onBestChain, true);
        assert.equal(info.confirmations, 10000 - h);
        assert.equal(info.chainworkHex, workHex(BigInt(h + 1) * 0x100010001n));
      }
      assert.equal(store.locator().at(-1), MAINNET.genesisHashHex);

      // Re-sending a batch changes nothing.
      const again = await store.connectHeaders(file.range(4000, 5999));
      assert.equal(again.outcome, 'duplicate');
      assert.equal(again.duplicates, 2000);
      assert.equal(again.stored, 0);
      assert.equal(again.tip.hashHex, tip.hashHex);
      // getheaders from genesis returns the next 2000 headers byte for byte.
      const served = await store.headersAfterLocator([MAINNET.genesisHashHex], null);
      assert.deepEqual(served, file.range(1, 2000));
      await assertAuditOk(store);
    } finally {
      await close();
    }
  });
});

describe('testnet3 0-9999 from genesis (20-minute rule and walk-back)', { skip: skipUnlessFixture(FX.testnet3) }, () => {
  it('is accepted whole: retargets, min-difficulty runs 4033-4208, walk-back at 4209 and 8063, checkpoint 546', async () => {
    const file = new HeaderFile(readFixture(FX.testnet3), 0);
    const { store, close } = await openStore(TESTNET3, { kind: 'genesis' });
    try {
      await connectWhole(store, file, 0, 9999);
      const tip = store.tip();
      assert.equal(tip.height, 9999);
      assert.equal(tip.hashHex, headerHashHex(file.at(9999)));
      assert.equal(tip.chainworkHex, workHex(sumWork(file, 0n, 0, 9999)));

      const bitsOf = async (h: number): Promise<number> => {
        const info = await store.headerByHeight(h);
        assert.ok(info !== null);
        return headerBits(info.header);
      };
      assert.equal(await bitsOf(4032), 0x1c3fffc0);
      for (const h of [4033, 4100, 4208]) assert.equal(await bitsOf(h), 0x1d00ffff, `min-difficulty at ${h}`);
      assert.equal(await bitsOf(4209), 0x1c3fffc0);
      assert.equal(await bitsOf(6048), 0x1c0ffff0);
      assert.equal(await bitsOf(8062), 0x1d00ffff);
      assert.equal(await bitsOf(8063), 0x1c0ffff0);
      assert.equal(await bitsOf(8064), 0x1c3fffc0);
      assert.equal((await store.headerByHeight(546))?.hashHex, TESTNET3.checkpoints.get(546));
      await assertAuditOk(store);
    } finally {
      await close();
    }
  });
});

describe(
  'mainnet 822528-830592 from a trusted anchor at 822528, and the stale header 823226',
  { skip: skipUnlessFixture(FX.mainnet822528, FX.boundaries, FX.stale823226) },
  () => {
    let file: HeaderFile;
    let rows: Map<number, Boundary>;
    let ctx: { store: HeaderStore; close: () => Promise<void> };

    before(async () => {
      file = new HeaderFile(readFixture(FX.mainnet822528), 822528);
      rows = loadBoundaries();
      const anchor: Anchor = { height: 822528, header: file.at(822528), chainwork: boundary(rows, 822528).chainwork };
      assert.equal(headerHashHex(anchor.header), boundary(rows, 822528).hash);
      ctx = await openStore(MAINNET, { kind: 'anchor', anchor });
    });

    after(async () => {
      await ctx?.close();
    });

    it('is accepted whole across 4 retargets; chainwork at every boundary and the tip equals the JSON', async () => {
      const { store } = ctx;
      assert.equal(store.stats().anchorHeight, 822528);
      assert.equal(store.tip().chainworkHex, workHex(boundary(rows, 822528).chainwork));
      const results = await connectWhole(store, file, 822528, 830592);
      assert.equal(results[0]!.duplicates, 1); // the anchor itself
      const tip = store.tip();
      assert.equal(tip.height, 830592);
      assert.equal(tip.hashHex, boundary(rows, 830592).hash);
      assert.equal(tip.chainworkHex, workHex(boundary(rows, 830592).chainwork));
      for (const h of [824543, 824544, 826559, 826560, 828575, 828576, 830591, 830592]) {
        const info = await store.headerByHeight(h);
        assert.equal(info?.hashHex, boundary(rows, h).hash, `hash at ${h}`);
        assert.equal(info.chainworkHex, workHex(boundary(rows, h).chainwork), `chainwork at ${h}`);
      }
      assert.deepEqual(
        await Promise.all([824544, 826560, 828576, 830592].map(async (h) => headerBits((await store.headerByHeight(h))!.header))),
        [0x1703d869, 0x1704005a, 0x1703ba5d, 0x170371b1],
      );
      assert.equal(await store.headerByHeight(822527), null);
      assert.equal(store.locator().at(-1), boundary(rows, 822528).hash);
      await assertAuditOk(store);
    });

    it('a batch starting below the anchor does not connect', async () => {
      const { store } = ctx;
      const tip = store.tip();
      const lower = boundary(rows, 822527).header; // the anchor's parent, never stored
      const r = await store.connectHeaders(lower);
      assert.equal(r.outcome, 'unconnected');
      assert.equal(r.rejected?.code, 'HEADER_UNCONNECTED');
      assert.equal(r.missingHashHex, hashToHex(lower.subarray(4, 36)));
      assert.deepEqual(store.tip(), tip);
    });

    it('the real stale header 823226 is stored as a side branch: outcome side, 0 confirmations, tip unchanged', async () => {
      const { store } = ctx;
      const tip = store.tip();
      const stale = readFixture(FX.stale823226);
      assert.equal(stale.length, 80);
      const staleHex = headerHashHex(stale);
      assert.match(staleHex, /^0000000000000000000365e705dbbea4/);
      assert.equal(hashToHex(stale.subarray(4, 36)), headerHashHex(file.at(823225)));
      assert.notEqual(staleHex, headerHashHex(file.at(823226)));

      const r = await store.connectHeaders(stale);
      assert.equal(r.rejected, null);
      assert.equal(r.outcome, 'side');
      assert.equal(r.stored, 1);
      assert.equal(r.connectedCount, 0);
      assert.equal(r.lastHeight, 823226);
      assert.deepEqual(r.tip, tip);
      assert.deepEqual(store.tip(), tip);

      assert.equal(await store.confirmations(staleHex), 0);
      const info = await store.headerByHash(staleHex);
      assert.ok(info !== null);
      assert.equal(info.height, 823226);
      assert.equal(info.onBestChain, false);
      assert.equal(info.confirmations, 0);
      const parentWork = BigInt('0x' + (await store.headerByHeight(823225))!.chainworkHex);
      assert.equal(info.chainworkHex, workHex(parentWork + workFromBits(headerBits(stale))));
      // The main-chain header at the same height keeps its confirmations.
      assert.equal(await store.confirmations(headerHashHex(file.at(823226))), 830592 - 823226 + 1);
      assert.equal((await store.headerByHeight(823226))?.hashHex, headerHashHex(file.at(823226)));
      assert.equal((await store.ancestorAt(staleHex, 823225))?.hashHex, headerHashHex(file.at(823225)));

      // Sent again, it is a duplicate.
      const again = await store.connectHeaders(stale);
      assert.equal(again.outcome, 'duplicate');
      assert.equal(again.stored, 0);
      assert.equal(store.stats().headerCount, 8065 + 1);
      await assertAuditOk(store);
    });
  },
);

describe('mainnet 30000-39999 from an anchor at 30240 (first real difficulty changes)', { skip: skipUnlessFixture(FX.mainnet30000) }, () => {
  it('is accepted: retargets 32256, 34272, 36288, 38304 and checkpoint 33333', async () => {
    const file = new HeaderFile(readFixture(FX.mainnet30000), 30000);
    // Every header up to 32255 has bits 0x1d00ffff, so the chainwork at 30240 is 30241 x genesis work.
    const anchorWork = 30241n * 0x100010001n;
    const { store, close } = await openStore(MAINNET, {
      kind: 'anchor',
      anchor: { height: 30240, header: file.at(30240), chainwork: anchorWork },
    });
    try {
      await connectWhole(store, file, 30240, 39999);
      const tip = store.tip();
      assert.equal(tip.height, 39999);
      assert.equal(tip.hashHex, headerHashHex(file.at(39999)));
      assert.equal(tip.chainworkHex, workHex(sumWork(file, anchorWork, 30241, 39999)));
      const expected: [number, number][] = [
        [32255, 0x1d00ffff],
        [32256, 0x1d00d86a],
        [34272, 0x1d00c428],
        [36288, 0x1d00be71],
        [38304, 0x1d008cc3],
      ];
      for (const [h, bits] of expected) {
        assert.equal(headerBits((await store.headerByHeight(h))!.header), bits, `bits at ${h}`);
      }
      assert.equal((await store.headerByHeight(33333))?.hashHex, MAINNET.checkpoints.get(33333));
      await assertAuditOk(store);
    } finally {
      await close();
    }
  });

  it(
    'its chainwork agrees with the boundary JSON at 30240 and at each retarget',
    { skip: skipUnlessFixture(FX.boundaries) },
    async () => {
      const rows = loadBoundaries();
      const file = new HeaderFile(readFixture(FX.mainnet30000), 30000);
      assert.equal(boundary(rows, 30240).chainwork, 30241n * 0x100010001n);
      const { store, close } = await openStore(MAINNET, {
        kind: 'anchor',
        anchor: { height: 30240, header: file.at(30240), chainwork: boundary(rows, 30240).chainwork },
      });
      try {
        await connectWhole(store, file, 30241, 39999, 5000);
        for (const h of [32255, 32256, 34271, 34272, 36287, 36288, 38303, 38304]) {
          const info = await store.headerByHeight(h);
          assert.equal(info?.hashHex, boundary(rows, h).hash, `hash at ${h}`);
          assert.equal(info.chainworkHex, workHex(boundary(rows, h).chainwork), `chainwork at ${h}`);
        }
      } finally {
        await close();
      }
    },
  );
});

describe('mainnet 586657-589289 (retarget at 588672)', { skip: skipUnlessFixture(FX.mainnet586657, FX.boundaries) }, () => {
  it('from an anchor at 586656 (boundary JSON) the whole file is accepted, the retarget checked in the store', async () => {
    const rows = loadBoundaries();
    const file = new HeaderFile(readFixture(FX.mainnet586657), 586657);
    const a = boundary(rows, 586656);
    const { store, close } = await openStore(MAINNET, {
      kind: 'anchor',
      anchor: { height: 586656, header: a.header, chainwork: a.chainwork },
    });
    try {
      await connectWhole(store, file, 586657, 589289);
      assert.equal(store.tip().height, 589289);
      assert.equal(store.tip().chainworkHex, workHex(sumWork(file, a.chainwork, 586657, 589289)));
      for (const h of [588671, 588672]) {
        const info = await store.headerByHeight(h);
        assert.equal(info?.hashHex, boundary(rows, h).hash);
        assert.equal(info.chainworkHex, workHex(boundary(rows, h).chainwork), `chainwork at ${h}`);
      }
      assert.equal(headerBits((await store.headerByHeight(588671))!.header), 0x171f3a08);
      assert.equal(headerBits((await store.headerByHeight(588672))!.header), 0x171c3039);
      await assertAuditOk(store);
    } finally {
      await close();
    }
  });

  it('from an anchor at 588672 (inside the file) the rest is accepted', async () => {
    const rows = loadBoundaries();
    const file = new HeaderFile(readFixture(FX.mainnet586657), 586657);
    const { store, close } = await openStore(MAINNET, {
      kind: 'anchor',
      anchor: { height: 588672, header: file.at(588672), chainwork: boundary(rows, 588672).chainwork },
    });
    try {
      await connectWhole(store, file, 588672, 589289);
      assert.equal(store.tip().hashHex, headerHashHex(file.at(589289)));
      assert.equal(store.tip().chainworkHex, workHex(sumWork(file, boundary(rows, 588672).chainwork, 588673, 589289)));
      // Headers of the previous period cannot be attached below the anchor.
      const r = await store.connectHeaders(file.range(588000, 588010));
      assert.equal(r.outcome, 'unconnected');
      assert.equal(store.tip().height, 589289);
      await assertAuditOk(store);
    } finally {
      await close();
    }
  });
});

describe('anchor validation with real headers', { skip: skipUnlessFixture(FX.mainnet822528) }, () => {
  const cases: [string, (f: HeaderFile) => Anchor][] = [
    ['a height that is not a multiple of 2016', (f) => ({ height: 822529, header: f.at(822529), chainwork: 1n << 90n })],
    [
      'a header failing PoW',
      (f) => {
        const h = new Uint8Array(f.at(822528));
        h[76] = h[76]! ^ 1;
        return { height: 822528, header: h, chainwork: 1n << 90n };
      },
    ],
    ['chainwork below the header own work', (f) => ({ height: 822528, header: f.at(822528), chainwork: 1n })],
    ['a header of the wrong length', (f) => ({ height: 822528, header: f.at(822528).subarray(0, 79), chainwork: 1n << 90n })],
  ];
  for (const [name, make] of cases) {
    it(`rejects ${name} with ANCHOR_INVALID`, async () => {
      const file = new HeaderFile(readFixture(FX.mainnet822528), 822528);
      const dir = tempDir('spv-fixture-anchor-');
      try {
        await assert.rejects(
          HeaderStore.open({ path: dir.path, params: MAINNET, start: { kind: 'anchor', anchor: make(file) } }),
          hasCode('ANCHOR_INVALID'),
        );
      } finally {
        dir.cleanup();
      }
    });
  }
});
