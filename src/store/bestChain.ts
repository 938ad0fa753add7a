import type { AncestorView } from '../chain/ancestors.js';
import { workFromBits } from '../chain/work.js';
import { InvariantError } from '../errors/spvError.js';
import { HashIndex, probeKey } from './hashIndex.js';
import type { HashSource } from './hashIndex.js';
import { CHUNK_HEADERS, chunkOf } from './keys.js';
import { INDEX_ENTRY_SIZE } from './records.js';

const workByBits = new Map<number, bigint>();

/** A header's own work, cached per compact bits (a chain changes bits at most once per 2016 headers). */
export function workOfBits(bits: number): bigint {
  let w = workByBits.get(bits);
  if (w === undefined) {
    w = workFromBits(bits);
    if (workByBits.size > 4096) workByBits.clear();
    workByBits.set(bits, w);
  }
  return w;
}

/** Entries per memory segment: growth allocates a segment, it never copies the chain. */
const SEGMENT_BITS = 15;
const SEGMENT = 1 << SEGMENT_BITS;
const SEGMENT_MASK = SEGMENT - 1;
/** Distinct bits values one segment codes in a byte; a segment with more switches to plain 4-byte bits. */
const PALETTE_MAX = 256;

/**
 * One segment's compact bits: a byte per header indexing the segment's palette of distinct values. A
 * retarget changes bits once per 2016 headers and testnet's 20-minute rule adds only powLimit, so a
 * 32,768-header segment holds ~17-34 distinct values under the rules; the palette never has to overflow,
 * but if a chain ever gave one segment more than 256 (a stored header is always valid, yet the structure
 * must not depend on that), it becomes a plain Uint32Array and stays exact.
 */
class BitsSegment {
  private codes: Uint8Array | null = new Uint8Array(SEGMENT);
  private wide: Uint32Array | null = null;
  private readonly palette: number[] = [];
  private last = -1;

  get(i: number): number {
    return this.codes !== null ? this.palette[this.codes[i]!]! : this.wide![i]!;
  }

  set(i: number, bits: number): void {
    if (this.codes === null) {
      this.wide![i] = bits;
      return;
    }
    let code = this.last >= 0 && this.palette[this.last] === bits ? this.last : this.palette.indexOf(bits);
    if (code < 0) {
      if (this.palette.length === PALETTE_MAX) {
        const wide = new Uint32Array(SEGMENT);
        for (let k = 0; k < SEGMENT; k++) wide[k] = this.palette[this.codes[k]!] ?? 0;
        this.codes = null;
        this.wide = wide;
        wide[i] = bits;
        return;
      }
      code = this.palette.push(bits) - 1;
    }
    this.last = code;
    this.codes[i] = code;
  }
}

/**
 * The best chain in memory, compactly: per height the hash (32 bytes), the time (4) and the bits (1-byte
 * palette code, see BitsSegment), one chainwork per 64-header chunk, and a hash -> height table (~5.5
 * bytes per header). ~43 bytes per header (~43 MB for 1M), no object per header, held in fixed-size
 * segments so that growing to a million headers never holds two copies of the chain. It is what the hot
 * path needs (extend the tip, check context, find a hash, answer by height) without a DB read. Entries go
 * in and out in the stored index chunks' layout (hash 32 | time u32 LE | bits u32 LE: records.ts), so a
 * restart copies chunks in and a reorg writes them back out.
 */
export class BestChain implements AncestorView, HashSource {
  private readonly hashSegs: Uint8Array[] = [];
  private readonly timeSegs: Uint32Array[] = [];
  private readonly bitsSegs: BitsSegment[] = [];
  private length = 0;
  /** Chainwork of the first header of each chunk, from the anchor's chunk up. */
  private readonly bases: bigint[] = [];
  private readonly index: HashIndex;
  private readonly floorChunk: number;

  constructor(
    readonly floorHeight: number,
    capacity = 4096,
  ) {
    this.floorChunk = chunkOf(floorHeight);
    this.index = new HashIndex(floorHeight, this, capacity);
  }

  get tipHeight(): number {
    return this.floorHeight + this.length - 1;
  }

  get size(): number {
    return this.length;
  }

  has(height: number): boolean {
    return height >= this.floorHeight && height <= this.tipHeight;
  }

  /** Entry index of `height`, checked. */
  private slot(height: number): number {
    if (!this.has(height)) throw new InvariantError('best chain height out of range', { height });
    return height - this.floorHeight;
  }

  hashAt(height: number): Uint8Array {
    const i = this.slot(height);
    const o = (i & SEGMENT_MASK) * 32;
    return this.hashSegs[i >>> SEGMENT_BITS]!.subarray(o, o + 32);
  }

  isHashAt(height: number, hash: Uint8Array): boolean {
    if (!this.has(height)) return false;
    const i = height - this.floorHeight;
    const seg = this.hashSegs[i >>> SEGMENT_BITS]!;
    const o = (i & SEGMENT_MASK) * 32;
    for (let k = 0; k < 32; k++) if (seg[o + k] !== hash[k]) return false;
    return true;
  }

  keyAt(height: number): number {
    const i = this.slot(height);
    return probeKey(this.hashSegs[i >>> SEGMENT_BITS]!, (i & SEGMENT_MASK) * 32);
  }

  /** Height of `hash` on the best chain, or -1. */
  heightOf(hash: Uint8Array): number {
    return this.index.get(hash);
  }

  timeAt(height: number): number {
    const i = this.slot(height);
    return this.timeSegs[i >>> SEGMENT_BITS]![i & SEGMENT_MASK]!;
  }

  bitsAt(height: number): number {
    const i = this.slot(height);
    return this.bitsSegs[i >>> SEGMENT_BITS]!.get(i & SEGMENT_MASK);
  }

  get tipHash(): Uint8Array {
    return this.hashAt(this.tipHeight);
  }

  /** Writes the packed entries (records.ts layout) of heights [from, to] into `out` at `offset`. */
  copyEntries(from: number, to: number, out: Uint8Array, offset: number): void {
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let o = offset;
    for (let i = this.slot(from), end = this.slot(to); i <= end; i++, o += INDEX_ENTRY_SIZE) {
      const s = i >>> SEGMENT_BITS;
      const k = i & SEGMENT_MASK;
      out.set(this.hashSegs[s]!.subarray(k * 32, k * 32 + 32), o);
      dv.setUint32(o + 32, this.timeSegs[s]![k]!, true);
      dv.setUint32(o + 36, this.bitsSegs[s]!.get(k), true);
    }
  }

  /** Chainwork of the first header of `chunk` (which must hold best-chain headers). */
  chunkChainwork(chunk: number): bigint {
    const w = this.bases[chunk - this.floorChunk];
    if (w === undefined) throw new InvariantError('no best-chain chunk', { chunk });
    return w;
  }

  /** Cumulative work at `height`: the chunk's base plus the work of the headers after it (at most 63). */
  chainworkAt(height: number): bigint {
    this.slot(height);
    const c = chunkOf(height);
    let w = this.chunkChainwork(c);
    for (let h = Math.max(c * CHUNK_HEADERS, this.floorHeight) + 1; h <= height; h++) w += workOfBits(this.bitsAt(h));
    return w;
  }

  /** Makes room for `count` more entries; segments are allocated as needed. */
  private reserve(count: number): void {
    while (this.hashSegs.length * SEGMENT < this.length + count) {
      this.hashSegs.push(new Uint8Array(SEGMENT * 32));
      this.timeSegs.push(new Uint32Array(SEGMENT));
      this.bitsSegs.push(new BitsSegment());
    }
  }

  /** Stores hash/time/bits at entry index `i` (room reserved). */
  private put(i: number, hash: Uint8Array, time: number, bits: number): void {
    const s = i >>> SEGMENT_BITS;
    const k = i & SEGMENT_MASK;
    this.hashSegs[s]!.set(hash, k * 32);
    this.timeSegs[s]![k] = time;
    this.bitsSegs[s]!.set(k, bits);
  }

  /** Appends the header at tipHeight + 1 with its cumulative work. */
  push(hash: Uint8Array, time: number, bits: number, chainwork: bigint): void {
    this.reserve(1);
    const height = this.tipHeight + 1;
    this.put(this.length, hash, time, bits);
    this.length++;
    if (height === this.floorHeight || height % CHUNK_HEADERS === 0) this.bases[chunkOf(height) - this.floorChunk] = chainwork;
    this.index.add(height);
  }

  /**
   * Appends a stored index chunk (restart): `entries` are packed entries for the heights from tipHeight + 1,
   * `chainwork` the first one's cumulative work.
   */
  pushChunk(entries: Uint8Array, count: number, chainwork: bigint): void {
    this.reserve(count);
    const first = this.tipHeight + 1;
    const dv = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    for (let k = 0, o = 0; k < count; k++, o += INDEX_ENTRY_SIZE) {
      this.put(this.length + k, entries.subarray(o, o + 32), dv.getUint32(o + 32, true), dv.getUint32(o + 36, true));
    }
    this.length += count;
    this.bases[chunkOf(first) - this.floorChunk] = chainwork;
    for (let k = 0; k < count; k++) this.index.addKey(dv.getUint32(k * INDEX_ENTRY_SIZE, true), first + k);
  }

  /** Drops every height above `height` (a reorg's disconnect or a rollback). */
  truncate(height: number): void {
    if (height < this.floorHeight) throw new InvariantError('cannot truncate below the start anchor', { height });
    // Remove from the top down while the hashes are still in place (the index re-reads them to re-probe).
    for (let h = this.tipHeight; h > height; h--) this.index.remove(h);
    this.length = Math.min(this.length, height - this.floorHeight + 1);
    this.bases.length = chunkOf(this.tipHeight) - this.floorChunk + 1;
    // Keep one spare segment: a reorg that shrinks then regrows the chain does not reallocate.
    while (this.hashSegs.length > (this.length >>> SEGMENT_BITS) + 2) {
      this.hashSegs.pop();
      this.timeSegs.pop();
      this.bitsSegs.pop();
    }
  }
}
