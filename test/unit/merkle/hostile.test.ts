import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { sha256d } from '../../../src/chain/hash.js';
import {
  MAX_PROOF_TRANSACTIONS,
  buildMerkleProof,
  checkMatchDepth,
  merkleRoot,
  parseMerkleProof,
  parsesAsTransaction,
  serializeMerkleProof,
  treeHeight,
  verifyMerkleProof,
  verifyMerkleProofBytes,
  verifyTxInProof,
} from '../../../src/merkle/index.js';
import type { MerkleProof } from '../../../src/merkle/index.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import { concatBytes, fromHex } from '../../../src/util/bytes.js';
import { maxMerkleFlagBytes } from '../../../src/wire/limits.js';
import { mulberry32 } from '../../helpers/random.js';
import { readFixture, skipUnlessFixture } from '../../helpers/fixtures.js';
import { FXM, fakeTxid, fixtureBlock, hasCode, headerWithRoot, tx64, withByte } from './merkleTestUtil.js';

const PROOF0 = FXM.proof830000(0); // 12 hashes, flags ff0f00: 23 bits used, 1 padding bit
const skip0 = skipUnlessFixture(PROOF0);
const real = (): Uint8Array => readFixture(PROOF0);
const realProof = (): MerkleProof => parseMerkleProof(real());
const COUNT_OFFSET = 80;
const HASHES_OFFSET = 85; // 80 header + 4 count + 1-byte CompactSize (12)

function withCount(raw: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(raw);
  new DataView(out.buffer).setUint32(COUNT_OFFSET, count >>> 0, true);
  return out;
}

/** A 4-tx tree [a, b, c, d] with a header over its real root. */
function smallTree(txids: Uint8Array[]): { header: Uint8Array; txids: Uint8Array[] } {
  return { header: headerWithRoot(merkleRoot(txids).root), txids };
}

describe('parseMerkleProof: serialization errors', () => {
  it('every proper prefix is MERKLE_TRUNCATED', { skip: skip0 }, () => {
    const raw = real();
    for (let len = 0; len < raw.length; len++) {
      assert.throws(() => parseMerkleProof(raw.subarray(0, len)), hasCode('MERKLE_TRUNCATED'), `prefix ${len}`);
    }
  });

  it('trailing bytes are MERKLE_TRAILING_BYTES', { skip: skip0 }, () => {
    assert.throws(() => parseMerkleProof(concatBytes(real(), Uint8Array.of(0))), hasCode('MERKLE_TRAILING_BYTES'));
  });

  it('a non-canonical CompactSize is MERKLE_MALFORMED', { skip: skip0 }, () => {
    const raw = real();
    const nonCanonical = concatBytes(raw.subarray(0, 84), Uint8Array.of(0xfd, 12, 0), raw.subarray(85));
    assert.throws(() => parseMerkleProof(nonCanonical), hasCode('MERKLE_MALFORMED'));
  });

  it('a huge hash or flag count is checked against the remaining bytes before allocating', { skip: skip0 }, () => {
    const raw = real();
    const hugeHashes = concatBytes(raw.subarray(0, 84), Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0xff), raw.subarray(85));
    assert.throws(() => parseMerkleProof(hugeHashes), hasCode('MERKLE_TRUNCATED'));
    const flagsAt = HASHES_OFFSET + 12 * 32;
    const hugeFlags = concatBytes(raw.subarray(0, flagsAt), Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0x7f), raw.subarray(flagsAt + 1));
    assert.throws(() => parseMerkleProof(hugeFlags), hasCode('MERKLE_TRUNCATED'));
  });

  it('hand-built proof objects with wrong field sizes are MERKLE_MALFORMED', { skip: skip0 }, () => {
    const p = realProof();
    assert.throws(() => verifyMerkleProof({ ...p, header: p.header.subarray(0, 79) }), hasCode('MERKLE_MALFORMED'));
    assert.throws(() => verifyMerkleProof({ ...p, hashes: [p.hashes[0]!.subarray(0, 31), ...p.hashes.slice(1)] }), hasCode('MERKLE_MALFORMED'));
    assert.throws(() => verifyMerkleProof({ ...p, totalTransactions: -1 }), hasCode('MERKLE_MALFORMED'));
    assert.throws(() => verifyMerkleProof({ ...p, totalTransactions: 1.5 }), hasCode('MERKLE_MALFORMED'));
  });
});

describe('verifyMerkleProof: transaction count, hash and flag-bit counts', () => {
  it('tx count 0 is MERKLE_TX_COUNT_ZERO', { skip: skip0 }, () => {
    assert.throws(() => verifyMerkleProofBytes(withCount(real(), 0)), hasCode('MERKLE_TX_COUNT_ZERO'));
  });

  it(`tx count above ${MAX_PROOF_TRANSACTIONS} (4,000,000 / 60) is MERKLE_TX_COUNT_TOO_LARGE`, { skip: skip0 }, () => {
    assert.equal(MAX_PROOF_TRANSACTIONS, 66_666);
    for (const n of [66_667, 1_000_000, 0xffffffff]) {
      assert.throws(() => verifyMerkleProofBytes(withCount(real(), n)), hasCode('MERKLE_TX_COUNT_TOO_LARGE'), String(n));
    }
    // At the bound (and above Core's 16,666) the count is accepted; the tree then fails on its own.
    for (const n of [16_667, 66_666]) {
      assert.throws(
        () => verifyMerkleProofBytes(withCount(real(), n)),
        (err: unknown) => isSpvError(err) && err.code !== 'MERKLE_TX_COUNT_TOO_LARGE',
      );
    }
  });

  it('more hashes than transactions is MERKLE_TOO_MANY_HASHES', { skip: skip0 }, () => {
    assert.throws(() => verifyMerkleProofBytes(withCount(real(), 11)), hasCode('MERKLE_TOO_MANY_HASHES'));
    const p = realProof();
    assert.throws(() => verifyMerkleProof({ ...p, totalTransactions: 1 }), hasCode('MERKLE_TOO_MANY_HASHES'));
  });

  it('fewer flag bits than hashes is MERKLE_TOO_FEW_FLAG_BITS', { skip: skip0 }, () => {
    const p = realProof();
    assert.throws(() => verifyMerkleProof({ ...p, flags: Uint8Array.of(0xff) }), hasCode('MERKLE_TOO_FEW_FLAG_BITS'));
    assert.throws(() => verifyMerkleProof({ ...p, flags: new Uint8Array(0) }), hasCode('MERKLE_TOO_FEW_FLAG_BITS'));
  });

  it('an extra unused hash is MERKLE_HASHES_NOT_CONSUMED', { skip: skip0 }, () => {
    const p = realProof();
    const extra = { ...p, hashes: [...p.hashes, fakeTxid(7)] };
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof(extra)), hasCode('MERKLE_HASHES_NOT_CONSUMED'));
  });

  it('extra flag bytes, non-zero padding bits and more flag bytes than tree nodes are MERKLE_FLAGS_NOT_CONSUMED', { skip: skip0 }, () => {
    const p = realProof();
    const extraByte = { ...p, flags: concatBytes(p.flags, Uint8Array.of(0)) };
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof(extraByte)), hasCode('MERKLE_FLAGS_NOT_CONSUMED'));
    // bit 23 is the only padding bit of ff 0f 00
    const padded = { ...p, flags: Uint8Array.of(0xff, 0x0f, 0x80) };
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof(padded)), hasCode('MERKLE_FLAGS_NOT_CONSUMED'));
    const tooMany = { ...p, flags: concatBytes(p.flags, new Uint8Array(maxMerkleFlagBytes(1851))) };
    assert.throws(() => verifyMerkleProof(tooMany), hasCode('MERKLE_FLAGS_NOT_CONSUMED'));
  });

  it('running out of hashes or flag bits (truncated hashes / flags) is MERKLE_BAD_TREE', { skip: skip0 }, () => {
    const p = realProof();
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof({ ...p, hashes: p.hashes.slice(0, -1) })), hasCode('MERKLE_BAD_TREE'));
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof({ ...p, flags: p.flags.subarray(0, 2) })), hasCode('MERKLE_BAD_TREE'));
    // all ones: every node descends, the hashes run out long before the leaves
    assert.throws(() => verifyMerkleProof({ ...p, flags: Uint8Array.of(0xff, 0xff, 0xff) }), hasCode('MERKLE_BAD_TREE'));
  });
});

describe('verifyMerkleProof: root, CVE-2012-2459, CVE-2017-12842, matches', () => {
  it('a mutated header root or a mutated proof hash is MERKLE_ROOT_MISMATCH', { skip: skip0 }, () => {
    const raw = real();
    assert.throws(() => verifyMerkleProofBytes(withByte(raw, 40, raw[40]! ^ 1)), hasCode('MERKLE_ROOT_MISMATCH'));
    assert.throws(() => verifyMerkleProofBytes(withByte(raw, HASHES_OFFSET + 5 * 32, raw[HASHES_OFFSET + 5 * 32]! ^ 0x80)), hasCode('MERKLE_ROOT_MISMATCH'));
    const t = smallTree([fakeTxid(1), fakeTxid(2), fakeTxid(3)]);
    const wrong = buildMerkleProof(t.txids, [1], headerWithRoot(fakeTxid(99)));
    assert.throws(() => verifyMerkleProof(wrong), hasCode('MERKLE_ROOT_MISMATCH'));
  });

  it('CVE-2012-2459: last two txids equal ([a,b,c,c] has the root of [a,b,c]) is MERKLE_DUPLICATE_CHILDREN', () => {
    const [a, b, c] = [fakeTxid(1), fakeTxid(2), fakeTxid(3)];
    const honest = smallTree([a, b, c]);
    assert.equal(verifyMerkleProof(buildMerkleProof(honest.txids, [2], honest.header)).matches[0]!.index, 2);
    for (const match of [2, 3]) {
      const proof = buildMerkleProof([a, b, c, c], [match], honest.header);
      assert.throws(() => verifyMerkleProof(proof), hasCode('MERKLE_DUPLICATE_CHILDREN'), `match ${match}`);
    }
  });

  it('CVE-2012-2459: a duplicated right subtree ([t0..t5, t4, t5]) is MERKLE_DUPLICATE_CHILDREN', () => {
    const six = Array.from({ length: 6 }, (_, i) => fakeTxid(i));
    const honest = smallTree(six);
    const proof = buildMerkleProof([...six, six[4]!, six[5]!], [6], honest.header);
    assert.throws(() => verifyMerkleProof(proof), hasCode('MERKLE_DUPLICATE_CHILDREN'));
  });

  it('CVE-2012-2459 on mainnet block 830000: its 1851 txids + a copy of the last have the real root; rejected', { skip: skipUnlessFixture(FXM.block830000) }, () => {
    const block = fixtureBlock(FXM.block830000);
    const mutatedList = [...block.txids, block.txids[1850]!];
    const r = merkleRoot(mutatedList);
    assert.deepEqual(r.root, block.header.subarray(36, 68), 'same root as the real block');
    assert.equal(r.mutated, true);
    for (const match of [1850, 1851]) {
      const proof = buildMerkleProof(mutatedList, [match], block.header);
      assert.throws(() => verifyMerkleProof(proof), hasCode('MERKLE_DUPLICATE_CHILDREN'), `match ${match}`);
    }
  });

  it('an inner node whose 64-byte preimage is a transaction is MERKLE_INNER_NODE_IS_TX', () => {
    const t = tx64();
    assert.equal(parsesAsTransaction(t), true);
    const left = t.slice(0, 32);
    const right = t.slice(32);
    // In [a, b, L, R] the node above L and R hashes to txid(t): the tree does not say whether it is a leaf.
    const tree = smallTree([fakeTxid(1), fakeTxid(2), left, right]);
    assert.deepEqual(sha256d(t), Transaction.fromBuffer(t).getHash(false));
    for (const match of [2, 3]) {
      const proof = buildMerkleProof(tree.txids, [match], tree.header);
      assert.throws(() => verifyMerkleProof(proof), hasCode('MERKLE_INNER_NODE_IS_TX'), `match ${match}`);
    }
    // Proving a or b does not compute that node (its hash is given), so nothing to object to.
    assert.equal(verifyMerkleProof(buildMerkleProof(tree.txids, [0], tree.header)).matches[0]!.index, 0);
  });

  it('parsesAsTransaction: random 64 bytes are not a transaction; zero-input and witness-form 64-byte serializations are', () => {
    const rand = mulberry32(0x64b);
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 256));
      assert.equal(parsesAsTransaction(b), false);
    }
    assert.equal(parsesAsTransaction(concatBytes(tx64(), Uint8Array.of(0))), false, 'trailing byte');
    // Zero inputs, two outputs with 18-byte scripts: 4 + 1 + 1 + 2 * 27 + 4 = 64 (byte 5 = 2, so not a segwit flag).
    const zeroIn = new Transaction();
    zeroIn.addOutput(new Uint8Array(18), 0n);
    zeroIn.addOutput(new Uint8Array(18), 0n);
    assert.equal(zeroIn.toBuffer().length, 64);
    assert.equal(parsesAsTransaction(zeroIn.toBuffer()), true);
    // Witness form: 4 + 2 + 1 + 41 + 1 + 9 + 2 (one empty witness item) + 4 = 64.
    const witnessForm = new Transaction();
    witnessForm.addInput(new Uint8Array(32).fill(3), 0);
    witnessForm.addOutput(new Uint8Array(0), 5n);
    witnessForm.setWitness(0, [new Uint8Array(0)]);
    assert.equal(witnessForm.toBuffer().length, 64);
    assert.equal(parsesAsTransaction(witnessForm.toBuffer()), true);
  });

  it('parsesAsTransaction agrees with a bitcoinjs-lib parse and exact re-serialization on 64-byte inputs', () => {
    // The walk replaced a bitcoinjs-lib round trip in the chain worker; this is that reference, on random mutations
    // of 64-byte serializations (plain, zero-input and witness form) where both answers occur.
    const reference = (b: Uint8Array): boolean => {
      try {
        return Buffer.from(Transaction.fromBuffer(b).toBuffer()).equals(Buffer.from(b));
      } catch {
        return false;
      }
    };
    const zeroIn = new Transaction();
    zeroIn.addOutput(new Uint8Array(18), 0n);
    zeroIn.addOutput(new Uint8Array(18), 0n);
    const witnessForm = new Transaction();
    witnessForm.addInput(new Uint8Array(32).fill(3), 0);
    witnessForm.addOutput(new Uint8Array(0), 5n);
    witnessForm.setWitness(0, [new Uint8Array(0)]);
    const seeds = [tx64(), zeroIn.toBuffer(), witnessForm.toBuffer()];
    const rand = mulberry32(0x1e4f);
    const seen = { tx: 0, not: 0 };
    for (let i = 0; i < 30_000; i++) {
      const b = new Uint8Array(seeds[i % seeds.length]!);
      const edits = 1 + Math.floor(rand() * 2);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * 64);
        // Structure bytes (counts, lengths, marker/flag) take small values, so both answers are common.
        b[at] = rand() < 0.5 ? Math.floor(rand() * 4) : Math.floor(rand() * 256);
      }
      const want = reference(b);
      assert.equal(parsesAsTransaction(b), want, Buffer.from(b).toString('hex'));
      seen[want ? 'tx' : 'not']++;
    }
    assert.ok(seen.tx > 1000 && seen.not > 1000, JSON.stringify(seen));
  });

  it('a 64-byte transaction proven by a valid proof is MERKLE_TX_64_BYTES in verifyTxInProof', () => {
    const t = tx64();
    const tree = smallTree([fakeTxid(1), sha256d(t)]);
    const proof = serializeMerkleProof(buildMerkleProof(tree.txids, [1], tree.header));
    assert.equal(verifyMerkleProofBytes(proof).matches[0]!.index, 1, 'the proof itself is fine');
    assert.throws(() => verifyTxInProof(t, proof), hasCode('MERKLE_TX_64_BYTES'));
  });

  it('a proof that matches nothing is MERKLE_NO_MATCH', { skip: skip0 }, () => {
    const tree = smallTree(Array.from({ length: 5 }, (_, i) => fakeTxid(i)));
    const none = buildMerkleProof(tree.txids, [], tree.header);
    assert.equal(none.hashes.length, 1);
    assert.throws(() => verifyMerkleProof(none), hasCode('MERKLE_NO_MATCH'));
    // the real block: its root alone, flag 0
    const p = realProof();
    const rootOnly = { ...p, hashes: [p.header.slice(36, 68)], flags: Uint8Array.of(0) };
    assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof(rootOnly)), hasCode('MERKLE_NO_MATCH'));
  });

  it('the same txid matched at two indexes is MERKLE_DUPLICATE_MATCH', () => {
    const [a, b, c] = [fakeTxid(1), fakeTxid(2), fakeTxid(3)];
    const tree = smallTree([a, b, a, c]);
    assert.throws(() => verifyMerkleProof(buildMerkleProof(tree.txids, [0, 2], tree.header)), hasCode('MERKLE_DUPLICATE_MATCH'));
    assert.equal(verifyMerkleProof(buildMerkleProof(tree.txids, [0], tree.header)).matches.length, 1);
  });

  it('checkMatchDepth: a leaf off the leaf level or past the last tx is MERKLE_DEPTH_MISMATCH', () => {
    const txid = fakeTxid(1);
    assert.equal(treeHeight(1851), 11);
    assert.doesNotThrow(() => checkMatchDepth([{ txid, index: 1850, depth: 11 }], 1851));
    assert.throws(() => checkMatchDepth([{ txid, index: 3, depth: 10 }], 1851), hasCode('MERKLE_DEPTH_MISMATCH'));
    assert.throws(() => checkMatchDepth([{ txid, index: 3, depth: 12 }], 1851), hasCode('MERKLE_DEPTH_MISMATCH'));
    assert.throws(() => checkMatchDepth([{ txid, index: 1851, depth: 11 }], 1851), hasCode('MERKLE_DEPTH_MISMATCH'));
    assert.throws(() => checkMatchDepth([{ txid, index: -1, depth: 11 }], 1851), hasCode('MERKLE_DEPTH_MISMATCH'));
  });
});

describe('verifyTxInProof: the transaction side', () => {
  it('a transaction not among the matches is MERKLE_TX_NOT_IN_PROOF', { skip: skipUnlessFixture(FXM.block830000, PROOF0) }, () => {
    const block = fixtureBlock(FXM.block830000);
    assert.throws(() => verifyTxInProof(block.txs[5]!.toBuffer(), real()), hasCode('MERKLE_TX_NOT_IN_PROOF'));
  });

  it('bytes that are not a transaction are TX_INVALID (checked before the proof)', { skip: skip0 }, () => {
    assert.throws(() => verifyTxInProof(fromHex('00'), real()), hasCode('TX_INVALID'));
    assert.throws(() => verifyTxInProof(new Uint8Array(0), real()), hasCode('TX_INVALID'));
    assert.throws(() => verifyTxInProof(concatBytes(tx64(), Uint8Array.of(1)), real()), hasCode('TX_INVALID'));
  });

  it('proof errors pass through with their own codes', { skip: skipUnlessFixture(FXM.block830000, PROOF0) }, () => {
    const tx = fixtureBlock(FXM.block830000).txs[0]!.toBuffer();
    assert.throws(() => verifyTxInProof(tx, withCount(real(), 0)), hasCode('MERKLE_TX_COUNT_ZERO'));
    assert.throws(() => verifyTxInProof(tx, concatBytes(real(), Uint8Array.of(0))), hasCode('MERKLE_TRAILING_BYTES'));
  });
});

describe('buildMerkleProof ↔ verifyMerkleProof (seeded random trees)', () => {
  it('every built proof verifies to exactly its matches and the merkleRoot root', () => {
    const rand = mulberry32(0xb17d);
    for (let iter = 0; iter < 300; iter++) {
      const n = 1 + Math.floor(rand() * (iter < 250 ? 70 : 600));
      const txids = Array.from({ length: n }, (_, i) => fakeTxid(i, iter));
      const indexes = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * n)))].sort((x, y) => x - y);
      const { root } = merkleRoot(txids);
      const raw = serializeMerkleProof(buildMerkleProof(txids, indexes, headerWithRoot(root)));
      const r = verifyMerkleProofBytes(raw);
      assert.deepEqual(r.root, root);
      assert.deepEqual(r.matches.map((m) => m.index), indexes, `n=${n}`);
      for (const m of r.matches) assert.deepEqual(m.txid, txids[m.index]);
    }
  });

  it('rejects misuse as a bug (INVARIANT)', () => {
    const h = headerWithRoot(fakeTxid(0));
    assert.throws(() => buildMerkleProof([], [], h), hasCode('INVARIANT'));
    assert.throws(() => buildMerkleProof([fakeTxid(0)], [1], h), hasCode('INVARIANT'));
    assert.throws(() => buildMerkleProof([fakeTxid(0)], [0], h.subarray(1)), hasCode('INVARIANT'));
  });
});
