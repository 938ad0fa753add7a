/**
 * Best-chain hash -> height, compactly: an open-addressing table of heights (Int32Array, linear probing)
 * keyed by the first 4 bytes of the hash, which are uniformly random for block hashes (the PoW zeros are
 * at the other end in internal byte order). A slot holds height - floor + 1 (0 = empty); the caller
 * confirms a candidate against the full hash it keeps by height. ~8 bytes per header at load <= 1/2,
 * instead of a Map of hex strings (~150 bytes per header).
 */
/** Where the full hashes live, by height (the best chain's packed entries). */
export interface HashSource {
  /** The first 4 bytes of the hash at `height` as a little-endian u32 (its probe key). */
  keyAt(height: number): number;
  isHashAt(height: number, hash: Uint8Array): boolean;
}

export class HashIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(
    private readonly floor: number,
    private readonly source: HashSource,
    capacity = 1 << 12,
  ) {
    let cap = 1 << 12;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private static key(hash: Uint8Array): number {
    return (hash[0]! | (hash[1]! << 8) | (hash[2]! << 16) | (hash[3]! << 24)) >>> 0;
  }

  /** Height of `hash` on the best chain, or -1. */
  get(hash: Uint8Array): number {
    let i = HashIndex.key(hash) & this.mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      const height = v - 1 + this.floor;
      if (this.source.isHashAt(height, hash)) return height;
      i = (i + 1) & this.mask;
    }
  }

  /** Records the hash now stored at `height` (the caller guarantees it is not present yet). */
  add(height: number): void {
    this.addKey(this.source.keyAt(height), height);
  }

  /** As add(), with the probe key already read (a restart reads it straight from the loaded chunk). */
  addKey(key: number, height: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    this.insert(key & this.mask, height - this.floor + 1);
    this.count++;
  }

  private insert(start: number, value: number): void {
    let i = start;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = value;
  }

  /** Removes the entry of the hash at `height` (still stored there), closing the probe gap by moving later entries back. */
  remove(height: number): void {
    const value = height - this.floor + 1;
    let i = this.source.keyAt(height) & this.mask;
    while (this.slots[i] !== value) {
      if (this.slots[i] === 0) return;
      i = (i + 1) & this.mask;
    }
    // Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, lookups stay short.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const v = this.slots[j]!;
      if (v === 0) break;
      const home = this.source.keyAt(v - 1 + this.floor) & this.mask;
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
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (const v of old) {
      if (v !== 0) this.insert(this.source.keyAt(v - 1 + this.floor) & this.mask, v);
    }
  }
}
