/**
 * The original REST envelope `{"action","desc","error","result"}` and its codes. Codes 0 and 42001-42004 are the
 * original's; 42005-42009 are new, for failures the original did not report (it answered 404 as plain text and
 * overwrote `desc` with the generic text; here `desc` keeps the real reason).
 */
export const REST_CODES = {
  SUCCESS: 0,
  FAILED: 1,
  INVALID_METHOD: 42001,
  INVALID_PARAMS: 42002,
  ILLEGAL_DATAFORMAT: 42003,
  INTERNAL_ERROR: 42004,
  NOT_FOUND: 42005,
  UNAUTHORIZED: 42006,
  PAYLOAD_TOO_LARGE: 42007,
  UNAVAILABLE: 42008,
  BROADCAST_FAILED: 42009,
} as const;

export type RestCodeName = keyof typeof REST_CODES;

export interface Envelope<T> {
  readonly action: string;
  readonly desc: string;
  readonly error: number;
  readonly result: T | null;
}

/** A failure with its HTTP status, envelope code, real reason and (legacy endpoints) the original's error result. */
export class RestError extends Error {
  override readonly name = 'RestError';
  constructor(
    readonly status: number,
    readonly restCode: RestCodeName,
    message: string,
    readonly result: unknown = null,
    /** Extra response headers (Allow, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function success<T>(action: string, result: T): Envelope<T> {
  return { action, desc: 'SUCCESS', error: REST_CODES.SUCCESS, result };
}

export function failure(action: string, err: RestError, result: unknown = err.result): Envelope<unknown> {
  return { action, desc: err.message, error: REST_CODES[err.restCode], result };
}

const MAX_ACTION_LENGTH = 64;

/** The original's action name: the last path segment (query string ignored), bounded in length. */
export function actionOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  const segments = path.split('/').filter((s) => s.length > 0);
  return (segments[segments.length - 1] ?? '').slice(0, MAX_ACTION_LENGTH);
}
