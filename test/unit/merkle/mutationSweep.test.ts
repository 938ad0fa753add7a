import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpvError } from '../../../src/errors/spvError.js';
import { parseMerkleProof, verifyMerkleProofBytes } from '../../../src/merkle/index.js';
import type { VerifiedMerkleProof } from '../../../src/merkle/index.js';
import { toHex } from '../../../src/util/bytes.js';
import { mulberry32 } from '../../helpers/random.js';
import { readFixture, skipUnlessFixture } from '../../helpers/fixtures.js';
import { FXM, fixtureBlock } from './merkleTestUtil.js';

/**
 * Mutations of real proofs: each is rejected with a MERKLE_* SpvError or verifies to the same root and only TRUE
 * (index, txid) matches, checked against the real block. Never a different accepted answer (a txid that is not at
 * that index of the block, another root), never another exception type. What may legitimately be accepted:
 *
 * - header bytes other than the merkle root (version, prev hash, time, bits, nonce): same matches; the header hash
 *   changes, and the caller checks that against the best chain;
 * - the tx count, when the new count gives the same tree shape along every path the proof visits (2355 -> 2354):
 *   a partial merkle tree does not commit to the exact count; same matches;
 * - a leaf's flag bit flipped when its sibling leaf is matched (both leaves' hashes are in the proof): 1 -> 0 gives
 *   byte for byte the canonical proof (Core's CPartialMerkleTree construction) of the remaining matches; 0 -> 1 adds
 *   the sibling, whose hash is its real txid. Either way every match is true; nothing can reject these without
 *   rejecting an honest proof.
 */
const SEED = 0x3e61_2459;
const CASES: ReadonlyArray<readonly [proof: string, block: string]> = [
  [FXM.proof831332('0_1_15_20_115_2019_2024'), FXM.block831332],
  [FXM.proof830000(1850), FXM.block830000],
  [FXM.proof830000(10), FXM.block830000],
  [FXM.merkleblock300025, FXM.block300025],
];
const ALL_FILES = CASES.flat();

type Region = 'exact' | 'true' | 'reject';

interface Original {
  readonly rel: string;
  readonly root: string;
  readonly matches: ReadonlySet<string>;
  /** `index:txidHex` of every transaction of the block. */
  readonly truth: ReadonlySet<string>;
  readonly flagsStart: number;
  readonly flagsEnd: number;
}

function matchKeys(r: VerifiedMerkleProof): string[] {
  return r.matches.map((m) => `${m.index}:${m.txidHex}`);
}

function original(rel: string, blockRel: string): Original {
  const raw = readFixture(rel);
  const truth = new Set(fixtureBlock(blockRel).txs.map((t, i) => `${i}:${t.getId()}`));
  const r = verifyMerkleProofBytes(raw);
  const flagCount = parseMerkleProof(raw).flags.length;
  return { rel, root: toHex(r.root), matches: new Set(matchKeys(r)), truth, flagsStart: raw.length - flagCount, flagsEnd: raw.length };
}

/** What an in-place change at `at` may do. */
function regionOf(o: Original, at: number): Region {
  if (at < 36 || (at >= 68 && at < 84)) return 'exact'; // free header fields and the tx count
  if (at >= o.flagsStart && at < o.flagsEnd) return 'true';
  return 'reject';
}

interface Tally {
  accepted: number;
  codes: Map<string, number>;
}

function check(o: Original, mutated: Uint8Array, region: Region, context: string, tally: Tally): void {
  let r: VerifiedMerkleProof;
  try {
    r = verifyMerkleProofBytes(mutated);
  } catch (err) {
    assert.ok(isSpvError(err), `non-SpvError escaped (${context}): ${String(err)}`);
    assert.ok(err.code.startsWith('MERKLE_'), `unexpected code ${err.code} (${context})`);
    tally.codes.set(err.code, (tally.codes.get(err.code) ?? 0) + 1);
    return;
  }
  tally.accepted++;
  assert.notEqual(region, 'reject', `accepted a mutation that must be rejected (${context})`);
  assert.equal(toHex(r.root), o.root, `different root accepted (${context})`);
  const keys = matchKeys(r);
  for (const k of keys) assert.ok(o.truth.has(k), `accepted a false match ${k} (${context})`);
  if (region === 'exact') assert.deepEqual(new Set(keys), o.matches, `matches changed (${context})`);
}

describe('mutation sweep over real proofs (seeded)', () => {
  for (const [rel, blockRel] of CASES) {
    it(`every single-bit flip of ${rel}`, { skip: skipUnlessFixture(rel, blockRel) }, () => {
      const o = original(rel, blockRel);
      const raw = readFixture(rel);
      const tally: Tally = { accepted: 0, codes: new Map() };
      let headerAccepted = 0;
      for (let at = 0; at < raw.length; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const m = new Uint8Array(raw);
          m[at]! ^= 1 << bit;
          const before = tally.accepted;
          check(o, m, regionOf(o, at), `${rel} byte ${at} bit ${bit}`, tally);
          if (tally.accepted > before && at < 80) headerAccepted++;
        }
      }
      assert.equal(headerAccepted, (80 - 32) * 8, 'every header bit outside the merkle root is left to the caller');
      assert.ok(tally.codes.size >= 5, `varied rejections: ${[...tally.codes.keys()].join(', ')}`);
    });
  }

  it(`random byte replacements, insertions, deletions and truncations (seed ${SEED})`, { skip: skipUnlessFixture(...ALL_FILES) }, () => {
    const rand = mulberry32(SEED);
    const int = (n: number): number => Math.floor(rand() * n);
    const tally: Tally = { accepted: 0, codes: new Map() };
    for (const [rel, blockRel] of CASES) {
      const o = original(rel, blockRel);
      const raw = readFixture(rel);
      for (let i = 0; i < 1500; i++) {
        const at = int(raw.length);
        const kind = int(4);
        const context = `${rel} seed ${SEED} iteration ${i} kind ${kind} at ${at}`;
        if (kind === 0) {
          const m = new Uint8Array(raw);
          m[at] = raw[at]! ^ (1 + int(255)); // always a change
          check(o, m, regionOf(o, at), context, tally);
        } else if (kind === 1) {
          const m = new Uint8Array(raw.length + 1);
          m.set(raw.subarray(0, at), 0);
          m[at] = int(256);
          m.set(raw.subarray(at), at + 1);
          check(o, m, 'true', context, tally);
        } else if (kind === 2) {
          const m = new Uint8Array(raw.length - 1);
          m.set(raw.subarray(0, at), 0);
          m.set(raw.subarray(at + 1), at);
          check(o, m, 'true', context, tally);
        } else {
          check(o, raw.slice(0, at), 'reject', context, tally);
        }
      }
    }
    assert.ok(tally.codes.size >= 6, `varied rejections: ${[...tally.codes.keys()].join(', ')}`);
  });
});
