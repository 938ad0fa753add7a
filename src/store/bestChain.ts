import type { AncestorView } from '../chain/ancestors.js';
import { workFromBits } from '../chain/work.js';
import { InvariantError } from '../errors/spvError.js';
import { HashIndex } from './hashIndex.js';
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

/** Entries per memory segment (1.25 MB): growth allocates a segment, it never copies the chain. */
const SEGMENT_BITS = 15;
const SEGMENT = 1 << SEGMENT_BITS;
const SEGMENT_MASK = SEGMENT - 1;

/**
 * The best chain in memory, compactly: per height a 40-byte entry (hash 32 | time LE | bits LE, the
 * layout of the stored index chunks, so a restart copies chunks in), one chainwork per 64-header chunk,
 * and a hash -> height table. ~48 bytes per header (~50 MB for 1M), no object per header, held in
 * fixed-size segments so that growing to a million headers never holds two copies of the chain.
 * It is what the hot path needs (extend the tip, check context, find a hash, answer by height) without
 * a DB read.
 */
export class BestChain implements AncestorView, HashSource {
  private readonly segments: Uint8Array[] = [];
  private readonly views: DataView[] = [];
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
    const o = (i & SEGMENT_MASK) * INDEX_ENTRY_SIZE;
    return this.segments[i >>> SEGMENT_BITS]!.subarray(o, o + 32);
  }

  isHashAt(height: number, hash: Uint8Array): boolean {
    if (!this.has(height)) return false;
    const i = height - this.floorHeight;
    const seg = this.segments[i >>> SEGMENT_BITS]!;
    const o = (i & SEGMENT_MASK) * INDEX_ENTRY_SIZE;
    for (let k = 0; k < 32; k++) if (seg[o + k] !== hash[k]) return false;
    return true;
  }

  keyAt(height: number): number {
    const i = this.slot(height);
    return this.views[i >>> SEGMENT_BITS]!.getUint32((i & SEGMENT_MASK) * INDEX_ENTRY_SIZE, true);
  }

  /** Height of `hash` on the best chain, or -1. */
  heightOf(hash: Uint8Array): number {
    return this.index.get(hash);
  }

  timeAt(height: number): number {
    const i = this.slot(height);
    return this.views[i >>> SEGMENT_BITS]!.getUint32((i & SEGMENT_MASK) * INDEX_ENTRY_SIZE + 32, true);
  }

  bitsAt(height: number): number {
    const i = this.slot(height);
    return this.views[i >>> SEGMENT_BITS]!.getUint32((i & SEGMENT_MASK) * INDEX_ENTRY_SIZE + 36, true);
  }

  get tipHash(): Uint8Array {
    return this.hashAt(this.tipHeight);
  }

  /** Copies the packed entries of heights [from, to] into `out` at `offset`. */
  copyEntries(from: number, to: number, out: Uint8Array, offset: number): void {
    let at = offset;
    for (let i = this.slot(from), end = this.slot(to); i <= end; ) {
      const seg = this.segments[i >>> SEGMENT_BITS]!;
      const lo = i & SEGMENT_MASK;
      const n = Math.min(end - i + 1, SEGMENT - lo);
      out.set(seg.subarray(lo * INDEX_ENTRY_SIZE, (lo + n) * INDEX_ENTRY_SIZE), at);
      at += n * INDEX_ENTRY_SIZE;
      i += n;
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

  /** Makes room for `count` more entries; returns nothing, segments are allocated as needed. */
  private reserve(count: number): void {
    while (this.segments.length * SEGMENT < this.length + count) {
      const seg = new Uint8Array(SEGMENT * INDEX_ENTRY_SIZE);
      this.segments.push(seg);
      this.views.push(new DataView(seg.buffer));
    }
  }

  /** Appends the header at tipHeight + 1 with its cumulative work. */
  push(hash: Uint8Array, time: number, bits: number, chainwork: bigint): void {
    this.reserve(1);
    const height = this.tipHeight + 1;
    const i = this.length;
    const o = (i & SEGMENT_MASK) * INDEX_ENTRY_SIZE;
    this.segments[i >>> SEGMENT_BITS]!.set(hash, o);
    const v = this.views[i >>> SEGMENT_BITS]!;
    v.setUint32(o + 32, time, true);
    v.setUint32(o + 36, bits, true);
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
    let done = 0;
    while (done < count) {
      const i = this.length + done;
      const lo = i & SEGMENT_MASK;
      const n = Math.min(count - done, SEGMENT - lo);
      this.segments[i >>> SEGMENT_BITS]!.set(
        entries.subarray(done * INDEX_ENTRY_SIZE, (done + n) * INDEX_ENTRY_SIZE),
        lo * INDEX_ENTRY_SIZE,
      );
      done += n;
    }
    this.length += count;
    this.bases[chunkOf(first) - this.floorChunk] = chainwork;
    const dv = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
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
    while (this.segments.length > (this.length >>> SEGMENT_BITS) + 2) {
      this.segments.pop();
      this.views.pop();
    }
  }
}
