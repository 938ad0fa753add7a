import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { buildMerkleProof, serializeMerkleProof, verifyTxInProof } from '../../../src/merkle/index.js';
import { pairHash } from '../../../src/merkle/pairHash.js';
import { mulberry32 } from '../../helpers/random.js';
import { fixtureBlock, FXM } from './merkleTestUtil.js';
import { skipUnlessFixture } from '../../helpers/fixtures.js';

function referenceSha256d(data: Uint8Array): Uint8Array {
  const first = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(first).digest());
}

describe('pairHash (hand-written sha256d of two hashes)', () => {
  it('equals node:crypto sha256d(left ‖ right) on 5,000 seeded random pairs and on edge patterns', () => {
    const next = mulberry32(2459);
    const bytes = (): Uint8Array => Uint8Array.from({ length: 32 }, () => Math.floor(next() * 256));
    const pairs: Array<[Uint8Array, Uint8Array]> = [
      [new Uint8Array(32), new Uint8Array(32)],
      [new Uint8Array(32).fill(0xff), new Uint8Array(32).fill(0xff)],
      [new Uint8Array(32).fill(0x80), new Uint8Array(32).fill(0x7f)],
    ];
    for (let i = 0; i < 5000; i++) pairs.push([bytes(), bytes()]);
    for (const [l, r] of pairs) {
      const preimage = new Uint8Array(64);
      preimage.set(l, 0);
      preimage.set(r, 32);
      assert.deepEqual(pairHash(l, r), referenceSha256d(preimage));
    }
  });

  it('refuses halves that are not 32 bytes', () => {
    assert.throws(() => pairHash(new Uint8Array(31), new Uint8Array(32)), RangeError);
    assert.throws(() => pairHash(new Uint8Array(32), new Uint8Array(33)), RangeError);
  });
});

describe('verifyTxInProof txid (stripped serialization hashed directly)', () => {
  it('proves every transaction of real blocks, witness and legacy, at its index', { skip: skipUnlessFixture(FXM.block482683, FXM.block300025) }, () => {
    for (const rel of [FXM.block482683, FXM.block300025]) {
      const b = fixtureBlock(rel);
      let witnessTxs = 0;
      b.txs.forEach((tx, i) => {
        if (tx.hasWitnesses()) witnessTxs++;
        const proof = serializeMerkleProof(buildMerkleProof(b.txids, [i], b.header));
        const r = verifyTxInProof(new Uint8Array(tx.toBuffer()), proof);
        assert.equal(r.index, i);
        assert.equal(r.txidHex, tx.getId());
      });
      if (rel === FXM.block482683) assert.ok(witnessTxs > 0, 'the post-segwit block has witness transactions');
    }
  });

  it('a transaction proven by another txid is still MERKLE_TX_NOT_IN_PROOF', () => {
    const tx = new Transaction();
    tx.addInput(new Uint8Array(32).fill(7), 0);
    tx.addOutput(new Uint8Array(25).fill(1), 1000n);
    const other = new Transaction();
    other.addInput(new Uint8Array(32).fill(8), 0);
    other.addOutput(new Uint8Array(25).fill(1), 1000n);
    const ids = [tx.getHash(false), other.getHash(false)];
    const header = new Uint8Array(80);
    header.set(pairHash(ids[0]!, ids[1]!), 36);
    const proofOfOther = serializeMerkleProof(buildMerkleProof(ids, [1], header));
    assert.throws(
      () => verifyTxInProof(new Uint8Array(tx.toBuffer()), proofOfOther),
      (err: unknown) => (err as { code?: string }).code === 'MERKLE_TX_NOT_IN_PROOF',
    );
    assert.equal(verifyTxInProof(new Uint8Array(other.toBuffer()), proofOfOther).index, 1);
  });
});
