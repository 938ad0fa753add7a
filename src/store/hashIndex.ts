/** The probe key of the hash at `bytes[offset..]`: its first 4 bytes as a little-endian u32. */
export function probeKey(bytes: Uint8Array, offset = 0): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

/** Where the full hashes live, by height (the best chain's packed entries). */
export interface HashSource {
  /** The first 4 bytes of the hash at `height` as a little-endian u32 (its probe key). */
  keyAt(height: number): number;
  isHashAt(height: number, hash: Uint8Array): boolean;
}

/** Largest load before growing, and the growth factor. */
const MAX_LOAD = 0.75;
const GROWTH = 1.25;
const MIN_CAPACITY = 4096;

/**
 * Best-chain hash -> height, compactly: an open-addressing table of heights (Int32Array, linear probing)
 * keyed by the first 4 bytes of the hash, which are uniformly random for block hashes (the PoW zeros are
 * at the other end in internal byte order). A slot holds height - floor + 1 (0 = empty); the caller
 * confirms a candidate against the full hash it keeps by height. The key picks its home slot by
 * multiply-shift (key * capacity / 2^32, Lemire's range reduction), so the capacity need not be a power of
 * two: the table grows by 1.25x at 3/4 load, ~5.5 bytes per header at 1M (a power-of-two table kept at
 * half load needed 8), instead of a Map of hex strings (~150 bytes per header). Linear probing at 3/4 load
 * costs ~2.5 probes per hit and ~8.5 per miss, each a typed-array read.
 */
export class HashIndex {
  private slots: Int32Array;
  private count = 0;

  constructor(
    private readonly floor: number,
    private readonly source: HashSource,
    capacity = MIN_CAPACITY,
  ) {
    this.slots = new Int32Array(Math.max(MIN_CAPACITY, Math.ceil(capacity / MAX_LOAD)));
  }

  /** Home slot of a probe key: floor(key * capacity / 2^32), exact in a double (key < 2^32, capacity < 2^21). */
  private home(key: number): number {
    return Math.floor((key * this.slots.length) / 4294967296);
  }

  private next(i: number): number {
    return i + 1 === this.slots.length ? 0 : i + 1;
  }

  /** Height of `hash` on the best chain, or -1. */
  get(hash: Uint8Array): number {
    let i = this.home(probeKey(hash));
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      const height = v - 1 + this.floor;
      if (this.source.isHashAt(height, hash)) return height;
      i = this.next(i);
    }
  }

  /** Records the hash now stored at `height` (the caller guarantees it is not present yet). */
  add(height: number): void {
    this.addKey(this.source.keyAt(height), height);
  }

  /** As add(), with the probe key already read (a restart reads it straight from the loaded chunk). */
  addKey(key: number, height: number): void {
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.grow();
    this.insert(this.home(key), height - this.floor + 1);
    this.count++;
  }

  private insert(start: number, value: number): void {
    let i = start;
    while (this.slots[i] !== 0) i = this.next(i);
    this.slots[i] = value;
  }

  /** Removes the entry of the hash at `height` (still stored there), closing the probe gap by moving later entries back. */
  remove(height: number): void {
    const value = height - this.floor + 1;
    let i = this.home(this.source.keyAt(height));
    while (this.slots[i] !== value) {
      if (this.slots[i] === 0) return;
      i = this.next(i);
    }
    // Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, lookups stay short.
    let hole = i;
    let j = i;
    for (;;) {
      j = this.next(j);
      const v = this.slots[j]!;
      if (v === 0) break;
      const home = this.home(this.source.keyAt(v - 1 + this.floor));
      // Move v into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        this.slots[hole] = v;
        hole = j;
      }
    }
    this.slots[hole] = 0;
    this.count--;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(Math.ceil(old.length * GROWTH));
    for (const v of old) {
      if (v !== 0) this.insert(this.home(this.source.keyAt(v - 1 + this.floor)), v);
    }
  }
}
