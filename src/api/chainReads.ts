import type { ChainTip, SpvClient } from '../client/spvClient.js';
import { toHex } from '../util/bytes.js';

/** Best-chain headers kept on the main thread (~250 bytes each as hex: ~4 MB at most). */
const HEADER_CACHE_ENTRIES = 16_384;

/**
 * The two reads the busiest endpoints make (getcurrentheight, queryheaderbyheight), without a worker round trip per
 * request. The profile of scripts/bench-rest.ts showed the main thread spending its time in postMessage (comlink, one
 * round trip to the chain worker per request) and the chain worker in a LevelDB get per header.
 *
 * - tip(): single flight. A request arriving while a tip read is in flight waits for the NEXT read, which starts
 *   after it arrived, so every answer is at least as fresh as its request — without events, which an attached client
 *   (tests, embedding) does not forward. Under load all the requests of one event-loop turn share one round trip.
 * - headerHexAt(h): a height→header cache that belongs to one tip hash. A tip hash fixes the whole best chain, so the
 *   cache is right as long as a fresh tip() still returns that hash, and is dropped the moment it does not (new
 *   block, reorg, rollback). A header read from the worker is kept only if the tip was the same hash before and after
 *   the read, so a read that raced a reorg is answered but never cached.
 */
export class ChainReads {
  private current: Promise<ChainTip> | null = null;
  private next: Promise<ChainTip> | null = null;
  private cacheTipHash: string | null = null;
  private readonly headers = new Map<number, string>();

  constructor(private readonly client: SpvClient) {}

  tip(): Promise<ChainTip> {
    if (this.current === null) return this.start();
    const settled = this.current.then(
      () => undefined,
      () => undefined,
    );
    this.next ??= settled.then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<ChainTip> {
    const p = this.client.chainTip();
    this.current = p;
    const clear = (): void => {
      if (this.current === p) this.current = null;
    };
    p.then(clear, clear);
    return p;
  }

  /** The best-chain header at `height` as hex, or null (above the tip, below the anchor). */
  async headerHexAt(height: number): Promise<string | null> {
    const before = await this.tip();
    if (this.cacheTipHash !== before.hash) {
      this.headers.clear();
      this.cacheTipHash = before.hash;
    }
    const hit = this.headers.get(height);
    if (hit !== undefined) return hit;
    const info = await this.client.headerByHeight(height);
    if (info === null) return null;
    const hex = toHex(info.header);
    const after = await this.tip();
    if (after.hash === before.hash && this.cacheTipHash === before.hash) {
      if (this.headers.size >= HEADER_CACHE_ENTRIES) {
        const oldest = this.headers.keys().next();
        if (oldest.done !== true) this.headers.delete(oldest.value);
      }
      this.headers.set(height, hex);
    }
    return hex;
  }
}
