import { HEADER_SIZE, headerTime } from '../chain/header.js';
import { locatorHeights } from '../chain/locator.js';
import { SpvError } from '../errors/spvError.js';
import type { HeaderInfo, TipInfo } from '../protocol/chainTypes.js';
import { bigintToBytes32, hashToHex, hexToHashOrNull, toHex } from '../util/bytes.js';
import { headerKey } from './keys.js';
import type { HeaderRecord } from './records.js';
import { decodeHeaderRecord } from './records.js';
import type { StoreContext } from './storeContext.js';
import { assertOpen } from './storeContext.js';

/** Read-only questions to an open store. They never write; HeaderStore retries them across a reorg. */

export function chainworkHex(work: bigint): string {
  return toHex(bigintToBytes32(work));
}

export function tipInfo(ctx: StoreContext): TipInfo {
  const { best } = ctx;
  return {
    height: best.tipHeight,
    hashHex: hashToHex(best.tipHash),
    chainworkHex: chainworkHex(ctx.tipChainwork),
    time: best.timeAt(best.tipHeight),
  };
}

/** A side-branch header record, or null. */
export async function sideRecord(ctx: StoreContext, hash: Uint8Array): Promise<HeaderRecord | null> {
  assertOpen(ctx);
  const raw = await ctx.db.get(headerKey(hash));
  return raw === undefined ? null : decodeHeaderRecord(raw);
}

/** Any stored header by hash: the best chain from memory + its chunk, else a side record. */
export async function findHeader(ctx: StoreContext, hash: Uint8Array): Promise<HeaderRecord | null> {
  assertOpen(ctx);
  const height = ctx.best.heightOf(hash);
  if (height >= 0) {
    return { header: await ctx.headers.headerAt(height), height, chainwork: ctx.best.chainworkAt(height) };
  }
  return sideRecord(ctx, hash);
}

function headerInfo(ctx: StoreContext, hash: Uint8Array, rec: HeaderRecord): HeaderInfo {
  const onBest = ctx.best.isHashAt(rec.height, hash);
  return {
    height: rec.height,
    hashHex: hashToHex(hash),
    header: rec.header,
    chainworkHex: chainworkHex(rec.chainwork),
    time: headerTime(rec.header),
    onBestChain: onBest,
    confirmations: onBest ? ctx.best.tipHeight - rec.height + 1 : 0,
  };
}

export async function headerByHeight(ctx: StoreContext, height: number): Promise<HeaderInfo | null> {
  assertOpen(ctx);
  if (!Number.isInteger(height) || !ctx.best.has(height)) return null;
  const hash = new Uint8Array(ctx.best.hashAt(height));
  const rec: HeaderRecord = { header: await ctx.headers.headerAt(height), height, chainwork: ctx.best.chainworkAt(height) };
  return headerInfo(ctx, hash, rec);
}

export async function headerByHash(ctx: StoreContext, hashHex: string): Promise<HeaderInfo | null> {
  const hash = hexToHashOrNull(hashHex);
  if (hash === null) return null;
  const rec = await findHeader(ctx, hash);
  return rec === null ? null : headerInfo(ctx, hash, rec);
}

export function locator(ctx: StoreContext): string[] {
  const { best } = ctx;
  return locatorHeights(best.tipHeight, best.floorHeight).map((h) => hashToHex(best.hashAt(h)));
}

/**
 * Headers to answer a peer's getheaders: after the first locator hash on our best chain (the anchor when
 * none is), up to `max` (2000) or the stop hash. Core: FindForkInGlobalIndex + ProcessGetHeaders.
 */
export async function headersAfterLocator(
  ctx: StoreContext,
  locatorHex: readonly string[],
  stopHashHex: string | null,
  max: number,
): Promise<Uint8Array> {
  assertOpen(ctx);
  const { best } = ctx;
  let start = best.floorHeight;
  for (const hex of locatorHex) {
    const hash = hexToHashOrNull(hex);
    if (hash === null) continue;
    const height = best.heightOf(hash);
    if (height >= 0) {
      start = height;
      break;
    }
  }
  const stop = stopHashHex === null ? null : hexToHashOrNull(stopHashHex);
  let end = Math.min(best.tipHeight, start + Math.max(0, Math.min(max, 2000)));
  if (stop !== null) {
    const stopHeight = best.heightOf(stop);
    if (stopHeight > start && stopHeight < end) end = stopHeight;
  }
  const out = new Uint8Array(Math.max(0, end - start) * HEADER_SIZE);
  if (end > start) await ctx.headers.copyRange(start + 1, end, out, 0);
  return out;
}

/** The ancestor at `height` of the header `hashHex` (any branch), or null. */
export async function ancestorAt(ctx: StoreContext, hashHex: string, height: number): Promise<HeaderInfo | null> {
  let hash = hexToHashOrNull(hashHex);
  if (hash === null || !Number.isInteger(height)) return null;
  let rec = await findHeader(ctx, hash);
  if (rec === null || height > rec.height || height < ctx.anchor.height) return null;
  while (rec.height > height) {
    if (ctx.best.isHashAt(rec.height, hash)) return headerByHeight(ctx, height);
    hash = new Uint8Array(rec.header.subarray(4, 36));
    const next: HeaderRecord | null = await findHeader(ctx, hash);
    if (next === null) throw new SpvError('STORE_CORRUPT', 'a stored header has no parent', { height: rec.height });
    rec = next;
  }
  return headerInfo(ctx, hash, rec);
}
