import type { AncestorView } from '../chain/ancestors.js';
import { InvariantError } from '../errors/spvError.js';
import { bytesEqual } from '../util/bytes.js';

/**
 * The best chain in memory, compactly: per height a 32-byte hash, a time and bits, in typed arrays
 * indexed from the start anchor (40 bytes per header: ~40 MB for a 1M-header chain, no object per header).
 * It is what the hot path needs (extend the tip, check context, answer by height) without a DB read.
 */
export class BestChain implements AncestorView {
  private hashes: Uint8Array;
  private times: Uint32Array;
  private bitsArr: Uint32Array;
  private length = 0;

  constructor(
    readonly floorHeight: number,
    capacity = 4096,
  ) {
    this.hashes = new Uint8Array(capacity * 32);
    this.times = new Uint32Array(capacity);
    this.bitsArr = new Uint32Array(capacity);
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

  private index(height: number): number {
    if (!this.has(height)) throw new InvariantError('best chain height out of range', { height });
    return height - this.floorHeight;
  }

  hashAt(height: number): Uint8Array {
    const i = this.index(height);
    return this.hashes.subarray(i * 32, i * 32 + 32);
  }

  isHashAt(height: number, hash: Uint8Array): boolean {
    return this.has(height) && bytesEqual(this.hashAt(height), hash);
  }

  timeAt(height: number): number {
    return this.times[this.index(height)]!;
  }

  bitsAt(height: number): number {
    return this.bitsArr[this.index(height)]!;
  }

  get tipHash(): Uint8Array {
    return this.hashAt(this.tipHeight);
  }

  private grow(min: number): void {
    let cap = this.times.length;
    if (min <= cap) return;
    while (cap < min) cap *= 2;
    const h = new Uint8Array(cap * 32);
    h.set(this.hashes.subarray(0, this.length * 32));
    const t = new Uint32Array(cap);
    t.set(this.times.subarray(0, this.length));
    const b = new Uint32Array(cap);
    b.set(this.bitsArr.subarray(0, this.length));
    this.hashes = h;
    this.times = t;
    this.bitsArr = b;
  }

  /** Appends the header at tipHeight + 1. */
  push(hash: Uint8Array, time: number, bits: number): void {
    this.grow(this.length + 1);
    this.hashes.set(hash, this.length * 32);
    this.times[this.length] = time;
    this.bitsArr[this.length] = bits;
    this.length++;
  }

  /** Drops every height above `height` (a reorg's disconnect or a rollback). */
  truncate(height: number): void {
    if (height < this.floorHeight) throw new InvariantError('cannot truncate below the start anchor', { height });
    this.length = Math.min(this.length, height - this.floorHeight + 1);
  }
}
