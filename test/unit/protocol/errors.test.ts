import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvariantError, SpvError } from '../../../src/errors/spvError.js';
import { deserializeError, serializeError } from '../../../src/protocol/errors.js';

describe('error (de)serialisation across threads', () => {
  it('keeps code, message and plain-data details through structured clone', () => {
    const err = new SpvError('HEADER_BAD_POW', 'block hash is above the target', { height: 5, work: 10n, raw: Uint8Array.of(1, 2) });
    const back = deserializeError(structuredClone(serializeError(err)));
    assert.ok(back instanceof SpvError);
    assert.equal(back.code, 'HEADER_BAD_POW');
    assert.equal(back.message, err.message);
    assert.deepEqual(back.details, { height: 5, work: 10n, raw: Uint8Array.of(1, 2) });
  });

  it('turns a foreign Error into INVARIANT (a bug), keeping its text', () => {
    const back = deserializeError(serializeError(new TypeError('boom')));
    assert.ok(back instanceof InvariantError);
    assert.equal(back.code, 'INVARIANT');
    assert.equal(back.details.originalName, 'TypeError');
  });

  it('maps an unknown code to INVARIANT instead of trusting it', () => {
    const back = deserializeError({ name: 'SpvError', code: 'NOT_A_CODE' as never, message: 'x', details: {} });
    assert.equal(back.code, 'INVARIANT');
  });

  it('drops non-cloneable details to strings rather than failing', () => {
    const s = serializeError(new SpvError('STORE_CORRUPT', 'x', { fn: () => 1 }));
    assert.equal(typeof s.details.fn, 'string');
    assert.doesNotThrow(() => structuredClone(s));
  });
});
