/**
 * What the contextual header rules need to know about a header's ancestry: times and bits by height.
 * The store provides it from compact typed arrays for the best chain and from a side branch's records
 * for forks, so the rules always see the new header's OWN ancestry, never the current best tip
 * (a fork at a retarget boundary must be judged on its own period).
 */
export interface AncestorView {
  /** Lowest height with data (0 from genesis, the anchor height when started from an anchor). */
  readonly floorHeight: number;
  /** Time of the ancestor at `height`; floorHeight <= height <= the parent's height. */
  timeAt(height: number): number;
  /** Compact bits of the ancestor at `height`. */
  bitsAt(height: number): number;
}

/** An AncestorView over plain arrays indexed from `floorHeight` (tests and small side branches). */
export class ArrayAncestors implements AncestorView {
  constructor(
    readonly floorHeight: number,
    private readonly times: number[],
    private readonly bits: number[],
  ) {}

  get topHeight(): number {
    return this.floorHeight + this.times.length - 1;
  }

  timeAt(height: number): number {
    const v = this.times[height - this.floorHeight];
    if (v === undefined) throw new RangeError(`no ancestor time at ${height}`);
    return v;
  }

  bitsAt(height: number): number {
    const v = this.bits[height - this.floorHeight];
    if (v === undefined) throw new RangeError(`no ancestor bits at ${height}`);
    return v;
  }

  push(time: number, bits: number): void {
    this.times.push(time);
    this.bits.push(bits);
  }
}

const scratch: number[] = [];

/**
 * Median time of the (up to) 11 headers ending at `height` (Core: CBlockIndex::GetMedianTimePast).
 * Runs once per header: an insertion sort into a reused array, no allocation and no comparator calls.
 */
export function medianTimePast(view: AncestorView, height: number, span = 11): number {
  const from = Math.max(view.floorHeight, height - span + 1);
  let n = 0;
  for (let h = from; h <= height; h++) {
    const t = view.timeAt(h);
    let i = n++;
    while (i > 0 && scratch[i - 1]! > t) {
      scratch[i] = scratch[i - 1]!;
      i--;
    }
    scratch[i] = t;
  }
  return scratch[Math.floor(n / 2)]!;
}
