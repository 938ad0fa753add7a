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

/**
 * The best chain in memory, compactly: per height a 40-byte entry (hash 32 | time LE | bits LE, the
 * layout of the stored index chunks, so a restart copies chunks in), one chainwork per 64-header chunk,
 * and a hash -> height table. ~48 bytes per header (~50 MB for 1M), no object per header. It is what
 * the hot path needs (extend the tip, check context, find a hash, answer by height) without a DB read.
 */
export class BestChain implements AncestorView, HashSource {
  private entries: Uint8Array;
  private view: DataView;
  private length = 0;
  /** Chainwork of the first header of each chunk, from the anchor's chunk up. */
  private readonly bases: bigint[] = [];
  private readonly index: HashIndex;
  private readonly floorChunk: number;

  constructor(
    readonly floorHeight: number,
    capacity = 4096,
  ) {
    this.entries = new Uint8Array(capacity * INDEX_ENTRY_SIZE);
    this.view = new DataView(this.entries.buffer);
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

  private offset(height: number): number {
    if (!this.has(height)) throw new InvariantError('best chain height out of range', { height });
    return (height - this.floorHeight) * INDEX_ENTRY_SIZE;
  }

  hashAt(height: number): Uint8Array {
    const o = this.offset(height);
    return this.entries.subarray(o, o + 32);
  }

  isHashAt(height: number, hash: Uint8Array): boolean {
    if (!this.has(height)) return false;
    const o = (height - this.floorHeight) * INDEX_ENTRY_SIZE;
    const e = this.entries;
    for (let i = 0; i < 32; i++) if (e[o + i] !== hash[i]) return false;
    return true;
  }

  keyAt(height: number): number {
    return this.view.getUint32(this.offset(height), true);
  }

  /** Height of `hash` on the best chain, or -1. */
  heightOf(hash: Uint8Array): number {
    return this.index.get(hash);
  }

  timeAt(height: number): number {
    return this.view.getUint32(this.offset(height) + 32, true);
  }

  bitsAt(height: number): number {
    return this.view.getUint32(this.offset(height) + 36, true);
  }

  get tipHash(): Uint8Array {
    return this.hashAt(this.tipHeight);
  }

  /** The packed entries of heights [from, to] (a view; valid until the next change). */
  entriesOf(from: number, to: number): Uint8Array {
    return this.entries.subarray(this.offset(from), this.offset(to) + INDEX_ENTRY_SIZE);
  }

  /** Chainwork of the first header of `chunk` (which must hold best-chain headers). */
  chunkChainwork(chunk: number): bigint {
    const w = this.bases[chunk - this.floorChunk];
    if (w === undefined) throw new InvariantError('no best-chain chunk', { chunk });
    return w;
  }

  /** Cumulative work at `height`: the chunk's base plus the work of the headers after it (at most 63). */
  chainworkAt(height: number): bigint {
    this.offset(height);
    const c = chunkOf(height);
    let w = this.chunkChainwork(c);
    for (let h = Math.max(c * CHUNK_HEADERS, this.floorHeight) + 1; h <= height; h++) w += workOfBits(this.bitsAt(h));
    return w;
  }

  private grow(min: number): void {
    let cap = this.entries.length / INDEX_ENTRY_SIZE;
    if (min <= cap) return;
    // 1.5x rather than 2x: at a million headers the spare capacity is memory the process keeps.
    while (cap < min) cap = Math.ceil(cap * 1.5);
    const e = new Uint8Array(cap * INDEX_ENTRY_SIZE);
    e.set(this.entries.subarray(0, this.length * INDEX_ENTRY_SIZE));
    this.entries = e;
    this.view = new DataView(e.buffer);
  }

  /** Appends the header at tipHeight + 1 with its cumulative work. */
  push(hash: Uint8Array, time: number, bits: number, chainwork: bigint): void {
    this.grow(this.length + 1);
    const height = this.tipHeight + 1;
    const o = this.length * INDEX_ENTRY_SIZE;
    this.entries.set(hash, o);
    this.view.setUint32(o + 32, time, true);
    this.view.setUint32(o + 36, bits, true);
    this.length++;
    if (height === this.floorHeight || height % CHUNK_HEADERS === 0) this.bases[chunkOf(height) - this.floorChunk] = chainwork;
    this.index.add(height);
  }

  /**
   * Appends a stored index chunk (restart): `entries` are packed entries for the heights from tipHeight + 1,
   * `chainwork` the first one's cumulative work.
   */
  pushChunk(entries: Uint8Array, count: number, chainwork: bigint): void {
    this.grow(this.length + count);
    const first = this.tipHeight + 1;
    this.entries.set(entries, this.length * INDEX_ENTRY_SIZE);
    this.length += count;
    this.bases[chunkOf(first) - this.floorChunk] = chainwork;
    for (let h = first; h < first + count; h++) this.index.add(h);
  }

  /** Drops every height above `height` (a reorg's disconnect or a rollback). */
  truncate(height: number): void {
    if (height < this.floorHeight) throw new InvariantError('cannot truncate below the start anchor', { height });
    // Remove from the top down while the hashes are still in place (the index re-reads them to re-probe).
    for (let h = this.tipHeight; h > height; h--) this.index.remove(h);
    this.length = Math.min(this.length, height - this.floorHeight + 1);
    this.bases.length = chunkOf(this.tipHeight) - this.floorChunk + 1;
  }
}
