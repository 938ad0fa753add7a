import type { ErrorCode } from '../errors/codes.js';

/**
 * Plain-data DTOs of the chain worker's API. They cross threads by structured clone:
 * only numbers, strings, bigint, Uint8Array and arrays/objects of those.
 */

export interface TipInfo {
  readonly height: number;
  readonly hashHex: string;
  /** Cumulative work as 64 hex digits (256-bit). */
  readonly chainworkHex: string;
  readonly time: number;
}

export interface HeaderInfo {
  readonly height: number;
  readonly hashHex: string;
  readonly header: Uint8Array; // 80 bytes
  readonly chainworkHex: string;
  readonly time: number;
  readonly onBestChain: boolean;
  /** tip height - height + 1 on the best chain, 0 otherwise. */
  readonly confirmations: number;
}

/**
 * What one accepted batch did (the original's cases a-e, made explicit):
 * extended (a), reorg (b), duplicate (c), side (d: stored on a branch with no more work than the tip),
 * unconnected (e: nothing stored, `missingHashHex` is the unknown parent), invalid (a header was rejected;
 * the valid headers before it were still processed and `stored` tells how many were new).
 */
export type CommitOutcome = 'extended' | 'reorg' | 'duplicate' | 'side' | 'unconnected' | 'invalid';

export interface RejectedHeader {
  /** Index of the header in the batch. */
  readonly index: number;
  /** Height it would have had (null when its parent is unknown). */
  readonly height: number | null;
  readonly hashHex: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ConnectResult {
  readonly outcome: CommitOutcome;
  readonly tip: TipInfo;
  /** New headers written by this batch. */
  readonly stored: number;
  /** Headers of the batch that were already stored. */
  readonly duplicates: number;
  /** Headers that joined the best chain (extension or reorg). */
  readonly connectedCount: number;
  /** Reorg only: height of the last common ancestor, and the hashes that left and joined, ascending. */
  readonly forkHeight: number | null;
  readonly disconnected: readonly string[];
  readonly connected: readonly string[];
  /** Unconnected only: the parent hash we do not have (display hex). */
  readonly missingHashHex: string | null;
  readonly rejected: RejectedHeader | null;
  /** Height of the last header of the batch that was stored or already known (null if none). */
  readonly lastHeight: number | null;
}

export interface RollbackResult {
  readonly tip: TipInfo;
  /** Best-chain hashes removed, ascending height. */
  readonly disconnected: readonly string[];
  /** Headers deleted across all branches. */
  readonly deleted: number;
}

export interface StoreStats {
  readonly tip: TipInfo;
  readonly headerCount: number;
  readonly anchorHeight: number;
  readonly anchorHashHex: string;
  readonly network: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly headersChecked: number;
  readonly bestChainChecked: number;
}
