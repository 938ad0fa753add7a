import { ArrayAncestors } from '../../src/chain/ancestors.js';
import { requiredBits } from '../../src/chain/difficulty.js';
import { headerBits, headerHash, headerTime, serializeHeader } from '../../src/chain/header.js';
import type { ChainParams } from '../../src/chain/params.js';
import { TargetCache, hashMeetsTarget } from '../../src/chain/pow.js';
import { hashToHex } from '../../src/util/bytes.js';

export interface BuiltHeader {
  readonly raw: Uint8Array;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly height: number;
  readonly time: number;
  readonly bits: number;
}

export interface NextOptions {
  /** Seconds after the parent (default 600). */
  readonly spacing?: number;
  /** Absolute time, overriding spacing. */
  readonly time?: number;
  /** Force bits instead of the required ones (to build invalid headers). */
  readonly bits?: number;
  readonly version?: number;
  /** Distinguishes branches: becomes part of the merkle root. */
  readonly tag?: number;
  /** Use this merkle root (internal byte order) instead of the synthetic one, e.g. to commit to a built block. */
  readonly merkleRoot?: Uint8Array;
}

/**
 * Mines synthetic headers that pass full validation under `params` (use a network with an easy powLimit,
 * e.g. regtest, or a test profile derived from it). Keeps the ancestry so `requiredBits` (the real rule)
 * decides each header's bits, retargets included. `fork()` starts a competing branch from any height.
 */
export class ChainBuilder {
  private readonly view: ArrayAncestors;
  private readonly hashes: Uint8Array[] = [];
  private readonly targets: TargetCache;

  constructor(
    readonly params: ChainParams,
    base: { readonly header: Uint8Array; readonly height: number } = { header: params.genesisHeader, height: 0 },
  ) {
    this.view = new ArrayAncestors(base.height, [headerTime(base.header)], [headerBits(base.header)]);
    this.hashes.push(headerHash(base.header));
    this.targets = new TargetCache(params.powLimit);
  }

  get tipHeight(): number {
    return this.view.topHeight;
  }

  get tipHash(): Uint8Array {
    return this.hashes[this.hashes.length - 1]!;
  }

  get tipTime(): number {
    return this.view.timeAt(this.tipHeight);
  }

  hashAt(height: number): Uint8Array {
    return this.hashes[height - this.view.floorHeight]!;
  }

  /** Mines the next header (bits as the rules require unless overridden) and appends it. */
  next(opts: NextOptions = {}): BuiltHeader {
    const height = this.tipHeight + 1;
    const time = opts.time ?? this.tipTime + (opts.spacing ?? 600);
    const bits = opts.bits ?? requiredBits(this.params, this.view, height, time);
    let merkleRoot = opts.merkleRoot;
    if (merkleRoot === undefined) {
      merkleRoot = new Uint8Array(32);
      new DataView(merkleRoot.buffer).setUint32(0, height, true);
      new DataView(merkleRoot.buffer).setUint32(4, opts.tag ?? 0, true);
    }
    const target = this.targets.get(bits);
    const raw = serializeHeader({
      version: opts.version ?? 0x20000000,
      prevHash: this.tipHash,
      merkleRoot,
      time,
      bits,
      nonce: 0,
    });
    const dv = new DataView(raw.buffer);
    let hash = headerHash(raw);
    if (!(target instanceof Error)) {
      for (let nonce = 1; !hashMeetsTarget(hash, target.targetBE); nonce++) {
        if (nonce > 50_000_000) throw new Error('mining took too long: target too hard for tests');
        dv.setUint32(76, nonce, true);
        hash = headerHash(raw);
      }
    }
    this.view.push(time, bits);
    this.hashes.push(hash);
    return { raw, hash, hashHex: hashToHex(hash), height, time, bits };
  }

  /** Mines `count` headers; returns them concatenated (count x 80 bytes) and one by one. */
  extend(count: number, opts: NextOptions = {}): { raw: Uint8Array; headers: BuiltHeader[] } {
    const headers: BuiltHeader[] = [];
    for (let i = 0; i < count; i++) headers.push(this.next(opts));
    const raw = new Uint8Array(count * 80);
    headers.forEach((h, i) => raw.set(h.raw, i * 80));
    return { raw, headers };
  }

  /** A new builder sharing this one's ancestry up to `height`, to grow a competing branch. */
  fork(height: number): ChainBuilder {
    const b = Object.create(ChainBuilder.prototype) as ChainBuilder;
    const floor = this.view.floorHeight;
    const times: number[] = [];
    const bits: number[] = [];
    for (let h = floor; h <= height; h++) {
      times.push(this.view.timeAt(h));
      bits.push(this.view.bitsAt(h));
    }
    Object.assign(b, {
      params: this.params,
      view: new ArrayAncestors(floor, times, bits),
      hashes: this.hashes.slice(0, height - floor + 1),
      targets: this.targets,
    });
    return b;
  }
}

export function concatHeaders(headers: readonly BuiltHeader[]): Uint8Array {
  const raw = new Uint8Array(headers.length * 80);
  headers.forEach((h, i) => raw.set(h.raw, i * 80));
  return raw;
}
