import type { SerializedError } from './errors.js';

/** One piscina task: a batch of raw headers to hash and check context-free. */
export interface PowTask {
  /** N x 80 bytes; transferred to the pool and back. */
  readonly headers: Uint8Array;
  /** The network's powLimit as a bigint (targets above it are invalid). */
  readonly powLimit: bigint;
}

/**
 * Per-item results of a PowTask: every header gets a hash; failures are listed by index. A task never
 * throws (an error thrown in a piscina thread arrives without its code): it answers `{ ok: false }`.
 */
export type PowTaskResult = PowTaskOk | { readonly ok: false; readonly error: SerializedError };

export interface PowTaskOk {
  readonly ok: true;
  readonly headers: Uint8Array;
  /** N x 32 bytes, internal order. */
  readonly hashes: Uint8Array;
  readonly failures: ReadonlyArray<{ readonly index: number; readonly error: SerializedError }>;
}
