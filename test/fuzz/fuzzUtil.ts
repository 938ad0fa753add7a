import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { isErrorCode } from '../../src/errors/codes.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import { isSpvError } from '../../src/errors/spvError.js';

/**
 * Shared pieces of the fast-check suites under test/fuzz. Every property runs with a fixed seed (printed, and
 * overridable with SPV_FUZZ_SEED to replay or explore) and a bounded number of runs (SPV_FUZZ_RUNS_SCALE multiplies
 * them; the default is 3, e.g. 30 for a long local run), so `npm test` is reproducible and the folder stays well under a minute.
 */
export const FUZZ_SEED = Number(process.env.SPV_FUZZ_SEED ?? 0x5eed_f022);
const SCALE = Number(process.env.SPV_FUZZ_RUNS_SCALE ?? 3);

/**
 * Per-suite bound: a decoder that hangs on some input fails its suite instead of stalling `npm test` (this is a
 * hang detector, far above the few seconds each suite takes; not a performance assertion).
 */
export const FUZZ_TIMEOUT_MS = 5 * 60_000;

export function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** fc.assert with the suite seed; prints the seed and run count so a failure can be replayed exactly. */
export function check<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  numRuns: number,
): void | Promise<void> {
  const n = runs(numRuns);
  console.log(`fuzz ${name}: seed ${FUZZ_SEED}, runs ${n}`);
  // interruptAfterTimeLimit would make the run count depend on the machine; a bounded numRuns keeps it exact.
  return fc.assert(property as fc.IProperty<Ts>, { seed: FUZZ_SEED, numRuns: n, endOnFailure: true });
}

/** Only an SpvError with a known code, accepted by `allowed` (a predicate or a list of prefixes), may escape. */
export function assertTypedError(err: unknown, allowed: readonly string[] | ((code: ErrorCode) => boolean), context = ''): ErrorCode {
  assert.ok(isSpvError(err), `non-SpvError escaped ${context}: ${err instanceof Error ? err.stack : String(err)}`);
  assert.ok(isErrorCode(err.code), `unknown code ${String(err.code)} ${context}`);
  assert.notEqual(err.code, 'INVARIANT', `an InvariantError (a bug) escaped ${context}: ${err.message}`);
  const ok = typeof allowed === 'function' ? allowed(err.code) : allowed.some((p) => err.code.startsWith(p));
  assert.ok(ok, `unexpected code ${err.code} ${context}: ${err.message}`);
  return err.code;
}

/** Runs `fn`; returns 'ok' or the typed error's code (and fails the property on anything else). */
export function outcome<T>(fn: () => T, allowed: readonly string[] | ((code: ErrorCode) => boolean), context = ''): { ok: true; value: T } | { ok: false; code: ErrorCode } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, code: assertTypedError(err, allowed, context) };
  }
}

/** One edit of a byte string. Positions are taken modulo the current length when applied. */
export type Edit =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'marker'; readonly at: number; readonly value: number }
  | { readonly kind: 'max32'; readonly at: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number };

const at = fc.nat({ max: 1 << 20 });

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
  // CompactSize markers and boundary values where a count or a length may sit.
  fc.record({ kind: fc.constant('marker' as const), at, value: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff) }),
  fc.record({ kind: fc.constant('max32' as const), at }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 80 }) }),
);

export function applyEdits(input: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let bytes = Array.from(input);
  for (const e of edits) {
    const i = bytes.length === 0 ? 0 : e.at % (bytes.length + 1);
    const j = bytes.length === 0 ? 0 : e.at % bytes.length;
    switch (e.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[j]! ^= 1 << e.bit;
        break;
      case 'set':
      case 'marker':
        if (bytes.length > 0) bytes[j] = e.value;
        break;
      case 'max32':
        bytes.splice(i, Math.min(4, bytes.length - i), 0xff, 0xff, 0xff, 0xff);
        break;
      case 'truncate':
        bytes = bytes.slice(0, i);
        break;
      case 'insert':
        bytes.splice(i, 0, ...e.bytes);
        break;
      case 'delete':
        bytes.splice(i, e.length);
        break;
      case 'duplicate':
        bytes.splice(i, 0, ...bytes.slice(i, i + e.length));
        break;
    }
  }
  return Uint8Array.from(bytes);
}

/** A valid input with 1 to 6 edits applied. */
export function mutated(valids: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...valids), fc.array(editArb, { minLength: 1, maxLength: 6 }))
    .map(([v, edits]) => applyEdits(v, edits));
}

/** Random bytes, mutated valid inputs, or a valid input with a random tail: the inputs a decoder is fuzzed with. */
export function hostileBytes(valids: readonly Uint8Array[], maxLength = 600): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength }) },
    { weight: 5, arbitrary: mutated(valids) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...valids), fc.uint8Array({ minLength: 1, maxLength: 16 }))
        .map(([v, tail]) => Uint8Array.from([...v, ...tail])),
    },
  );
}

/** A CompactSize encoding of n (canonical). */
export function compactSize(n: number | bigint): Uint8Array {
  const v = BigInt(n);
  if (v < 0xfdn) return Uint8Array.of(Number(v));
  const le = (bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  if (v <= 0xffffn) return Uint8Array.of(0xfd, ...le(2));
  if (v <= 0xffffffffn) return Uint8Array.of(0xfe, ...le(4));
  return Uint8Array.of(0xff, ...le(8));
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bytes of ArrayBuffers currently allocated (Uint8Array backing stores), measured after a full GC. */
export function arrayBufferBytes(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}
