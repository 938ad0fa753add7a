import type { ErrorCode } from './codes.js';

/** Plain-data details that survive structured clone (numbers, strings, bigint, arrays, objects). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** The one error type of spvclient: a stable `code`, a human message and plain-data details. */
export class SpvError extends Error {
  override readonly name: string = 'SpvError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** A broken internal invariant (a bug, never bad input). The owning worker crashes and is restarted. */
export class InvariantError extends SpvError {
  override readonly name = 'InvariantError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('INVARIANT', message, details);
  }
}

export function isSpvError(err: unknown): err is SpvError {
  return err instanceof SpvError;
}

export function invariant(condition: unknown, message: string, details?: ErrorDetails): asserts condition {
  if (!condition) throw new InvariantError(message, details);
}

/** Exhaustiveness guard for switches over unions. */
export function assertNever(value: never): never {
  throw new InvariantError('unexpected variant', { value: String(value) });
}
