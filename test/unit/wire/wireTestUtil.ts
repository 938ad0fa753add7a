import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSpvError } from '../../../src/errors/spvError.js';
import type { ErrorCode } from '../../../src/errors/codes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Shared fixtures directory: SPV_FIXTURES, else ../shared/fixtures, relative to the repo root. */
export const fixturesDir = resolve(repoRoot, process.env.SPV_FIXTURES ?? '../shared/fixtures');

/** The fixture's absolute path, or a skip message when it is absent. */
export function fixturePath(rel: string): { path: string } | { skip: string } {
  const path = resolve(fixturesDir, rel);
  return existsSync(path) ? { path } : { skip: `fixtures not found at ${path}: skipping` };
}

/** Asserts that fn throws an SpvError with exactly this code. */
export function throwsCode(fn: () => unknown, code: ErrorCode, note = ''): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSpvError(err), `expected SpvError ${code}, got ${String(err)} ${note}`);
    assert.equal(err.code, code, `${err.message} ${note}`);
    return true;
  });
}

/** A tiny deterministic PRNG (mulberry32) for reproducible randomized tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
