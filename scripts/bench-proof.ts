// Merkle proof verifications per second, one thread, through the same call the chain worker makes for
// verifyProof (verifyTxInProof: tx parse, hardened partial-tree verification, txid among the matches), on
// (a) the real gettxoutproof fixtures with their transactions and (b) synthetic proofs into 4,000-tx blocks.
// Prints human lines, then ONE JSON line last. Never asserts.
//   npm run bench:proof -- --seconds 2 --txs 4000
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Block, Transaction } from 'bitcoinjs-lib';
import { buildMerkleProof, merkleRoot, serializeMerkleProof, verifyMerkleProofBytes, verifyTxInProof } from '../src/merkle/index.js';
import { FIXTURES_DIR } from '../test/helpers/fixtures.js';
import { mulberry32 } from '../test/helpers/random.js';
import type { Rate } from './bench/measure.js';
import { machine, numberFlag, timeLoop } from './bench/measure.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, txs: { type: 'string' }, proofs: { type: 'string' } } });
const seconds = numberFlag(values.seconds, 2, 'seconds');
const blockTxs = Math.floor(numberFlag(values.txs, 4000, 'txs'));
const proofCount = Math.floor(numberFlag(values.proofs, 256, 'proofs'));

interface Case {
  readonly tx: Uint8Array;
  readonly proof: Uint8Array;
}

/** The fixture proofs with the transaction each proves (from the fixture block), or null without fixtures. */
function fixtureCases(): Case[] | null {
  const merkleDir = join(FIXTURES_DIR, 'mainnet', 'merkle');
  const blocksDir = join(FIXTURES_DIR, 'mainnet', 'blocks');
  const sets = [
    { block: 'mainnet-block-830000.bin', prefix: 'txoutproof-0830000-', indexes: [0, 1, 10, 100, 1000, 1850] },
    { block: 'mainnet-block-831332.bin', prefix: 'txoutproof-0831332-', indexes: [0, 1, 15, 20] },
  ];
  const cases: Case[] = [];
  for (const set of sets) {
    const blockPath = join(blocksDir, set.block);
    if (!existsSync(blockPath)) return null;
    const txs = Block.fromBuffer(readFileSync(blockPath)).transactions ?? [];
    for (const i of set.indexes) {
      const proofPath = join(merkleDir, `${set.prefix}${i}.bin`);
      const tx = txs[i];
      if (!existsSync(proofPath) || tx === undefined) return null;
      cases.push({ tx: new Uint8Array(tx.toBuffer()), proof: new Uint8Array(readFileSync(proofPath)) });
    }
  }
  return cases;
}

/**
 * Proofs of `proofCount` random transactions in a synthetic block of `blockTxs` real (parseable) transactions,
 * under a header that commits to their merkle root, so every check of the real path runs.
 */
function syntheticCases(): Case[] {
  const next = mulberry32(5);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  const txs: Uint8Array[] = [];
  for (let i = 0; i < blockTxs; i++) {
    const tx = new Transaction();
    tx.addInput(bytes(32), i);
    tx.addOutput(Uint8Array.from([0x6a, 0x04, i & 0xff, (i >> 8) & 0xff, 0x01, 0x02]), 1000n);
    tx.addOutput(bytes(25), 5000n);
    txs.push(new Uint8Array(tx.toBuffer()));
  }
  const txids = txs.map((raw) => Transaction.fromBuffer(raw).getHash(false));
  const header = new Uint8Array(80);
  header.set(merkleRoot(txids).root, 36);
  const cases: Case[] = [];
  for (let i = 0; i < proofCount; i++) {
    const index = Math.floor(next() * blockTxs);
    cases.push({ tx: txs[index]!, proof: serializeMerkleProof(buildMerkleProof(txids, [index], header)) });
  }
  return cases;
}

function bench(name: string, cases: readonly Case[]): { full: Rate; treeOnly: Rate } {
  // Every case must verify, or the figure would time the error path.
  for (const c of cases) verifyTxInProof(c.tx, c.proof);
  const n = cases.length;
  const full = timeLoop((i) => {
    const c = cases[i % n]!;
    verifyTxInProof(c.tx, c.proof);
  }, { seconds, batch: Math.max(1, Math.ceil(n / 4)) });
  const treeOnly = timeLoop((i) => {
    verifyMerkleProofBytes(cases[i % n]!.proof);
  }, { seconds, batch: Math.max(1, Math.ceil(n / 4)) });
  console.log(
    `${name}: ${full.perSecond} verifications/s with the tx (best 200 ms; mean ${full.meanPerSecond}/s, ${n} proofs, ` +
      `${full.ops} in ${Math.round(full.ms)} ms); tree only ${treeOnly.perSecond}/s (mean ${treeOnly.meanPerSecond}/s)`,
  );
  return { full, treeOnly };
}

const real = fixtureCases();
if (real === null) console.log(`fixtures not found at ${FIXTURES_DIR}: real-proof figures skipped`);
const realRates = real === null ? null : bench('real txoutproofs (mainnet 830000, 831332)', real);
const synthetic = bench(`synthetic proofs, ${blockTxs}-tx blocks`, syntheticCases());

console.log(
  JSON.stringify({
    bench: 'proof',
    ...machine(),
    threads: 1,
    seconds,
    realProofs: real?.length ?? 0,
    realPerSecond: realRates?.full.perSecond ?? null,
    realMeanPerSecond: realRates?.full.meanPerSecond ?? null,
    realTreeOnlyPerSecond: realRates?.treeOnly.perSecond ?? null,
    syntheticBlockTxs: blockTxs,
    syntheticProofs: proofCount,
    syntheticPerSecond: synthetic.full.perSecond,
    syntheticMeanPerSecond: synthetic.full.meanPerSecond,
    syntheticTreeOnlyPerSecond: synthetic.treeOnly.perSecond,
  }),
);
