import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildMerkleProof,
  MAX_PROOF_TRANSACTIONS,
  merkleRoot,
  parseMerkleProof,
  serializeMerkleProof,
  verifyMerkleProof,
  verifyMerkleProofBytes,
  verifyTxInProof,
} from '../../src/merkle/index.js';
import type { MerkleProof } from '../../src/merkle/index.js';
import { isSpvError } from '../../src/errors/spvError.js';
import { bytesEqual, concatBytes, toHex } from '../../src/util/bytes.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { FXM, headerWithRoot, tx64 } from '../unit/merkle/merkleTestUtil.js';
import { arrayBufferBytes, assertTypedError, check, compactSize, hostileBytes, FUZZ_TIMEOUT_MS } from './fuzzUtil.js';

/**
 * fast-check over the merkleblock / gettxoutproof parser and verifier (builds on test/unit/merkle/mutationSweep, which
 * sweeps real proofs byte by byte): random and mutated bytes only ever give MERKLE_* / TX_INVALID; proofs built over
 * random trees and then altered as objects are either rejected or verify to TRUE (index, txid) pairs under the true
 * root; a tiny proof claiming a huge hash or flag count fails before allocating.
 */
const REAL = [FXM.merkleblock300025, FXM.proof830000(1850), FXM.proof830000(10), FXM.proof831332('0_1_15_20_115_2019_2024')]
  .filter((rel) => existsSync(fixturePath(rel)))
  .map(readFixture);

const uniqueTxids = fc
  .uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 200, selector: (t) => toHex(t) })
  .filter((l) => l.length > 0);

interface Tree {
  readonly txids: Uint8Array[];
  readonly matches: number[];
  readonly proof: MerkleProof;
}

const treeArb: fc.Arbitrary<Tree> = uniqueTxids.chain((txids) =>
  fc.uniqueArray(fc.nat({ max: txids.length - 1 }), { minLength: 1, maxLength: Math.min(8, txids.length) }).map((matches) => {
    const proof = buildMerkleProof(txids, matches, headerWithRoot(merkleRoot(txids).root));
    return { txids, matches, proof };
  }),
);

const BUILT = fc.sample(treeArb, { numRuns: 30, seed: 7 }).map((t) => serializeMerkleProof(t.proof));
const SEEDS = [...REAL, ...BUILT];
const MERKLE = ['MERKLE_'];

/** The verifier may reject; if it accepts, it must only state true facts about the tree it was built from. */
function assertSound(tree: Tree, p: MerkleProof, context: string): 'accepted' | 'rejected' {
  let r;
  try {
    r = verifyMerkleProof(p);
  } catch (err) {
    assertTypedError(err, MERKLE, context);
    return 'rejected';
  }
  assert.ok(bytesEqual(r.root, merkleRoot(tree.txids).root), `accepted another root ${context}`);
  for (const m of r.matches) {
    const real = tree.txids[m.index];
    assert.ok(real !== undefined && bytesEqual(real, m.txid), `accepted a false match ${m.index}:${m.txidHex} ${context}`);
  }
  return 'accepted';
}

type Alteration =
  | { kind: 'count'; value: number }
  | { kind: 'dropHash'; at: number }
  | { kind: 'dupHash'; at: number }
  | { kind: 'swapHashes'; a: number; b: number }
  | { kind: 'extraHash'; hash: Uint8Array }
  | { kind: 'flipFlag'; bit: number }
  | { kind: 'extraFlagByte'; value: number }
  | { kind: 'dropFlagByte' }
  | { kind: 'replaceHash'; at: number; withMatched: boolean };

const alterationArb: fc.Arbitrary<Alteration> = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), value: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constantFrom(0, MAX_PROOF_TRANSACTIONS, MAX_PROOF_TRANSACTIONS + 1, 0xffffffff)) }),
  fc.record({ kind: fc.constant('dropHash' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dupHash' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapHashes' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('extraHash' as const), hash: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('flipFlag' as const), bit: fc.nat() }),
  fc.record({ kind: fc.constant('extraFlagByte' as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('dropFlagByte' as const) }),
  fc.record({ kind: fc.constant('replaceHash' as const), at: fc.nat(), withMatched: fc.boolean() }),
);

function alter(tree: Tree, a: Alteration): MerkleProof {
  const p = tree.proof;
  const hashes = [...p.hashes];
  const flags = new Uint8Array(p.flags);
  const n = hashes.length;
  if (n === 0 && a.kind !== 'count' && a.kind !== 'extraHash' && a.kind !== 'extraFlagByte') return p;
  switch (a.kind) {
    case 'count':
      return { ...p, totalTransactions: a.value };
    case 'dropHash':
      hashes.splice(a.at % n, 1);
      return { ...p, hashes };
    case 'dupHash':
      hashes.splice(a.at % n, 0, hashes[a.at % n]!);
      return { ...p, hashes };
    case 'swapHashes':
      [hashes[a.a % n], hashes[a.b % n]] = [hashes[a.b % n]!, hashes[a.a % n]!];
      return { ...p, hashes };
    case 'extraHash':
      return { ...p, hashes: [...hashes, a.hash] };
    case 'flipFlag':
      if (flags.length === 0) return p;
      flags[(a.bit >> 3) % flags.length]! ^= 1 << (a.bit & 7);
      return { ...p, flags };
    case 'extraFlagByte':
      return { ...p, flags: Uint8Array.from([...flags, a.value]) };
    case 'dropFlagByte':
      return { ...p, flags: flags.slice(0, -1) };
    case 'replaceHash': {
      // An attacker's favourite: put a real txid (or a real inner node) where another hash was.
      const txid = tree.txids[a.at % tree.txids.length]!;
      hashes[a.at % n] = a.withMatched ? txid : concatBytes(txid.subarray(16), txid.subarray(0, 16));
      return { ...p, hashes };
    }
  }
}

describe('fuzz: merkle proof parser and verifier', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('random, mutated and extended proof bytes give a sound result or a MERKLE_* SpvError', () => {
    let accepted = 0;
    check(
      'verifyMerkleProofBytes',
      fc.property(hostileBytes(SEEDS, 1500), (raw) => {
        try {
          const r = verifyMerkleProofBytes(raw);
          accepted++;
          // Whatever is accepted hashes to the header's own merkle root and matches inside the claimed tree.
          assert.ok(bytesEqual(r.root, raw.subarray(36, 68)));
          for (const m of r.matches) assert.ok(m.index < r.totalTransactions);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, MERKLE);
        }
      }),
      4000,
    );
    console.log(`merkle bytes: accepted ${accepted} (header fields outside the root, flags of matched siblings)`);
  });

  it('verifyTxInProof: hostile transaction bytes and proofs give TX_INVALID or MERKLE_* only', () => {
    check(
      'verifyTxInProof',
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(tx64()), hostileBytes([tx64()], 120)),
        hostileBytes(SEEDS, 1500),
        (tx, proof) => {
          try {
            verifyTxInProof(tx, proof);
          } catch (err) {
            assertTypedError(err, (c) => c === 'TX_INVALID' || c.startsWith('MERKLE_'));
          }
        },
      ),
      2000,
    );
  });

  it('proofs of random trees, altered as objects, are rejected or state only true (index, txid) pairs', () => {
    const tally = { accepted: 0, rejected: 0 };
    check(
      'altered built proofs',
      fc.property(treeArb, fc.array(alterationArb, { minLength: 1, maxLength: 3 }), (tree, alterations) => {
        assert.equal(assertSound(tree, tree.proof, 'unaltered'), 'accepted');
        let p = tree.proof;
        for (const a of alterations) p = alter({ ...tree, proof: p }, a);
        tally[assertSound(tree, p, JSON.stringify(alterations, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)))]++;
      }),
      1500,
    );
    console.log(`altered proofs: accepted ${tally.accepted} (all true facts), rejected ${tally.rejected}`);
    assert.ok(tally.rejected > tally.accepted);
  });
});

describe('fuzz: merkle length prefixes against the remaining bytes', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('a tiny proof claiming a huge hash or flag count is MERKLE_TRUNCATED / MERKLE_MALFORMED, nothing allocated', () => {
    const header = new Uint8Array(80);
    const before = arrayBufferBytes();
    check(
      'merkle huge counts',
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xffffffff, 0x02000000, 66_667)),
        fc.boolean(),
        fc.uint8Array({ maxLength: 64 }),
        (n, inFlags, tail) => {
          // Either the hash count claims n hashes, or one real hash is given and the flag count claims n bytes.
          const raw = inFlags
            ? concatBytes(header, Uint8Array.of(1, 0, 0, 0), compactSize(1), new Uint8Array(32), compactSize(n), tail)
            : concatBytes(header, Uint8Array.of(1, 0, 0, 0), compactSize(n), tail);
          const need = inFlags ? n : n * 32;
          try {
            parseMerkleProof(raw);
            assert.ok(need <= tail.length, `parsed a claim of ${n} over ${tail.length} bytes`);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            const code = assertTypedError(err, ['MERKLE_TRUNCATED', 'MERKLE_MALFORMED', 'MERKLE_TRAILING_BYTES']);
            if (need > tail.length) {
              assert.equal(code, 'MERKLE_TRUNCATED');
              // Refused at the prefix, for the whole claim, before the first hash or flag byte is copied.
              assert.ok(isSpvError(err) && err.details['need'] === need, `claim of ${n} not refused at its prefix: ${JSON.stringify(isSpvError(err) ? err.details : {})}`);
            }
          }
        },
      ),
      3000,
    );
    const grown = arrayBufferBytes() - before;
    console.log(`merkle huge counts: array buffers grew by ${grown} bytes`);
    assert.ok(grown < 16 * 1024 * 1024);
  });

  it('a huge claimed transaction count is refused before the traversal (MERKLE_TX_COUNT_TOO_LARGE)', () => {
    check(
      'merkle huge tx count',
      fc.property(fc.integer({ min: MAX_PROOF_TRANSACTIONS + 1, max: 0xffffffff }), fc.uint8Array({ minLength: 1, maxLength: 4 }), (total, flags) => {
        const p: MerkleProof = { header: new Uint8Array(80), totalTransactions: total, hashes: [new Uint8Array(32)], flags };
        assert.throws(() => verifyMerkleProof(p), (e: unknown) => assertTypedError(e, ['MERKLE_TX_COUNT_TOO_LARGE']) !== undefined);
      }),
      500,
    );
  });
});
