/**
 * Writes a synthetic benchnet header chain that passes full validation (src/chain/params.ts BENCHNET):
 * genesis first, the main chain in order, then `--forks` side branches of `--fork-length` headers, each
 * leaving the main chain at an earlier header. Deterministic from `--seed` (same seed, same bytes).
 *
 *   node --import tsx scripts/gen-chain.ts --headers N --seed S --out FILE [--forks K --fork-length L]
 *
 * The chain exercises the real rule path: bits change at retargets (each period's block spacing is drawn so
 * the difficulty moves up and down, now and then hard against the 4x clamp, and stays within 64x of the
 * powLimit so mining stays cheap), times jitter and sometimes go backwards (but stay above the median time
 * past), and the last header is long before now. Mining uses the batched sha256d (src/chain/headerHasher.ts).
 * Prints human lines, then one JSON line last. Never asserts.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { AncestorView } from '../src/chain/ancestors.js';
import { decodeCompact } from '../src/chain/compact.js';
import { requiredBits } from '../src/chain/difficulty.js';
import { HEADER_SIZE } from '../src/chain/header.js';
import { headerHasher } from '../src/chain/headerHasher.js';
import { BENCHNET, MAX_FUTURE_BLOCK_TIME, RETARGET_INTERVAL, TARGET_SPACING } from '../src/chain/params.js';
import { TargetCache, hashMeetsTargetAt } from '../src/chain/pow.js';
import { SpvError } from '../src/errors/spvError.js';
import { hashToHex } from '../src/util/bytes.js';

export interface GenChainOptions {
  /** Main-chain headers, genesis included. */
  readonly headers: number;
  readonly seed: string;
  readonly forks: number;
  readonly forkLength: number;
}

export interface GenChainResult {
  /** (headers + forks x forkLength) x 80 bytes. */
  readonly bytes: Uint8Array;
  readonly tipHashHex: string;
  readonly lastTime: number;
  readonly retargets: number;
  readonly distinctBits: number;
  /** Highest difficulty reached, as powLimit / target. */
  readonly maxDifficulty: number;
  /** Hashes computed while mining (tries, including the batch slack). */
  readonly hashesTried: number;
  /** Where each fork leaves the main chain (the height of its parent). */
  readonly forkPoints: number[];
}

/** xoshiro128** seeded from sha256(seed): a stable, fast generator (Math.random is not seedable). */
class Rng {
  private s: Uint32Array;

  constructor(seed: string) {
    const d = createHash('sha256').update(`spvclient gen-chain ${seed}`).digest();
    this.s = new Uint32Array([d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12) | 1]);
  }

  u32(): number {
    const s = this.s;
    const result = Math.imul(((Math.imul(s[1]!, 5) << 7) | (Math.imul(s[1]!, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = ((s[3]! << 11) | (s[3]! >>> 21)) >>> 0;
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** Times and bits by height over the main chain up to `forkHeight`, then a branch of its own above it. */
class ChainView implements AncestorView {
  readonly floorHeight = 0;

  constructor(
    private readonly mainTimes: Uint32Array,
    private readonly mainBits: Uint32Array,
    private readonly forkHeight: number,
    private readonly ownTimes: Uint32Array,
    private readonly ownBits: Uint32Array,
  ) {}

  timeAt(height: number): number {
    return height <= this.forkHeight ? this.mainTimes[height]! : this.ownTimes[height - this.forkHeight - 1]!;
  }

  bitsAt(height: number): number {
    return height <= this.forkHeight ? this.mainBits[height]! : this.ownBits[height - this.forkHeight - 1]!;
  }
}

const MEDIAN_SPAN = 11;

/**
 * Block spacing for a retarget period, as a factor of 600 s, steering the difficulty (powLimit / target):
 * mostly gentle moves around 1, every 25th period a burst (factor 0.2: the clamp makes it exactly 4x harder),
 * answered by a slow period (factor 4.5: clamped to 4x easier) once the difficulty is above 16.
 * The arithmetic mean stays near 1.1, so a million headers span ~21 years.
 */
function periodFactor(rng: Rng, period: number, difficulty: number): number {
  if (difficulty > 16) return 4.5;
  if (period % 25 === 7 && difficulty <= 8) return 0.2;
  if (difficulty <= 1.01) return rng.between(0.6, 1.05);
  if (difficulty > 8) return rng.between(1.0, 1.6);
  if (difficulty < 2) return rng.between(0.65, 1.15);
  return rng.between(0.75, 1.4);
}

class Miner {
  private readonly hasher = headerHasher();
  private readonly targets = new TargetCache(BENCHNET.powLimit);
  private batch = new Uint8Array(0);
  private hashes = new Uint8Array(0);
  private words = new Uint32Array(0);
  tried = 0;

  /** Sets the nonce of `header` (80 bytes, nonce ignored) to the first from 0 that meets its bits; returns its hash. */
  mine(header: Uint8Array, bits: number): Uint8Array {
    const t = this.targets.get(bits);
    if (t instanceof SpvError) throw t;
    // Tries expected ~ 2^256 / target; a batch of about that many (4..256) wastes little and keeps calls few.
    const expected = Number((1n << 256n) / (t.target + 1n));
    const size = Math.min(256, Math.max(4, Math.ceil(expected / 4) * 4));
    if (this.batch.length !== size * HEADER_SIZE) {
      this.batch = new Uint8Array(size * HEADER_SIZE);
      this.hashes = new Uint8Array(size * 32);
      this.words = new Uint32Array(this.hashes.buffer);
    }
    for (let i = 0; i < size; i++) this.batch.set(header.subarray(0, 76), i * HEADER_SIZE);
    for (let base = 0; base < 0x100000000; base += size) {
      for (let i = 0; i < size; i++) {
        const n = base + i;
        const o = i * HEADER_SIZE + 76;
        this.batch[o] = n & 0xff;
        this.batch[o + 1] = (n >>> 8) & 0xff;
        this.batch[o + 2] = (n >>> 16) & 0xff;
        this.batch[o + 3] = (n >>> 24) & 0xff;
      }
      this.hasher.hashHeaders(this.batch, this.hashes);
      this.tried += size;
      for (let i = 0; i < size; i++) {
        if (hashMeetsTargetAt(this.words, i * 8, t)) {
          header.set(this.batch.subarray(i * HEADER_SIZE + 76, i * HEADER_SIZE + 80), 76);
          return this.hashes.slice(i * 32, i * 32 + 32);
        }
      }
    }
    throw new Error('no nonce meets the target');
  }
}

function writeHeader(out: Uint8Array, offset: number, f: { version: number; prev: Uint8Array; root: Uint8Array; time: number; bits: number }): void {
  const dv = new DataView(out.buffer, out.byteOffset + offset, HEADER_SIZE);
  dv.setInt32(0, f.version, true);
  out.set(f.prev, offset + 4);
  out.set(f.root, offset + 36);
  dv.setUint32(68, f.time, true);
  dv.setUint32(72, f.bits, true);
  dv.setUint32(76, 0, true);
}

function median(view: AncestorView, parent: number, scratch: number[]): number {
  scratch.length = 0;
  for (let h = Math.max(0, parent - MEDIAN_SPAN + 1); h <= parent; h++) scratch.push(view.timeAt(h));
  scratch.sort((a, b) => a - b);
  return scratch[Math.floor(scratch.length / 2)]!;
}

/**
 * Extends a chain by `count` headers above `parentHeight` (whose hash is `parentHash`), writing them at
 * `outOffset` and their times/bits into `times`/`bitsOut` (indexed from 0 = parentHeight + 1).
 */
function extend(
  ctx: { rng: Rng; miner: Miner; out: Uint8Array; stats: { retargets: number; bits: Set<number>; maxDifficulty: number } },
  view: AncestorView,
  parentHeight: number,
  parentHash: Uint8Array,
  count: number,
  outOffset: number,
  times: Uint32Array,
  bitsOut: Uint32Array,
): Uint8Array {
  const { rng, miner, out, stats } = ctx;
  const limit = Number(BENCHNET.powLimit);
  const scratch: number[] = [];
  const root = new Uint8Array(32);
  let prev = parentHash;
  let factor = 1;
  for (let k = 0; k < count; k++) {
    const height = parentHeight + 1 + k;
    const parentTime = view.timeAt(height - 1);
    const difficulty = limit / Number(decodeCompact(view.bitsAt(height - 1)).target);
    if (k === 0 || height % RETARGET_INTERVAL === 0) {
      factor = periodFactor(rng, Math.floor(height / RETARGET_INTERVAL), difficulty);
    }
    let time = parentTime + Math.round(TARGET_SPACING * factor * rng.between(0.5, 1.5));
    // About 1 in 30 headers is stamped before its parent, as real miners' clocks do; MTP still bounds it.
    if (rng.next() < 1 / 30) time = parentTime - Math.floor(rng.between(0, 900));
    const mtp = median(view, height - 1, scratch);
    if (time <= mtp) time = mtp + 1;
    const bits = requiredBits(BENCHNET, view, height, time);
    if (height % RETARGET_INTERVAL === 0) stats.retargets++;
    stats.bits.add(bits);
    stats.maxDifficulty = Math.max(stats.maxDifficulty, limit / Number(decodeCompact(bits).target));
    for (let i = 0; i < 32; i += 4) {
      const v = rng.u32();
      root[i] = v & 0xff;
      root[i + 1] = (v >>> 8) & 0xff;
      root[i + 2] = (v >>> 16) & 0xff;
      root[i + 3] = v >>> 24;
    }
    // BIP9-style versions (>= 4 as BIP65 requires from height 1), with a signalling bit now and then.
    const version = rng.next() < 0.1 ? 0x20000004 : 0x20000000;
    const offset = outOffset + k * HEADER_SIZE;
    writeHeader(out, offset, { version, prev, root, time, bits });
    times[k] = time;
    bitsOut[k] = bits;
    prev = miner.mine(out.subarray(offset, offset + HEADER_SIZE), bits);
  }
  return prev;
}

export function generateChain(opts: GenChainOptions): GenChainResult {
  const n = opts.headers;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('--headers must be a positive integer');
  if (opts.forks > 0 && (opts.forkLength < 1 || opts.forkLength + 2 > n)) {
    throw new RangeError('--fork-length must be at least 1 and leave room below the main-chain tip');
  }
  const rng = new Rng(opts.seed);
  const miner = new Miner();
  const out = new Uint8Array((n + opts.forks * opts.forkLength) * HEADER_SIZE);
  const stats = { retargets: 0, bits: new Set<number>([BENCHNET.powLimitBits]), maxDifficulty: 1 };
  const ctx = { rng, miner, out, stats };

  const times = new Uint32Array(n);
  const bits = new Uint32Array(n);
  const g = BENCHNET.genesisHeader;
  out.set(g, 0);
  times[0] = new DataView(g.buffer, g.byteOffset).getUint32(68, true);
  bits[0] = BENCHNET.powLimitBits;
  const genesisHash = new Uint8Array(32);
  headerHasher().hashHeaders(g, genesisHash);
  const mainView = new ChainView(times, bits, n - 1, new Uint32Array(0), new Uint32Array(0));
  const tip = extend(ctx, mainView, 0, genesisHash, n - 1, HEADER_SIZE, times.subarray(1), bits.subarray(1));

  const forkPoints: number[] = [];
  const hashOf = (height: number): Uint8Array => {
    // The main chain's hash at `height` is the next header's prev field (the tip's is returned by extend).
    if (height === n - 1) return tip;
    const o = (height + 1) * HEADER_SIZE + 4;
    return out.slice(o, o + 32);
  };
  for (let f = 0; f < opts.forks; f++) {
    // A fork shorter than the rest of the main chain above its parent, so it stays a side branch.
    const parent = Math.floor(rng.between(0, n - 1 - opts.forkLength));
    forkPoints.push(parent);
    const ownTimes = new Uint32Array(opts.forkLength);
    const ownBits = new Uint32Array(opts.forkLength);
    const view = new ChainView(times, bits, parent, ownTimes, ownBits);
    extend(ctx, view, parent, hashOf(parent), opts.forkLength, (n + f * opts.forkLength) * HEADER_SIZE, ownTimes, ownBits);
  }
  return {
    bytes: out,
    tipHashHex: hashToHex(tip),
    lastTime: times[n - 1]!,
    retargets: stats.retargets,
    distinctBits: stats.bits.size,
    maxDifficulty: stats.maxDifficulty,
    hashesTried: miner.tried,
    forkPoints,
  };
}

function intArg(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`--${flag} must be a non-negative integer`);
  return v;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      headers: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      forks: { type: 'string' },
      'fork-length': { type: 'string' },
    },
    strict: true,
  });
  const opts: GenChainOptions = {
    headers: intArg(values.headers, 1_000_000, 'headers'),
    seed: values.seed ?? '1',
    forks: intArg(values.forks, 0, 'forks'),
    forkLength: intArg(values['fork-length'], 2000, 'fork-length'),
  };
  const file = resolve(values.out ?? `benchnet-${opts.headers}-${opts.seed}.bin`);
  const began = performance.now();
  const r = generateChain(opts);
  writeFileSync(file, r.bytes);
  const ms = Math.round(performance.now() - began);
  const sha256 = createHash('sha256').update(r.bytes).digest('hex');
  const now = Math.floor(Date.now() / 1000);
  console.log(`benchnet chain: ${opts.headers} main-chain headers (genesis included), ${opts.forks} forks of ${opts.forkLength}`);
  console.log(`tip ${opts.headers - 1} ${r.tipHashHex}, last time ${new Date(r.lastTime * 1000).toISOString()}`);
  console.log(`${r.retargets} retargets, ${r.distinctBits} distinct bits, max difficulty ${r.maxDifficulty.toFixed(1)}x powLimit`);
  console.log(`mined with ${headerHasher().kind}: ${r.hashesTried} hashes tried in ${ms} ms`);
  if (r.forkPoints.length > 0) console.log(`forks leave the main chain at heights ${r.forkPoints.join(', ')}`);
  if (r.lastTime > now + MAX_FUTURE_BLOCK_TIME) {
    console.log('warning: the chain ends in the future; its last headers will be rejected as HEADER_TIME_TOO_NEW until then');
  }
  // `spvclient import` reads a file in batches of 2000 contiguous headers: a fork starting inside a batch
  // does not link to the header before it.
  if (opts.forks > 0 && (opts.headers % 2000 !== 0 || opts.forkLength % 2000 !== 0)) {
    console.log('note: forks start at offsets that are not multiples of 2000 headers (the import batch size)');
  }
  console.log(`wrote ${file} (${r.bytes.length} bytes) sha256 ${sha256}`);
  console.log(
    JSON.stringify({
      file,
      network: 'benchnet',
      headers: opts.headers,
      forks: opts.forks,
      forkLength: opts.forkLength,
      seed: opts.seed,
      sha256,
      tipHashHex: r.tipHashHex,
      retargets: r.retargets,
      distinctBits: r.distinctBits,
      hashesTried: r.hashesTried,
      hasher: headerHasher().kind,
      ms,
    }),
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
