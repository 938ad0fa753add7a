/**
 * The adversarial suite's coverage: every behaviour of the catalogue (behaviours.ts) has a test in one of the files
 * of this folder (they register through `behaviour(id, ...)`, typed by the catalogue's ids, so a test cannot name an
 * unknown behaviour). The other files run in their own processes, so this reads their sources rather than their
 * results; each of them prints its own count when it ends.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { BehaviourId } from './behaviours.js';
import { BEHAVIOURS } from './behaviours.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('adversarial peer suite: catalogue', () => {
  it('every catalogued misbehaviour has a test, and the issue list (29 behaviours) is covered', () => {
    const ids = Object.keys(BEHAVIOURS) as BehaviourId[];
    const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'catalogue.test.ts');
    const where = new Map<BehaviourId, string[]>();
    for (const f of files) {
      const src = readFileSync(join(here, f), 'utf8');
      for (const id of ids) if (src.includes(`'${id}'`)) where.set(id, [...(where.get(id) ?? []), f]);
    }
    const missing = ids.filter((id) => !where.has(id));
    assert.deepEqual(missing, [], 'behaviours without a test');
    // Issue 6, item 1, in its order.
    const issueList: BehaviourId[] = [
      'bad-pow', 'bad-diffbits', 'time-not-after-mtp', 'time-too-new', 'bad-version', 'bad-checksum', 'wrong-magic',
      'truncated-message', 'oversized-payload', 'too-many-headers', 'trailing-garbage', 'unconnected-flood',
      'duplicate-flood', 'fork-below-anchor', 'checkpoint-mismatch', 'lower-work-fork', 'other-genesis', 'foreign-164',
      'height-lie', 'never-answers', 'slow-stream', 'empty-headers-forever', 'inv-spam', 'addr-spam', 'ping-flood',
      'silent-after-connect', 'handshake-timeout', 'reconnect-storm', 'unconnecting-announcements',
    ];
    assert.equal(new Set(issueList).size, 29);
    console.log(`adversarial behaviours: ${ids.length} (issue list: ${issueList.length} of 29; files: ${files.sort().join(', ')})`);
  });
});
