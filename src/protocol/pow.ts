import type { SerializedError } from './errors.js';

/** One piscina task: a batch of raw headers to hash and check context-free. */
export interface PowTask {
  /** N x 80 bytes; transferred to the pool and back. */
  readonly headers: Uint8Array;
  /** The network's powLimit as a bigint (targets above it are invalid). */
  readonly powLimit: bigint;
}

/** Per-item results of a PowTask: every header gets a hash; failures are listed by index. */
export interface PowTaskResult {
  readonly headers: Uint8Array;
  /** N x 32 bytes, internal order. */
  readonly hashes: Uint8Array;
  readonly failures: ReadonlyArray<{ readonly index: number; readonly error: SerializedError }>;
}
