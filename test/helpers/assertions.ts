import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/errors/codes.js';
import { isSpvError } from '../../src/errors/spvError.js';
import type { HeaderStore } from '../../src/store/headerStore.js';

/** For assert.throws / assert.rejects: the error is an SpvError with this code. */
export function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(isSpvError(err), `expected an SpvError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

/** The store's full audit passes and its counts agree with stats(). */
export async function assertAuditOk(store: HeaderStore): Promise<void> {
  const report = await store.audit();
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.equal(report.headersChecked, store.stats().headerCount);
  assert.equal(report.bestChainChecked, store.tip().height - store.anchorHeight + 1);
}
