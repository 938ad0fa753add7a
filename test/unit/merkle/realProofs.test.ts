import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerHashHex } from '../../../src/chain/header.js';
import {
  buildMerkleProof,
  merkleRoot,
  parseMerkleProof,
  serializeMerkleProof,
  verifyMerkleProof,
  verifyMerkleProofBytes,
  verifyTxInProof,
} from '../../../src/merkle/index.js';
import { fromHex, hashToHex, hexToHash, toHex } from '../../../src/util/bytes.js';
import { decodeMerkleBlockPayload } from '../../../src/wire/merkleBlock.js';
import { readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';
import { FXM, fixtureBlock, parseBlock } from './merkleTestUtil.js';

const INDEXES_830000 = [0, 1, 10, 100, 1000, 1850];
const PROOFS_831332: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['0', [0]],
  ['1', [1]],
  ['15', [15]],
  ['20', [20]],
  ['0_1_15_20_115_2019_2024', [0, 1, 15, 20, 115, 2019, 2024]],
];

describe('real gettxoutproof proofs: block 830000 (1851 txs)', () => {
  const files = INDEXES_830000.map((n) => FXM.proof830000(n));
  it('each verifies: root = header root, matched index = N, matched txid = block tx N', { skip: skipUnlessFixture(FXM.block830000, ...files) }, () => {
    const block = fixtureBlock(FXM.block830000);
    assert.equal(block.txids.length, 1851);
    for (const n of INDEXES_830000) {
      const raw = readFixture(FXM.proof830000(n));
      const r = verifyMerkleProofBytes(raw);
      assert.equal(r.totalTransactions, 1851);
      assert.deepEqual(r.root, block.header.subarray(36, 68));
      assert.equal(r.headerHashHex, headerHashHex(block.header));
      assert.equal(r.headerHashHex, '000000000000000000011d55599ed27d7efca05f5849b755319c89eb2cffbc1f');
      assert.equal(r.matches.length, 1);
      assert.equal(r.matches[0]!.index, n);
      assert.deepEqual(r.matches[0]!.txid, block.txids[n]);
      assert.equal(r.matches[0]!.txidHex, block.txs[n]!.getId());
      // buildMerkleProof is Core's CPartialMerkleTree construction: byte-identical to Core's gettxoutproof.
      assert.equal(toHex(serializeMerkleProof(buildMerkleProof(block.txids, [n], block.header))), toHex(raw), `proof ${n}`);
    }
  });

  it('1850 (the last tx, odd width on several levels) has 8 hashes', { skip: skipUnlessFixture(FXM.proof830000(1850)) }, () => {
    assert.equal(parseMerkleProof(readFixture(FXM.proof830000(1850))).hashes.length, 8);
  });

  it('verifyTxInProof with the real transaction (witness serialization) returns index, txid and header', { skip: skipUnlessFixture(FXM.block830000, ...files) }, () => {
    const block = fixtureBlock(FXM.block830000);
    let witnessTxs = 0;
    for (const n of INDEXES_830000) {
      const tx = block.txs[n]!;
      if (tx.hasWitnesses()) witnessTxs++;
      const r = verifyTxInProof(tx.toBuffer(), readFixture(FXM.proof830000(n)));
      assert.deepEqual(
        { txidHex: r.txidHex, index: r.index, headerHashHex: r.headerHashHex, root: hashToHex(r.root) },
        { txidHex: tx.getId(), index: n, headerHashHex: headerHashHex(block.header), root: hashToHex(block.header.subarray(36, 68)) },
      );
    }
    assert.ok(witnessTxs > 0, 'at least one proven tx has witnesses (txid, not wtxid, is what matches)');
  });
});

describe('real gettxoutproof proofs: block 831332 (2355 txs)', () => {
  const files = PROOFS_831332.map(([name]) => FXM.proof831332(name));
  it('single-tx proofs and the 7-tx proof verify with the right indexes and txids', { skip: skipUnlessFixture(FXM.block831332, ...files) }, () => {
    const block = fixtureBlock(FXM.block831332);
    assert.equal(block.txids.length, 2355);
    for (const [name, indexes] of PROOFS_831332) {
      const raw = readFixture(FXM.proof831332(name));
      const r = verifyMerkleProofBytes(raw);
      assert.equal(r.totalTransactions, 2355);
      assert.deepEqual(r.root, block.header.subarray(36, 68));
      assert.equal(r.headerHashHex, headerHashHex(block.header));
      assert.deepEqual(r.matches.map((m) => m.index), [...indexes], name);
      for (const m of r.matches) assert.deepEqual(m.txid, block.txids[m.index], `${name} @ ${m.index}`);
      assert.equal(toHex(serializeMerkleProof(buildMerkleProof(block.txids, indexes, block.header))), toHex(raw), name);
      for (const i of indexes) assert.equal(verifyTxInProof(block.txs[i]!.toBuffer(), raw).index, i);
    }
  });
});

describe('BIP37 merkleblock: block 300025 (bcoin vector)', () => {
  it('matches tx indexes 396 and 397 of the block; header equals the block header', { skip: skipUnlessFixture(FXM.block300025, FXM.merkleblock300025) }, () => {
    const block = fixtureBlock(FXM.block300025);
    const raw = readFixture(FXM.merkleblock300025);
    const proof = parseMerkleProof(raw);
    assert.equal(proof.hashes.length, 10);
    assert.deepEqual(proof.header, block.header);
    const r = verifyMerkleProof(proof);
    assert.equal(r.totalTransactions, 461);
    assert.deepEqual(r.matches.map((m) => m.index), [396, 397]);
    assert.deepEqual(r.matches.map((m) => m.txid), [block.txids[396], block.txids[397]]);
    assert.equal(r.headerHashHex, '0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c');
    assert.equal(toHex(serializeMerkleProof(buildMerkleProof(block.txids, [396, 397], block.header))), toHex(raw));
  });

  it("the wire codec's decoded merkleblock verifies as it is (same shape)", { skip: skipUnlessFixture(FXM.merkleblock300025) }, () => {
    const raw = readFixture(FXM.merkleblock300025);
    const msg = decodeMerkleBlockPayload(raw);
    assert.deepEqual(verifyMerkleProof(msg).matches.map((m) => m.index), [396, 397]);
    assert.deepEqual(serializeMerkleProof(parseMerkleProof(raw)), raw);
  });
});

interface BloomVectors {
  merkle_blocks: Array<{
    name: string;
    block_hash: string;
    block: string;
    step1_matched?: Array<[number, string]>;
    step2_matched_update_all?: Array<[number, string]>;
    step2_matched_update_none?: Array<[number, string]>;
    matched?: Array<[number, string]>;
    expected_merkleblock?: string;
  }>;
}

describe('Core bloom_tests.cpp merkle block vectors', () => {
  it('merkle_block_3: the expected serialized merkleblock parses, its root checks, it matches tx 0', { skip: skipUnlessFixture(FXM.bloomVectors) }, () => {
    const v = readFixtureJson<BloomVectors>(FXM.bloomVectors).merkle_blocks.find((m) => m.expected_merkleblock !== undefined);
    assert.ok(v?.expected_merkleblock !== undefined && v.matched !== undefined);
    const raw = fromHex(v.expected_merkleblock);
    const r = verifyMerkleProofBytes(raw);
    assert.equal(r.headerHashHex, v.block_hash);
    assert.equal(r.totalTransactions, 1);
    assert.deepEqual(r.matches.map((m) => [m.index, m.txidHex]), v.matched);
    const block = parseBlock(fromHex(v.block));
    assert.deepEqual(r.root, block.header.subarray(36, 68));
    assert.deepEqual(merkleRoot(block.txids).root, r.root);
    assert.equal(toHex(serializeMerkleProof(buildMerkleProof(block.txids, [0], block.header))), v.expected_merkleblock);
  });

  it('merkle_block_2: proofs built for each expected match set verify to exactly those matches', { skip: skipUnlessFixture(FXM.bloomVectors) }, () => {
    const v = readFixtureJson<BloomVectors>(FXM.bloomVectors).merkle_blocks.find((m) => m.name === 'merkle_block_2');
    assert.ok(v !== undefined);
    const block = parseBlock(fromHex(v.block));
    assert.equal(headerHashHex(block.header), v.block_hash);
    assert.deepEqual(merkleRoot(block.txids).root, block.header.subarray(36, 68));
    const sets = [v.step1_matched, v.step2_matched_update_all, v.step2_matched_update_none];
    for (const expected of sets) {
      assert.ok(expected !== undefined);
      for (const [i, txidHex] of expected) assert.deepEqual(block.txids[i], hexToHash(txidHex));
      const proof = buildMerkleProof(block.txids, expected.map(([i]) => i), block.header);
      const r = verifyMerkleProofBytes(serializeMerkleProof(proof));
      assert.deepEqual(r.matches.map((m) => [m.index, m.txidHex]), expected);
      assert.equal(r.headerHashHex, v.block_hash);
    }
  });
});
