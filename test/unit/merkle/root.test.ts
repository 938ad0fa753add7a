import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256d } from '../../../src/chain/hash.js';
import { headerHashHex } from '../../../src/chain/header.js';
import { merkleRoot, treeHeight, treeWidth } from '../../../src/merkle/index.js';
import { bytesEqual, concatBytes, fromHex } from '../../../src/util/bytes.js';
import { readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';
import { FXM, fakeTxid, fixtureBlock, parseBlock, splitBlkDat } from './merkleTestUtil.js';

describe('merkleRoot (Core ComputeMerkleRoot) on real blocks', () => {
  for (const rel of [FXM.block300025, FXM.block482683, FXM.block830000, FXM.block831332]) {
    it(`recomputes the header root of ${rel}`, { skip: skipUnlessFixture(rel) }, () => {
      const b = fixtureBlock(rel);
      const { root, mutated } = merkleRoot(b.txids);
      assert.deepEqual(root, b.header.subarray(36, 68));
      assert.equal(mutated, false);
    });
  }

  it('recomputes all 439 header roots of the blk*.dat-framed blocks 0-438', { skip: skipUnlessFixture(FXM.blocks0to438) }, () => {
    const blocks = splitBlkDat(readFixture(FXM.blocks0to438));
    assert.equal(blocks.length, 439);
    assert.equal(headerHashHex(blocks[0]!), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    let multiTx = 0;
    for (const [height, raw] of blocks.entries()) {
      const b = parseBlock(raw);
      if (b.txids.length > 1) multiTx++;
      const { root, mutated } = merkleRoot(b.txids);
      assert.deepEqual(root, b.header.subarray(36, 68), `height ${height}`);
      assert.equal(mutated, false);
    }
    assert.ok(multiTx > 0, 'some early blocks have more than the coinbase');
  });

  it('block 482683: the header root is over txids (non-witness), never wtxids; wtxids give the witness commitment', { skip: skipUnlessFixture(FXM.block482683) }, () => {
    const b = fixtureBlock(FXM.block482683);
    assert.equal(b.txs.length, 12);
    const withWitness = b.txs.filter((t) => t.hasWitnesses());
    assert.ok(withWitness.length > 1, 'some transactions carry witnesses');
    for (const t of withWitness) assert.ok(!bytesEqual(t.getHash(false), t.getHash(true)), 'txid != wtxid when witnessed');
    for (const [i, t] of b.txs.entries()) assert.deepEqual(b.txids[i], sha256d(stripped(t)));
    const header = b.header.subarray(36, 68);
    assert.deepEqual(merkleRoot(b.txids).root, header);
    // BIP141: wtxid of the coinbase is zero; the commitment is sha256d(witness root ‖ witness reserved value).
    const wtxids = b.txs.map((t, i) => (i === 0 ? new Uint8Array(32) : t.getHash(true)));
    const witnessRoot = merkleRoot(wtxids).root;
    assert.ok(!bytesEqual(witnessRoot, header));
    const reserved = b.txs[0]!.ins[0]!.witness[0]!;
    const commit = b.block.getWitnessCommit();
    assert.ok(commit !== null);
    assert.deepEqual(sha256d(concatBytes(witnessRoot, reserved)), commit);
  });
});

/** Non-witness serialization of a transaction (what a txid hashes). */
function stripped(t: ReturnType<typeof fixtureBlock>['txs'][number]): Uint8Array {
  const c = t.clone();
  c.stripWitnesses();
  return c.toBuffer();
}

describe('merkleRoot: edge cases and the mutation flag', () => {
  it('one txid is its own root; empty list is the zero hash (as Core)', () => {
    const a = fakeTxid(1);
    assert.deepEqual(merkleRoot([a]), { root: a, mutated: false });
    assert.deepEqual(merkleRoot([]), { root: new Uint8Array(32), mutated: false });
  });

  it('CVE-2012-2459: [a,b,c] and [a,b,c,c] have the same root; only the second is flagged mutated', () => {
    const [a, b, c] = [fakeTxid(1), fakeTxid(2), fakeTxid(3)];
    const honest = merkleRoot([a, b, c]);
    const dup = merkleRoot([a, b, c, c]);
    assert.deepEqual(dup.root, honest.root);
    assert.equal(honest.mutated, false);
    assert.equal(dup.mutated, true);
    // a duplicated pair on a higher level: [0..5] vs [0..5, 4, 5]
    const six = Array.from({ length: 6 }, (_, i) => fakeTxid(i));
    const eight = [...six, six[4]!, six[5]!];
    assert.deepEqual(merkleRoot(eight).root, merkleRoot(six).root);
    assert.equal(merkleRoot(eight).mutated, true);
    // equal hashes at an odd position are not a duplicate pair (Core only compares pos, pos + 1 for even pos)
    assert.equal(merkleRoot([a, b, b]).mutated, false);
  });

  it('tree widths and heights follow CalcTreeWidth', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 1851, 2355].map(treeHeight), [0, 1, 2, 2, 3, 11, 12]);
    assert.deepEqual([0, 1, 2, 3, 4].map((h) => treeWidth(1851, h)), [1851, 926, 463, 232, 116]);
  });
});

interface BloomVectors {
  merkle_blocks: Array<{ block: string }>;
}

describe('merkleRoot: Core bloom vector blocks', () => {
  it('recomputes both blocks', { skip: skipUnlessFixture(FXM.bloomVectors) }, () => {
    for (const v of readFixtureJson<BloomVectors>(FXM.bloomVectors).merkle_blocks) {
      const b = parseBlock(fromHex(v.block));
      assert.deepEqual(merkleRoot(b.txids).root, b.header.subarray(36, 68));
    }
  });
});
