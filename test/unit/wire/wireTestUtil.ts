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

/** The shared seeded PRNG (mulberry32), for reproducible randomized tests. */
export { mulberry32 as prng } from '../../helpers/random.js';
