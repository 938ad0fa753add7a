import type { AncestorView } from '../chain/ancestors.js';
import type { BestChain } from './bestChain.js';

/** One header of a branch being examined or built above the best chain. */
export interface BranchEntry {
  readonly hash: Uint8Array;
  readonly header: Uint8Array;
  readonly time: number;
  readonly bits: number;
  readonly chainwork: bigint;
  /** Stored as a side-branch record (H/F); false for a header new in this batch. */
  readonly side: boolean;
}

/**
 * A chain of headers above `forkHeight`, where it leaves (or simply extends) the best chain.
 * It is the ancestry a new header is judged on: heights up to forkHeight come from the best chain,
 * heights above from the branch itself. If it wins, it is also what the best chain becomes.
 */
export class Branch implements AncestorView {
  readonly entries: BranchEntry[] = [];

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

  get topHeight(): number {
    return this.forkHeight + this.entries.length;
  }

  get topChainwork(): bigint | null {
    return this.entries.length === 0 ? this.forkChainwork : this.entries[this.entries.length - 1]!.chainwork;
  }

  get topHash(): Uint8Array {
    return this.entries.length === 0 ? this.best.hashAt(this.forkHeight) : this.entries[this.entries.length - 1]!.hash;
  }

  entryAt(height: number): BranchEntry {
    const e = this.entries[height - this.forkHeight - 1];
    if (e === undefined) throw new RangeError(`branch has no header at ${height}`);
    return e;
  }

  timeAt(height: number): number {
    return height <= this.forkHeight ? this.best.timeAt(height) : this.entryAt(height).time;
  }

  bitsAt(height: number): number {
    return height <= this.forkHeight ? this.best.bitsAt(height) : this.entryAt(height).bits;
  }

  hashAt(height: number): Uint8Array {
    return height <= this.forkHeight ? this.best.hashAt(height) : this.entryAt(height).hash;
  }

  push(e: BranchEntry): void {
    this.entries.push(e);
  }

  /**
   * While the branch has no headers of its own yet and its next header is the best chain's, move the fork
   * point up instead of copying best-chain headers into it (duplicates on the best chain).
   */
  advanceFork(height: number): void {
    if (this.entries.length !== 0 || height !== this.forkHeight + 1) throw new RangeError('fork cannot advance');
    this.forkHeight = height;
    this.forkChainwork = null;
  }
}
