import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvariantError, SpvError } from '../../../src/errors/spvError.js';
import { crashOnInvariant } from '../../../src/supervisor/crashOnInvariant.js';
import { hasCode } from '../../helpers/assertions.js';

describe('crashOnInvariant', () => {
  const api = {
    n: 1,
    async ok(): Promise<number> {
      return this.n;
    },
    async bug(): Promise<never> {
      throw new InvariantError('broken');
    },
    async badInput(): Promise<never> {
      throw new SpvError('HEADER_BAD_LENGTH', 'bad');
    },
  };

  it('passes results and ordinary typed errors through without crashing', async () => {
    let crashes = 0;
    const wrapped = crashOnInvariant(api, () => crashes++);
    assert.equal(await wrapped.ok(), 1);
    await assert.rejects(wrapped.badInput(), hasCode('HEADER_BAD_LENGTH'));
    await new Promise((r) => setImmediate(r));
    assert.equal(crashes, 0);
  });

  it('answers the caller with the INVARIANT error, then crashes', async () => {
    const seen: Error[] = [];
    const wrapped = crashOnInvariant(api, (e) => seen.push(e));
    await assert.rejects(wrapped.bug(), hasCode('INVARIANT'));
    await new Promise((r) => setImmediate(r));
    assert.equal(seen.length, 1);
    assert.equal((seen[0] as SpvError).code, 'INVARIANT');
  });
});
