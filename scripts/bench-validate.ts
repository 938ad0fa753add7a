/**
 * Header validation throughput on a gen-chain file (benchnet): the pow pool (piscina running the real
 * dist/workers/pow.worker.cjs) hashing and PoW-checking 2000-header batches, several in flight, while this
 * thread applies what the chain worker applies to each header before its DB write: the prev-hash link,
 * the pool's verdicts, and the contextual rules of src/chain/rules.ts (required bits with retargets, MTP,
 * future time, version floors), summing chainwork. Run for each --gomaxprocs; then, in the same run, a
 * straightforward bitcoinjs-lib loop over the same headers (Block.fromBuffer, checkProofOfWork, prev-hash
 * link), and the raw hashers (wasm SIMD batch vs one node:crypto call pair per header).
 *
 *   npm run build && node --import tsx scripts/bench-validate.ts [--file F | --headers N --seed S]
 *       [--gomaxprocs 1,2,4] [--repeat R (best of R, default 2)] [--bitcoinjs-headers M] [--hash-headers H]
 *
 * Profile a run with `node --cpu-prof --import tsx scripts/bench-validate.ts ...` (main thread; piscina
 * threads each write their own profile). Prints a table, then one JSON line last. Never asserts.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Block } from 'bitcoinjs-lib';
import type { AncestorView } from '../src/chain/ancestors.js';
import { HEADER_SIZE } from '../src/chain/header.js';
import { cryptoHeaderHasher, headerHasher } from '../src/chain/headerHasher.js';
import { BENCHNET } from '../src/chain/params.js';
import { TargetCache } from '../src/chain/pow.js';
import { checkContextual } from '../src/chain/rules.js';
import { SpvError } from '../src/errors/spvError.js';
import type { VerifiedBatch } from '../src/store/powVerifier.js';
import { createPowPool } from '../src/supervisor/powPool.js';
import { generateChain } from './gen-chain.js';

/** The chain worker's unit: one P2P `headers` message worth. */
const BATCH = 2000;

/** Times and bits by height in typed arrays: the ancestry the rules read, as the store's best chain keeps it. */
class TypedView implements AncestorView {
  readonly floorHeight = 0;
  readonly times: Uint32Array;
  readonly bits: Uint32Array;

  constructor(capacity: number) {
    this.times = new Uint32Array(capacity);
    this.bits = new Uint32Array(capacity);
  }

  timeAt(height: number): number {
    return this.times[height]!;
  }

  bitsAt(height: number): number {
    return this.bits[height]!;
  }
}

interface PipelineRun {
  readonly threads: number;
  /** hashHex built only when a rule reads it (checkpoint heights, errors) instead of for every header. */
  readonly headers: number;
  readonly ms: number;
  readonly headersPerSec: number;
  readonly rejected: { readonly height: number; readonly code: string } | null;
}

function u32le(raw: Uint8Array, o: number): number {
  return (raw[o]! | (raw[o + 1]! << 8) | (raw[o + 2]! << 16) | (raw[o + 3]! << 24)) >>> 0;
}

/** Main-chain length of the file: up to the first header that does not link to the one before (forks follow). */
function mainChainLength(raw: Uint8Array): number {
  const n = raw.length / HEADER_SIZE;
  const hashes = new Uint8Array(n * 32);
  headerHasher().hashHeaders(raw, hashes);
  for (let i = 1; i < n; i++) {
    const prev = raw.subarray(i * HEADER_SIZE + 4, i * HEADER_SIZE + 36);
    const want = hashes.subarray((i - 1) * 32, i * 32);
    for (let j = 0; j < 32; j++) if (prev[j] !== want[j]) return i;
  }
  return n;
}

/**
 * One pipeline run: batches go to the pool `inFlight` at a time (as the import and P2P sync feed the chain
 * worker); each verified batch is checked here in order. Genesis (height 0) is the start point, not checked.
 */
async function runPipeline(raw: Uint8Array, total: number, threads: number): Promise<PipelineRun> {
  const pool = createPowPool(threads);
  try {
    // Warm-up (untimed): start the threads and let V8 tier up the wasm and the task code.
    const warm = raw.subarray(HEADER_SIZE, Math.min(total, 1 + 4 * BATCH) * HEADER_SIZE);
    await Promise.all(Array.from({ length: threads * 2 }, () => pool.verify(new Uint8Array(warm), BENCHNET.powLimit)));

    const view = new TypedView(total);
    view.times[0] = u32le(raw, 68);
    view.bits[0] = u32le(raw, 72);
    const targets = new TargetCache(BENCHNET.powLimit);
    const now = Math.floor(Date.now() / 1000);
    const inFlight = Math.max(4, threads * 2);
    let chainwork = targets.get(view.bits[0]) instanceof SpvError ? 0n : (targets.get(view.bits[0]) as { work: bigint }).work;
    let prevHash: Uint8Array = new Uint8Array(32);
    headerHasher().hashHeaders(raw.subarray(0, HEADER_SIZE), prevHash);
    let rejected: PipelineRun['rejected'] = null;

    const began = performance.now();
    const pending: { start: number; result: Promise<VerifiedBatch> }[] = [];
    let next = 1;
    const submit = (): void => {
      const end = Math.min(total, next + BATCH);
      // A copy per batch, as the import and the net worker hand the chain worker a buffer of its own.
      pending.push({ start: next, result: pool.verify(raw.slice(next * HEADER_SIZE, end * HEADER_SIZE), BENCHNET.powLimit) });
      next = end;
    };
    while (rejected === null && (next < total || pending.length > 0)) {
      while (next < total && pending.length < inFlight) submit();
      const head = pending.shift()!;
      const batch = await head.result;
      const hdrs = batch.headers;
      const n = hdrs.length / HEADER_SIZE;
      for (let i = 0; i < n && rejected === null; i++) {
        const height = head.start + i;
        const o = i * HEADER_SIZE;
        const hash = batch.hashes.subarray(i * 32, i * 32 + 32);
        try {
          for (let j = 0; j < 32; j++) {
            if (hdrs[o + 4 + j] !== prevHash[j]) {
              throw new SpvError('HEADER_BAD_PREV', 'header does not link to the previous header', { height });
            }
          }
          const failure = batch.failures.get(i);
          if (failure !== undefined) throw failure;
          const bits = u32le(hdrs, o + 72);
          const t = targets.get(bits);
          if (t instanceof SpvError) throw t;
          const time = u32le(hdrs, o + 68);
          const version = u32le(hdrs, o) | 0;
          // The rules take the hash bytes; display hex is made only for an error or a checkpoint height.
          const ctx = { version, time, bits, hash };
          checkContextual(BENCHNET, ctx, height, view, now);
          chainwork += t.work;
          view.times[height] = time;
          view.bits[height] = bits;
          prevHash = hash;
        } catch (err) {
          rejected = { height, code: err instanceof SpvError ? err.code : String(err) };
        }
      }
    }
    const ms = performance.now() - began;
    await Promise.allSettled(pending.map((p) => p.result));
    const checked = total - 1;
    if (chainwork === 0n) rejected ??= { height: 0, code: 'NO_WORK' };
    return { threads, headers: checked, ms, headersPerSec: checked / (ms / 1000), rejected };
  } finally {
    await pool.close();
  }
}

/** The loop a bitcoinjs-lib user would write: parse, check PoW, check the link. */
function runBitcoinjs(raw: Uint8Array, count: number): { headers: number; ms: number; headersPerSec: number; failures: number } {
  let failures = 0;
  let prev: Uint8Array | null = null;
  const began = performance.now();
  for (let i = 0; i < count; i++) {
    const block = Block.fromBuffer(raw.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE));
    if (!block.checkProofOfWork()) failures++;
    const hash = block.getHash();
    if (prev !== null && (block.prevHash === undefined || Buffer.compare(block.prevHash, prev) !== 0)) failures++;
    prev = hash;
  }
  const ms = performance.now() - began;
  return { headers: count, ms, headersPerSec: count / (ms / 1000), failures };
}

/** Raw hashing in this thread: the wasm SIMD batch (2000 per call) vs node:crypto (a call pair per header). */
function runHashers(raw: Uint8Array, count: number): { wasm: number; crypto: number; kind: string } {
  const input = raw.subarray(0, count * HEADER_SIZE);
  const out = new Uint8Array(count * 32);
  const rate = (h: { hashHeaders(a: Uint8Array, b: Uint8Array): void }): number => {
    let best = 0;
    for (let r = 0; r < 3; r++) {
      const began = performance.now();
      for (let i = 0; i < count; i += BATCH) {
        const end = Math.min(count, i + BATCH);
        h.hashHeaders(input.subarray(i * HEADER_SIZE, end * HEADER_SIZE), out.subarray(i * 32, end * 32));
      }
      best = Math.max(best, count / ((performance.now() - began) / 1000));
    }
    return best;
  };
  const fast = headerHasher();
  return { wasm: rate(fast), crypto: rate(cryptoHeaderHasher()), kind: fast.kind };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      headers: { type: 'string' },
      seed: { type: 'string' },
      gomaxprocs: { type: 'string' },
      'bitcoinjs-headers': { type: 'string' },
      'hash-headers': { type: 'string' },
      repeat: { type: 'string' },
    },
    strict: true,
  });
  let raw: Uint8Array;
  let source: string;
  if (values.file !== undefined) {
    source = resolve(values.file);
    raw = new Uint8Array(readFileSync(source));
  } else {
    const n = Number(values.headers ?? 1_000_000);
    const seed = values.seed ?? '1';
    console.log(`no --file: generating ${n} benchnet headers (seed ${seed})...`);
    raw = generateChain({ headers: n, seed, forks: 0, forkLength: 0 }).bytes;
    source = `generated:${n}:${seed}`;
  }
  const threadList = (values.gomaxprocs ?? '1,2,4').split(',').map((s) => Number(s.trim()));
  const total = mainChainLength(raw);
  const cores = availableParallelism();
  console.log(`validating ${fmt(total)} main-chain headers of ${source} on ${cores} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // Untimed pass over a prefix so this thread's rule code is optimised before the first measured run.
  await runPipeline(raw, Math.min(total, 100_001), 1);
  const runs: PipelineRun[] = [];
  // Best of --repeat runs per setting: on a shared machine the slow runs measure the neighbours.
  const repeat = Math.max(1, Number(values.repeat ?? 2));
  const best = async (threads: number): Promise<PipelineRun> => {
    let top: PipelineRun | null = null;
    for (let r = 0; r < repeat; r++) {
      const run = await runPipeline(raw, total, threads);
      if (top === null || run.headersPerSec > top.headersPerSec) top = run;
    }
    return top!;
  };
  for (const t of threadList) runs.push(await best(t));
  const bjsCount = Math.min(total, Number(values['bitcoinjs-headers'] ?? total));
  const bjs = runBitcoinjs(raw, bjsCount);
  const hashCount = Math.min(total, Number(values['hash-headers'] ?? 200_000));
  const hashers = runHashers(raw, hashCount);

  const at2 = runs.find((r) => r.threads === 2) ?? runs[0]!;
  console.log('');
  console.log('| what | headers | ms | headers/s | vs bitcoinjs |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of runs) {
    const tag = r.rejected === null ? '' : ` (REJECTED at ${r.rejected.height}: ${r.rejected.code})`;
    console.log(`| pipeline --gomaxprocs ${r.threads}${tag} | ${fmt(r.headers)} | ${fmt(r.ms)} | ${fmt(r.headersPerSec)} | ${(r.headersPerSec / bjs.headersPerSec).toFixed(1)}x |`);
  }
  console.log(`| bitcoinjs-lib loop${bjs.failures > 0 ? ` (${bjs.failures} failures)` : ''} | ${fmt(bjs.headers)} | ${fmt(bjs.ms)} | ${fmt(bjs.headersPerSec)} | 1.0x |`);
  console.log(`| sha256d ${hashers.kind}, 2000 per call, 1 thread | ${fmt(hashCount)} | | ${fmt(hashers.wasm)} | |`);
  console.log(`| sha256d node:crypto, 1 call pair per header, 1 thread | ${fmt(hashCount)} | | ${fmt(hashers.crypto)} | |`);
  console.log('');
  console.log(`gomaxprocs ${at2.threads}: ${fmt(at2.headersPerSec)} headers/s = ${(at2.headersPerSec / bjs.headersPerSec).toFixed(1)}x bitcoinjs-lib; hasher ${(hashers.wasm / hashers.crypto).toFixed(1)}x node:crypto`);
  console.log(
    JSON.stringify({
      bench: 'validate',
      source,
      headers: total,
      repeat,
      cores,
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
      pipeline: runs.map((r) => ({ gomaxprocs: r.threads, headersPerSec: Math.round(r.headersPerSec), ms: Math.round(r.ms), rejected: r.rejected })),
      bitcoinjs: { headers: bjs.headers, headersPerSec: Math.round(bjs.headersPerSec), failures: bjs.failures },
      ratioVsBitcoinjs: Number((at2.headersPerSec / bjs.headersPerSec).toFixed(2)),
      // Issue 5's targets, reported (not asserted): >= 1M headers/s at --gomaxprocs 2 and >= 5x bitcoinjs-lib.
      targets: { headersPerSec: at2.headersPerSec >= 1_000_000, ratio: at2.headersPerSec >= 5 * bjs.headersPerSec },
      hasher: { kind: hashers.kind, wasmPerSec: Math.round(hashers.wasm), cryptoPerSec: Math.round(hashers.crypto), ratio: Number((hashers.wasm / hashers.crypto).toFixed(2)) },
    }),
  );
}

await main();
