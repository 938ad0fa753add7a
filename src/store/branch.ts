import type { AncestorView } from '../chain/ancestors.js';
import { HEADER_SIZE } from '../chain/header.js';
import type { BestChain } from './bestChain.js';

/** One header of a branch that is already stored as a side-branch record (H/F). */
export interface BranchEntry {
  readonly hash: Uint8Array;
  readonly header: Uint8Array;
  readonly time: number;
  readonly bits: number;
  readonly chainwork: bigint;
}

/**
 * A chain of headers above `forkHeight`, where it leaves (or simply extends) the best chain.
 * It is the ancestry a new header is judged on: heights up to forkHeight come from the best chain,
 * heights above from the branch itself. If it wins, it is also what the best chain becomes.
 *
 * Its headers are first the stored side records it builds on (objects, read from the database; rare),
 * then the run of headers new in this batch, kept packed: views into the batch and its hash buffer plus
 * each header's own work (a shared bigint from the target cache). The hot path (extending the tip by
 * 2000 headers) thus makes no object per header; chainwork is summed only where it is stored.
 */
export class Branch implements AncestorView {
  private readonly side: BranchEntry[] = [];
  private batch: Uint8Array = new Uint8Array(0);
  private batchHashes: Uint8Array = new Uint8Array(0);
  private batchView: DataView = new DataView(new ArrayBuffer(0));
  /** Batch index of the first fresh header. */
  private first = 0;
  private readonly works: bigint[] = [];
  private freshTopWork: bigint | null = null;

  /**
   * @param forkChainwork chainwork of the best-chain header at forkHeight; null until needed (computed
   *   from the best chain's per-chunk chainwork only when a header is about to be stored on this branch).
   */
  constructor(
    private readonly best: BestChain,
    public forkHeight: number,
    public forkChainwork: bigint | null,
  ) {}

  get floorHeight(): number {
    return this.best.floorHeight;
  }

  /** Headers above the fork (side records, then fresh). */
  get length(): number {
    return this.side.length + this.works.length;
  }

  get freshCount(): number {
    return this.works.length;
  }

  get sideCount(): number {
    return this.side.length;
  }

  get topHeight(): number {
    return this.forkHeight + this.length;
  }

  /** Cumulative work at the top; null while the branch is empty and the fork's work is not known yet. */
  get topChainwork(): bigint | null {
    if (this.works.length > 0) {
      this.freshTopWork ??= this.works.reduce((w, x) => w + x, this.freshBase());
      return this.freshTopWork;
    }
    return this.side.length > 0 ? this.side[this.side.length - 1]!.chainwork : this.forkChainwork;
  }

  get topHash(): Uint8Array {
    return this.length === 0 ? this.best.hashAt(this.forkHeight) : this.hashAt(this.topHeight);
  }

  /** Chainwork below the first fresh header. */
  private freshBase(): bigint {
    const base = this.side.length > 0 ? this.side[this.side.length - 1]!.chainwork : this.forkChainwork;
    if (base === null) throw new RangeError('branch chainwork unknown');
    return base;
  }

  /** Index into the fresh run of `height`, or -1 for a side entry. */
  private freshIndex(height: number): number {
    const i = height - this.forkHeight - 1 - this.side.length;
    if (height <= this.forkHeight || i >= this.works.length) throw new RangeError(`branch has no header at ${height}`);
    return i;
  }

  /** The side record at `height` (heights above the fork, below the fresh run). */
  sideAt(height: number): BranchEntry | null {
    return this.side[height - this.forkHeight - 1] ?? null;
  }

  isSideAt(height: number): boolean {
    return height > this.forkHeight && height - this.forkHeight - 1 < this.side.length;
  }

  timeAt(height: number): number {
    if (height <= this.forkHeight) return this.best.timeAt(height);
    const s = this.sideAt(height);
    if (s !== null) return s.time;
    return this.batchView.getUint32((this.first + this.freshIndex(height)) * HEADER_SIZE + 68, true);
  }

  bitsAt(height: number): number {
    if (height <= this.forkHeight) return this.best.bitsAt(height);
    const s = this.sideAt(height);
    if (s !== null) return s.bits;
    return this.batchView.getUint32((this.first + this.freshIndex(height)) * HEADER_SIZE + 72, true);
  }

  hashAt(height: number): Uint8Array {
    if (height <= this.forkHeight) return this.best.hashAt(height);
    const s = this.sideAt(height);
    if (s !== null) return s.hash;
    const b = this.first + this.freshIndex(height);
    return this.batchHashes.subarray(b * 32, b * 32 + 32);
  }

  headerAt(height: number): Uint8Array {
    const s = this.sideAt(height);
    if (s !== null) return s.header;
    const b = this.first + this.freshIndex(height);
    return this.batch.subarray(b * HEADER_SIZE, (b + 1) * HEADER_SIZE);
  }

  /**
   * Calls `fn` for each height in [from, to] (above the fork) with its cumulative work, summing once.
   * Stored code paths use it instead of a chainwork per header.
   */
  forEachChainwork(from: number, to: number, fn: (height: number, chainwork: bigint) => void): void {
    let h = from;
    for (; h <= to && this.isSideAt(h); h++) fn(h, this.sideAt(h)!.chainwork);
    if (h > to) return;
    let w = this.freshBase();
    const firstFresh = this.forkHeight + this.side.length + 1;
    for (let x = firstFresh; x < h; x++) w += this.works[x - firstFresh]!;
    for (; h <= to; h++) {
      w += this.works[h - firstFresh]!;
      fn(h, w);
    }
  }

  /** A stored side record continues the branch (only before any fresh header). */
  pushSide(e: BranchEntry): void {
    if (this.works.length > 0) throw new RangeError('side records cannot follow fresh headers');
    this.side.push(e);
  }

  /**
   * The batch header at `index` (its hash at the same index of `hashes`) continues the branch, with its
   * own work. Fresh headers of one branch come from one batch, consecutively.
   */
  pushFresh(batch: Uint8Array, hashes: Uint8Array, index: number, work: bigint): void {
    if (this.works.length === 0) {
      this.batch = batch;
      this.batchHashes = hashes;
      this.batchView = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
      this.first = index;
    } else if (batch !== this.batch || index !== this.first + this.works.length) {
      throw new RangeError('fresh headers must be consecutive headers of one batch');
    }
    this.works.push(work);
    this.freshTopWork = null;
  }

  /** After the fresh run is stored as side records: keep it as side entries with copies of its bytes. */
  freezeFresh(): void {
    if (this.works.length === 0) return;
    const from = this.forkHeight + this.side.length + 1;
    const entries: BranchEntry[] = [];
    this.forEachChainwork(from, this.topHeight, (h, chainwork) => {
      entries.push({
        hash: new Uint8Array(this.hashAt(h)),
        header: new Uint8Array(this.headerAt(h)),
        time: this.timeAt(h),
        bits: this.bitsAt(h),
        chainwork,
      });
    });
    this.works.length = 0;
    this.freshTopWork = null;
    this.batch = new Uint8Array(0);
    this.batchHashes = new Uint8Array(0);
    for (const e of entries) this.side.push(e);
  }

  /**
   * While the branch has no headers of its own yet and its next header is the best chain's, move the fork
   * point up instead of copying best-chain headers into it (duplicates on the best chain).
   */
  advanceFork(height: number): void {
    if (this.length !== 0 || height !== this.forkHeight + 1) throw new RangeError('fork cannot advance');
    this.forkHeight = height;
    this.forkChainwork = null;
  }
}
