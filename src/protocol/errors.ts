import { isErrorCode } from '../errors/codes.js';
import type { ErrorCode } from '../errors/codes.js';
import { InvariantError, SpvError } from '../errors/spvError.js';

/**
 * Errors lose their class and fields when they cross a thread (structured clone keeps message, name and
 * stack only). This is the one place that turns an SpvError into plain data and back, so a `code` thrown
 * in a worker is the same `code` in the thread that called it.
 */
export interface SerializedError {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly stack?: string;
}

function cloneableDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone({ ...details });
  } catch {
    // Details are plain data by contract; anything else is dropped to its string form, never the error.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(details)) out[k] = String(v);
    return out;
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof SpvError) {
    return { name: err.name, code: err.code, message: err.message, details: cloneableDetails(err.details), stack: err.stack };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  // A non-SpvError escaping a worker API is a bug by definition (architecture §4).
  return { name: e.name, code: 'INVARIANT', message: e.message, details: { originalName: e.name }, stack: e.stack };
}

export function deserializeError(s: SerializedError): SpvError {
  const code: ErrorCode = isErrorCode(s.code) ? s.code : 'INVARIANT';
  const err = code === 'INVARIANT' ? new InvariantError(s.message, s.details) : new SpvError(code, s.message, s.details);
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}
