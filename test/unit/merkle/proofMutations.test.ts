import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { headerHashHex } from '../../../src/chain/header.js';
import { MAINNET, REGTEST } from '../../../src/chain/params.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import { buildMerkleProof, merkleRoot, parseMerkleProof, serializeMerkleProof, verifyMerkleProofBytes, verifyTxInProof } from '../../../src/merkle/index.js';
import type { VerifiedTxInProof } from '../../../src/merkle/index.js';
import type { ProofResult } from '../../../src/protocol/proof.js';
import { ChainService } from '../../../src/store/chainService.js';
import { inThreadPowVerifier } from '../../../src/store/powVerifier.js';
import { bytesEqual, concatBytes, fromHex, hashToHex, toHex } from '../../../src/util/bytes.js';
import { ChainBuilder } from '../../helpers/chainBuilder.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, fixturePath, readFixture, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/tmp.js';
import { FXM, MERKLE_DIR, fixtureBlock, tx64 } from './merkleTestUtil.js';

/**
 * Proof mutation suite (issue 6 item 4). From EACH real proof of the fixtures, every single-byte replacement
 * (all 255 other values) of the tx count, both CompactSize counts and the flag bytes, and every single-bit flip plus
 * the 0x00 / 0xff / complement replacements of every header and hash byte (SPV_PROOF_SWEEP=full: all 255 values
 * there too, about 1.6 million mutations, minutes), each through the chain worker's own check, ChainService.verifyProof, over a real LevelDB store
 * holding mainnet 822528-830592 and the real stale block 823226. Then constructed attacks, and a proof of a tx in a
 * stale block, on a real store with a fork.
 *
 * "Verified" = verifyProof returned something the original proof does not establish: another block, another
 * index, another txid. That must never happen. Mutations verifyProof accepts with the ORIGINAL answer are counted
 * and explained, never skipped:
 * - the tx count changed to one giving the same tree shape along every path the proof visits (a partial merkle
 *   tree does not commit to the exact count; verifyProof does not report it);
 * - a flag bit of a matched sibling leaf flipped: 1 -> 0 gives byte for byte the canonical proof of the remaining
 *   matches (checked against buildMerkleProof over the real block), 0 -> 1 adds the sibling, whose hash is its
 *   real txid.
 * Every header byte changes the block hash, so a proof with a changed header names a block that is not in our store
 * (PROOF_BLOCK_UNKNOWN) even where the tree still verifies (the 48 bytes outside the merkle root).
 */
const FULL = process.env.SPV_PROOF_SWEEP === 'full';

interface Case {
  readonly rel: string;
  readonly blockRel: string;
  readonly raw: Uint8Array;
  /** The matched tx we prove (the first match), with its raw bytes. */
  readonly tx: Uint8Array;
  readonly original: VerifiedTxInProof;
  readonly truth: ReadonlySet<string>;
  readonly txids: readonly Uint8Array[];
  readonly flagsStart: number;
  readonly hashesStart: number;
  readonly hashesEnd: number;
  /** The block is in our store (830000): the original verifies end to end. */
  readonly inStore: boolean;
}

function proofFiles(): string[] {
  try {
    return readdirSync(fixturePath(MERKLE_DIR))
      .filter((f) => f.endsWith('.bin'))
      .sort()
      .map((f) => `${MERKLE_DIR}/${f}`);
  } catch {
    return [];
  }
}

function blockOf(rel: string): string {
  if (rel.includes('0830000')) return FXM.block830000;
  if (rel.includes('0831332')) return FXM.block831332;
  return FXM.block300025;
}

function loadCase(rel: string): Case {
  const raw = readFixture(rel);
  const block = fixtureBlock(blockOf(rel));
  const p = parseMerkleProof(raw);
  // The proof's first match is the transaction we prove (the others are checked as matches all the same).
  const first = verifyMerkleProofBytes(raw).matches[0]!;
  const tx = new Uint8Array(block.txs[first.index]!.toBuffer());
  const original = verifyTxInProof(tx, raw);
  const hashesStart = 84 + (p.hashes.length < 0xfd ? 1 : 3);
  const hashesEnd = hashesStart + p.hashes.length * 32;
  return {
    rel,
    blockRel: blockOf(rel),
    raw,
    tx,
    original,
    truth: new Set(block.txids.map((t, i) => `${i}:${hashToHex(t)}`)),
    txids: block.txids,
    flagsStart: raw.length - p.flags.length,
    hashesStart,
    hashesEnd,
    inStore: rel.includes('0830000'),
  };
}

function codeOf(err: unknown): ErrorCode {
  assert.ok(isSpvError(err), `non-SpvError: ${err instanceof Error ? err.stack : String(err)}`);
  return err.code;
}

/** Values a byte at `at` is replaced with. */
function replacements(c: Case, at: number): number[] {
  const b = c.raw[at]!;
  const structural = at >= 80 && (at < c.hashesStart || at >= c.hashesEnd);
  if (FULL || structural) return Array.from({ length: 256 }, (_, v) => v).filter((v) => v !== b);
  return [...new Set([...Array.from({ length: 8 }, (_, i) => b ^ (1 << i)), 0x00, 0xff, b ^ 0xff])].filter((v) => v !== b);
}

interface Tally {
  mutations: number;
  verified: number;
  rejectedByProof: number;
  rejectedByStore: number;
  sameAnswerCount: number;
  sameAnswerFlags: number;
  canonicalSubsets: number;
  codes: Map<string, number>;
}

function newTally(): Tally {
  return { mutations: 0, verified: 0, rejectedByProof: 0, rejectedByStore: 0, sameAnswerCount: 0, sameAnswerFlags: 0, canonicalSubsets: 0, codes: new Map() };
}

function count(t: Tally, code: string): void {
  t.codes.set(code, (t.codes.get(code) ?? 0) + 1);
}

const PROOF_CODES = (c: ErrorCode): boolean => c.startsWith('MERKLE_') || c === 'TX_INVALID';

describe('proof mutations: every single-byte and single-bit mutation of every real proof', () => {
  const files = proofFiles();
  const skip = skipUnlessFixture(FX.mainnet822528, FX.boundaries, FX.stale823226, FXM.block830000, FXM.block831332, FXM.block300025) || (files.length === 0 ? 'no proof fixtures' : false);
  let chain: ChainService;
  let dir: { path: string; cleanup: () => void };
  const total = newTally();

  before(async () => {
    if (skip !== false) return;
    dir = tempDir('spv-proofmut-');
    const rows = new Map(readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [r.height, r]));
    const headers = readFixture(FX.mainnet822528);
    const anchorRow = rows.get(822528)!;
    chain = new ChainService({
      params: MAINNET,
      storePath: dir.path,
      start: { kind: 'anchor', height: 822528, header: headers.slice(0, 80), chainwork: BigInt(`0x${anchorRow.chainwork}`) },
      pow: inThreadPowVerifier(),
    });
    await chain.ready();
    for (let off = 80; off < headers.length; off += 2000 * 80) {
      const r = await chain.connectHeaders(headers.subarray(off, Math.min(headers.length, off + 2000 * 80)));
      assert.equal(r.outcome, 'extended');
    }
    assert.equal((await chain.tip()).height, 830592);
    assert.equal((await chain.connectHeaders(readFixture(FX.stale823226))).outcome, 'side');
  });

  after(async () => {
    if (skip !== false) return;
    await chain.close();
    dir.cleanup();
    console.log(
      `proof mutations: ${total.mutations}, verified: ${total.verified}` +
        ` (rejected by the proof checks ${total.rejectedByProof}, by the store ${total.rejectedByStore};` +
        ` accepted with the original answer: ${total.sameAnswerCount} tx-count, ${total.sameAnswerFlags} matched-sibling flag, of which ${total.canonicalSubsets} byte for byte the honest proof of fewer matches)`,
    );
    console.log(`proof mutation codes: ${JSON.stringify(Object.fromEntries([...total.codes].sort()))}`);
    assert.equal(total.verified, 0);
  });

  for (const rel of files) {
    it(`${rel.slice(MERKLE_DIR.length + 1)}: no mutation verifies anything the original does not`, { skip }, async () => {
      const c = loadCase(rel);
      const originalResult: ProofResult | null = c.inStore ? await chain.verifyProof(c.tx, c.raw) : null;
      if (c.inStore) assert.equal(originalResult!.height, 830000);
      else await assert.rejects(chain.verifyProof(c.tx, c.raw), (e: unknown) => codeOf(e) === 'PROOF_BLOCK_UNKNOWN');
      const t = newTally();
      const pending: Array<Promise<void>> = [];
      for (let at = 0; at < c.raw.length; at++) {
        for (const v of replacements(c, at)) {
          const m = new Uint8Array(c.raw);
          m[at] = v;
          t.mutations++;
          let r: VerifiedTxInProof;
          try {
            r = verifyTxInProof(c.tx, m);
          } catch (err) {
            const code = codeOf(err);
            assert.ok(PROOF_CODES(code), `${rel} byte ${at} = ${v}: ${code}`);
            t.rejectedByProof++;
            count(t, code);
            continue;
          }
          const context = `${rel} byte ${at} = ${v}`;
          // Accepted by the proof checks: every match must be a TRUE (index, txid) of the real block.
          assert.ok(c.truth.has(`${r.index}:${r.txidHex}`), `false match ${r.index}:${r.txidHex} (${context})`);
          if (at < 80) {
            // The header changed, so the block did: its hash is no longer the original's, and the store must refuse it.
            assert.notEqual(r.headerHashHex, c.original.headerHashHex, context);
            assert.equal(r.headerHashHex, headerHashHex(m.subarray(0, 80)));
            pending.push(
              chain.verifyProof(c.tx, m).then(
                () => {
                  t.verified++;
                  assert.fail(`verified a proof with a mutated header (${context})`);
                },
                (err: unknown) => {
                  assert.equal(codeOf(err), 'PROOF_BLOCK_UNKNOWN', context);
                  t.rejectedByStore++;
                  count(t, 'PROOF_BLOCK_UNKNOWN');
                },
              ),
            );
            if (pending.length >= 256) await Promise.all(pending.splice(0));
            continue;
          }
          // Header untouched: the same answer as the original, and explained.
          assert.equal(r.headerHashHex, c.original.headerHashHex, context);
          assert.equal(r.index, c.original.index, context);
          assert.equal(r.txidHex, c.original.txidHex, context);
          if (at >= 80 && at < 84) {
            t.sameAnswerCount++;
          } else {
            assert.ok(at >= c.flagsStart, `accepted a mutation outside the header, count and flags (${context})`);
            // The mutated proof is the honest, canonical proof of the matches it now reports (Core's construction).
            const mp = parseMerkleProof(m);
            const verifiedMatches = matchesOf(m);
            const canonical = serializeMerkleProof(buildMerkleProof(c.txids, verifiedMatches, mp.header));
            const originalMatches = new Set(matchesOf(c.raw));
            const subset = verifiedMatches.every((i) => originalMatches.has(i));
            // Only flag bits changed, so every hash is still the real node or txid hash at its place, and every
            // reported match is a true (index, txid) of the block (asserted here for all of them, not just ours).
            // Matches only removed is usually byte for byte the honest proof of what is left; a 1 left on an inner
            // node whose matches were all cleared is a non-canonical descent (Core's verifier accepts it too).
            for (const i of verifiedMatches) assert.ok(c.truth.has(`${i}:${hashToHex(c.txids[i]!)}`), context);
            if (subset && bytesEqual(canonical, m)) t.canonicalSubsets++;
            t.sameAnswerFlags++;
          }
          if (c.inStore) {
            const full = await chain.verifyProof(c.tx, m);
            assert.deepEqual(full, originalResult, context);
          }
        }
      }
      await Promise.all(pending);
      for (const k of Object.keys(total) as Array<keyof Tally>) {
        if (k === 'codes') for (const [code, n] of t.codes) total.codes.set(code, (total.codes.get(code) ?? 0) + n);
        else total[k] += t[k];
      }
      console.log(`${rel}: ${t.mutations} mutations, verified ${t.verified}; proof ${t.rejectedByProof}, store ${t.rejectedByStore}, same answer ${t.sameAnswerCount + t.sameAnswerFlags}`);
      assert.equal(t.verified, 0);
      assert.equal(t.mutations, t.rejectedByProof + t.rejectedByStore + t.sameAnswerCount + t.sameAnswerFlags);
    });
  }
});

/** Indexes the proof matches, as the pure verifier reports them. */
function matchesOf(raw: Uint8Array): number[] {
  return verifyMerkleProofBytes(raw).matches.map((m) => m.index);
}

/** Runs verifyProof and returns the error code, failing if it verified. */
async function refusedCode(chain: ChainService, tx: Uint8Array, proof: Uint8Array, context: string): Promise<ErrorCode> {
  try {
    const r = await chain.verifyProof(tx, proof);
    assert.fail(`verified (${context}): ${JSON.stringify(r)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return codeOf(err);
  }
}

function withCounts(raw: Uint8Array, hashes: readonly Uint8Array[], flags: Uint8Array, total?: number): Uint8Array {
  const p = parseMerkleProof(raw);
  return serializeMerkleProof({ header: p.header, totalTransactions: total ?? p.totalTransactions, hashes, flags });
}

describe('constructed attacks on every real proof, through verifyProof on the real store', () => {
  const files = proofFiles();
  const skip = skipUnlessFixture(FX.mainnet822528, FX.boundaries, FXM.block830000, FXM.block831332, FXM.block300025) || (files.length === 0 ? 'no proof fixtures' : false);
  let chain: ChainService;
  let dir: { path: string; cleanup: () => void };
  let attacks = 0;

  before(async () => {
    if (skip !== false) return;
    dir = tempDir('spv-proofatk-');
    const rows = new Map(readFixtureJson<BoundaryRow[]>(FX.boundaries).map((r) => [r.height, r]));
    const headers = readFixture(FX.mainnet822528);
    chain = new ChainService({
      params: MAINNET,
      storePath: dir.path,
      start: { kind: 'anchor', height: 822528, header: headers.slice(0, 80), chainwork: BigInt(`0x${rows.get(822528)!.chainwork}`) },
      pow: inThreadPowVerifier(),
    });
    await chain.ready();
    for (let off = 80; off < headers.length; off += 2000 * 80) await chain.connectHeaders(headers.subarray(off, Math.min(headers.length, off + 2000 * 80)));
  });

  after(async () => {
    if (skip !== false) return;
    await chain.close();
    dir.cleanup();
    console.log(`constructed proof attacks: ${attacks}, verified: 0`);
  });

  for (const rel of files) {
    it(`${rel.slice(MERKLE_DIR.length + 1)}: extra hash, padding bits, tx count 0 / huge, CVE-2012-2459, 64-byte inner node`, { skip }, async () => {
      const c = loadCase(rel);
      const p = parseMerkleProof(c.raw);
      const expect = async (proof: Uint8Array, codes: readonly ErrorCode[], what: string, tx: Uint8Array = c.tx): Promise<void> => {
        attacks++;
        const code = await refusedCode(chain, tx, proof, `${rel}: ${what}`);
        assert.ok(codes.includes(code), `${rel}: ${what}: ${code}`);
      };
      // Extra unused hashes, at the end and before the first.
      await expect(withCounts(c.raw, [...p.hashes, c.txids[0]!], p.flags), ['MERKLE_HASHES_NOT_CONSUMED'], 'extra hash at the end');
      await expect(withCounts(c.raw, [new Uint8Array(32).fill(7), ...p.hashes], p.flags), ['MERKLE_ROOT_MISMATCH', 'MERKLE_BAD_TREE', 'MERKLE_HASHES_NOT_CONSUMED', 'MERKLE_TX_NOT_IN_PROOF'], 'extra hash in front');
      // Non-zero padding bits: each unused bit of the last flag byte, and whole extra flag bytes.
      const bitsUsed = usedFlagBits(c.raw);
      for (let bit = bitsUsed; bit < p.flags.length * 8; bit++) {
        const flags = new Uint8Array(p.flags);
        flags[bit >> 3]! |= 1 << (bit & 7);
        await expect(withCounts(c.raw, p.hashes, flags), ['MERKLE_FLAGS_NOT_CONSUMED'], `padding bit ${bit}`);
      }
      for (const extra of [0x00, 0x01, 0x80, 0xff]) {
        await expect(withCounts(c.raw, p.hashes, Uint8Array.from([...p.flags, extra])), ['MERKLE_FLAGS_NOT_CONSUMED'], `extra flag byte ${extra}`);
      }
      // Tx count 0 and huge (a taller tree would need hashes the proof does not have, or more than a block holds).
      await expect(withCounts(c.raw, p.hashes, p.flags, 0), ['MERKLE_TX_COUNT_ZERO'], 'tx count 0');
      for (const total of [66_667, 0x7fffffff, 0xffffffff, 1 << 20]) {
        await expect(withCounts(c.raw, p.hashes, p.flags, total), ['MERKLE_TX_COUNT_TOO_LARGE'], `tx count ${total}`);
      }
      for (const total of [p.totalTransactions * 2, p.totalTransactions * 16, 66_666]) {
        await expect(withCounts(c.raw, p.hashes, p.flags, total), ['MERKLE_BAD_TREE', 'MERKLE_ROOT_MISMATCH', 'MERKLE_FLAGS_NOT_CONSUMED', 'MERKLE_HASHES_NOT_CONSUMED', 'MERKLE_TX_NOT_IN_PROOF', 'MERKLE_NO_MATCH'], `tx count ${total}`);
      }
      // CVE-2012-2459: the block's txids with the last one repeated have the same root (odd count); prove the
      // duplicate, the original last, and both, under the real header.
      const n = c.txids.length;
      assert.equal(n % 2, 1, 'the real blocks have odd tx counts');
      const dup = [...c.txids, c.txids[n - 1]!];
      assert.ok(bytesEqual(merkleRoot(dup).root, p.header.subarray(36, 68)));
      const lastTx = new Uint8Array(fixtureBlock(c.blockRel).txs[n - 1]!.toBuffer());
      for (const matches of [[n], [n - 1], [n - 1, n], [0, n]]) {
        await expect(serializeMerkleProof(buildMerkleProof(dup, matches, p.header)), ['MERKLE_DUPLICATE_CHILDREN'], `CVE-2012-2459 matches ${matches.join(',')}`, lastTx);
      }
      // A 64-byte "transaction" posing as an inner node: the two real children of the node above our tx, proven as
      // a leaf of the tree one level up (ceil(n / 2) leaves, the real root). Not a transaction: refused.
      const pos = c.original.index;
      const left = c.txids[pos & ~1]!;
      const right = c.txids[(pos & ~1) + 1] ?? left;
      const fake = concatBytes(left, right);
      const level1 = merkleLevel1(c.txids);
      const lifted = serializeMerkleProof(buildMerkleProof(level1, [pos >> 1], p.header));
      await expect(lifted, ['TX_INVALID', 'MERKLE_TX_64_BYTES'], '64-byte inner node as a tx', fake);
    });
  }
});

function merkleLevel1(txids: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < txids.length; i += 2) {
    const l = txids[i]!;
    const r = txids[i + 1] ?? l;
    out.push(merkleRoot([l, r]).root);
  }
  return out;
}

/** Flag bits the traversal of a valid proof uses (Core: nBitsUsed). */
function usedFlagBits(raw: Uint8Array): number {
  const p = parseMerkleProof(raw);
  // The canonical proof of the same matches has the same bits; its bit count is hashes + inner nodes descended.
  const n = p.totalTransactions;
  let height = 0;
  while (Math.ceil(n / 2 ** height) > 1) height++;
  let bits = 0;
  let hashes = 0;
  const walk = (h: number, pos: number): void => {
    const bit = (p.flags[bits >> 3]! >> (bits & 7)) & 1;
    bits++;
    if (h === 0 || bit === 0) {
      hashes++;
      return;
    }
    walk(h - 1, pos * 2);
    if (pos * 2 + 1 < Math.ceil(n / 2 ** (h - 1))) walk(h - 1, pos * 2 + 1);
  };
  walk(height, 0);
  assert.equal(hashes, p.hashes.length);
  return bits;
}

describe('a proof of a tx in a stale block (real store with a fork, ChainService.verifyProof)', () => {
  it('is PROOF_NOT_ON_BEST_CHAIN on the side branch, verifies once its branch is best, and is refused again after the reorg back', { skip: skipUnlessFixture(FXM.block830000) }, async () => {
    const dir = tempDir('spv-stale-proof-');
    const chain = new ChainService({ params: REGTEST, storePath: dir.path, start: { kind: 'genesis' }, pow: inThreadPowVerifier() });
    try {
      await chain.ready();
      // Real transactions (block 830000's first five) in a block of our own, mined on a side branch.
      const txs = fixtureBlock(FXM.block830000).txs.slice(0, 5).map((t) => new Uint8Array(t.toBuffer()));
      const txids = txs.map((t) => Transaction.fromBuffer(t).getHash(false));
      const main = new ChainBuilder(REGTEST);
      assert.equal((await chain.connectHeaders(main.extend(10).raw)).outcome, 'extended');
      const side = main.fork(5);
      const staleBlock = side.next({ merkleRoot: merkleRoot(txids).root });
      assert.equal((await chain.connectHeaders(staleBlock.raw)).outcome, 'side');
      const proof = serializeMerkleProof(buildMerkleProof(txids, [3], staleBlock.raw));
      // The proof on its own is sound: only the chain can tell it is stale.
      assert.equal(verifyTxInProof(txs[3]!, proof).headerHashHex, staleBlock.hashHex);
      await assert.rejects(chain.verifyProof(txs[3]!, proof), (e: unknown) => codeOf(e) === 'PROOF_NOT_ON_BEST_CHAIN');
      // Control: the same proof verifies while its block is on the best chain (so the refusal above can fail).
      assert.equal((await chain.connectHeaders(side.extend(7).raw)).outcome, 'reorg');
      const ok = await chain.verifyProof(txs[3]!, proof);
      assert.deepEqual({ height: ok.height, index: ok.index, blockHash: ok.blockHash }, { height: 6, index: 3, blockHash: staleBlock.hashHex });
      // The first branch overtakes again: the block is stale once more and the proof is refused.
      assert.equal((await chain.connectHeaders(main.extend(5).raw)).outcome, 'reorg');
      await assert.rejects(chain.verifyProof(txs[3]!, proof), (e: unknown) => codeOf(e) === 'PROOF_NOT_ON_BEST_CHAIN');
      // A proof for a block we never saw at all.
      const unseen = side.fork(6).next({ merkleRoot: merkleRoot(txids).root, tag: 9 });
      await assert.rejects(chain.verifyProof(txs[3]!, serializeMerkleProof(buildMerkleProof(txids, [3], unseen.raw))), (e: unknown) => codeOf(e) === 'PROOF_BLOCK_UNKNOWN');
      console.log('stale-block proof: refused on the side branch, verified while best, refused after the reorg back');
    } finally {
      await chain.close();
      dir.cleanup();
    }
  });

  it('a real 64-byte transaction as two leaves of a block on our best chain: MERKLE_TX_64_BYTES and MERKLE_INNER_NODE_IS_TX', async () => {
    const dir = tempDir('spv-tx64-proof-');
    const chain = new ChainService({ params: REGTEST, storePath: dir.path, start: { kind: 'genesis' }, pow: inThreadPowVerifier() });
    try {
      await chain.ready();
      const t64 = tx64();
      const t0 = fromHex('01'.repeat(32));
      const t1 = fromHex('02'.repeat(32));
      // Leaves 2 and 3 are the two halves of a valid 64-byte transaction: their parent node IS that tx's txid.
      const txids = [t0, t1, t64.slice(0, 32), t64.slice(32)];
      const b = new ChainBuilder(REGTEST);
      const block = b.next({ merkleRoot: merkleRoot(txids).root });
      assert.equal((await chain.connectHeaders(block.raw)).outcome, 'extended');
      // Leaf side: the 64-byte tx proven as leaf 1 of a 2-leaf tree with the real root.
      const parents = merkleLevel1(txids);
      const asLeaf = serializeMerkleProof(buildMerkleProof(parents, [1], block.raw));
      await assert.rejects(chain.verifyProof(t64, asLeaf), (e: unknown) => codeOf(e) === 'MERKLE_TX_64_BYTES');
      // Inner-node side: the full-depth proof of leaf 2 computes an inner node whose preimage is that tx.
      assert.throws(() => verifyMerkleProofBytes(serializeMerkleProof(buildMerkleProof(txids, [2], block.raw))), (e: unknown) => codeOf(e) === 'MERKLE_INNER_NODE_IS_TX');
      assert.equal(toHex(parents[1]!), toHex(Transaction.fromBuffer(t64).getHash(false)));
      assert.equal(hashToHex(parents[1]!), Transaction.fromBuffer(t64).getId());
    } finally {
      await chain.close();
      dir.cleanup();
    }
  });
});
