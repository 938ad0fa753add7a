/** A header chain served like a node serves its best chain (ScriptedPeer's `getheaders` answers). */
import { headerHash } from '../../src/chain/header.js';
import { REGTEST } from '../../src/chain/params.js';
import { toHex } from '../../src/util/bytes.js';
import { MAX_HEADERS_RESULTS } from '../../src/wire/index.js';

const HEADER_SIZE = 80;

/**
 * Headers `headers[0..n)` (n * 80 bytes) on top of a base block (default: the regtest genesis), answering
 * `getheaders` as Core does: start after the first locator hash found in the chain (the base if none is found),
 * return up to 2000 headers, stopping early at the stop hash.
 */
export class HeaderChain {
  readonly headers: Uint8Array;
  readonly baseHash: Uint8Array;
  private readonly index = new Map<string, number>();

  constructor(headers: Uint8Array, baseHash: Uint8Array = headerHash(REGTEST.genesisHeader)) {
    if (headers.length % HEADER_SIZE !== 0) throw new RangeError('headers must be a multiple of 80 bytes');
    this.headers = headers;
    this.baseHash = baseHash;
    this.index.set(toHex(baseHash), -1);
    for (let i = 0; i < this.length; i++) this.index.set(toHex(this.hashAt(i)), i);
  }

  get length(): number {
    return this.headers.length / HEADER_SIZE;
  }

  header(i: number): Uint8Array {
    return this.headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
  }

  hashAt(i: number): Uint8Array {
    return headerHash(this.header(i));
  }

  get tipHash(): Uint8Array {
    return this.length === 0 ? this.baseHash : this.hashAt(this.length - 1);
  }

  /** Index of the first header to send for this locator. */
  startFor(locator: readonly Uint8Array[]): number {
    for (const h of locator) {
      const i = this.index.get(toHex(h));
      if (i !== undefined) return i + 1;
    }
    return 0;
  }

  /** The answer to getheaders(locator, stop): up to `max` headers as n * 80 bytes (empty at the tip). */
  answer(
    locator: readonly Uint8Array[],
    stopHash: Uint8Array = new Uint8Array(32),
    max = MAX_HEADERS_RESULTS,
  ): Uint8Array {
    const start = this.startFor(locator);
    let end = Math.min(this.length, start + max);
    const stop = this.index.get(toHex(stopHash));
    if (stop !== undefined && stop >= start && stop < end) end = stop + 1;
    return this.headers.slice(start * HEADER_SIZE, end * HEADER_SIZE);
  }
}
