import { HEADER_SIZE } from '../chain/header.js';
import { SpvError } from '../errors/spvError.js';
import type { BestChain } from './bestChain.js';
import { CHUNK_HEADERS, bestHeadersKey, chunkOf } from './keys.js';
import type { Db } from './storeContext.js';

/** Chunks kept in memory: the tail (rewritten by every batch) and recently read ones (~5 KB each). */
const CACHE_CHUNKS = 256;

/**
 * The raw 80-byte headers of the best chain, read from the packed B chunks by height, with a small cache.
 * The cache only ever holds what is durable: the commit path calls `written`/`deleted` after its batch.
 */
export class BestHeaders {
  private readonly cache = new Map<number, Uint8Array>();
  /** Bumped by every change, so a read that raced a commit does not cache what it read before it. */
  private version = 0;

  constructor(
    private readonly db: Db,
    private readonly best: BestChain,
  ) {}

  /** First height a chunk can hold (the anchor's chunk starts at the anchor). */
  chunkStart(chunk: number): number {
    return Math.max(chunk * CHUNK_HEADERS, this.best.floorHeight);
  }

  /** The stored B chunk value (n x 80 bytes), or a STORE_CORRUPT error when it is missing. */
  async chunk(chunk: number): Promise<Uint8Array> {
    const hit = this.cache.get(chunk);
    if (hit !== undefined) return hit;
    const version = this.version;
    const raw = await this.db.get(bestHeadersKey(chunk));
    if (raw === undefined || raw.length === 0 || raw.length % HEADER_SIZE !== 0) {
      throw new SpvError('STORE_CORRUPT', 'a best-chain header chunk is missing or malformed', { chunk });
    }
    const v = new Uint8Array(raw);
    if (version === this.version) this.remember(chunk, v);
    return v;
  }

  private remember(chunk: number, value: Uint8Array): void {
    this.cache.delete(chunk);
    this.cache.set(chunk, value);
    if (this.cache.size > CACHE_CHUNKS) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
  }

  /** The header at `height` (a copy; the caller may keep or transfer it). */
  async headerAt(height: number): Promise<Uint8Array> {
    const c = chunkOf(height);
    const bytes = await this.chunk(c);
    const o = (height - this.chunkStart(c)) * HEADER_SIZE;
    if (o + HEADER_SIZE > bytes.length) {
      throw new SpvError('STORE_CORRUPT', 'a best-chain header chunk is shorter than the index', { height });
    }
    return bytes.slice(o, o + HEADER_SIZE);
  }

  /** Headers of heights [from, to] (inclusive) concatenated into `out` at `offset`. */
  async copyRange(from: number, to: number, out: Uint8Array, offset: number): Promise<void> {
    let at = offset;
    for (let c = chunkOf(from); c <= chunkOf(to); c++) {
      const bytes = await this.chunk(c);
      const start = this.chunkStart(c);
      const lo = Math.max(from, start) - start;
      const hi = Math.min(to, c * CHUNK_HEADERS + CHUNK_HEADERS - 1) - start + 1;
      if (hi * HEADER_SIZE > bytes.length) {
        throw new SpvError('STORE_CORRUPT', 'a best-chain header chunk is shorter than the index', { chunk: c });
      }
      out.set(bytes.subarray(lo * HEADER_SIZE, hi * HEADER_SIZE), at);
      at += (hi - lo) * HEADER_SIZE;
    }
  }

  /** After a durable batch: the chunk now holds `value`. */
  written(chunk: number, value: Uint8Array): void {
    this.version++;
    this.remember(chunk, value);
  }

  /** After a durable batch: the chunk is gone. */
  deleted(chunk: number): void {
    this.version++;
    this.cache.delete(chunk);
  }

  /** After a failed batch: forget everything (the cache must never run ahead of the disk). */
  clear(): void {
    this.version++;
    this.cache.clear();
  }
}
