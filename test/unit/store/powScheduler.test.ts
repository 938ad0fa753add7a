import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpvError } from '../../../src/errors/spvError.js';
import { PowScheduler } from '../../../src/store/powScheduler.js';
import type { PowJob } from '../../../src/store/powScheduler.js';
import type { PowVerifier, VerifiedBatch } from '../../../src/store/powVerifier.js';

/**
 * A verifier whose batches finish when the test says so, recording how many were hashing at once: the
 * scheduler's contract is about when hashing starts, which a real pool cannot be made to show step by step.
 */
function controlledVerifier(threads: number): {
  verifier: PowVerifier;
  started: Uint8Array[];
  finish: (i: number, err?: Error) => void;
  maxInFlight: () => number;
} {
  const started: Uint8Array[] = [];
  const settle: { resolve: (v: VerifiedBatch) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;
  let max = 0;
  const verifier: PowVerifier = {
    threads,
    verify: (headers) => {
      started.push(headers);
      inFlight++;
      max = Math.max(max, inFlight);
      return new Promise<VerifiedBatch>((resolve, reject) => settle.push({ resolve, reject })).finally(() => {
        inFlight--;
      });
    },
    close: async () => undefined,
  };
  return {
    verifier,
    started,
    finish: (i, err) => {
      const s = settle[i];
      assert.ok(s, `batch ${i} has not started`);
      if (err !== undefined) s.reject(err);
      // Settling twice is a no-op: tests may finish everything started so far.
      else s.resolve({ headers: started[i]!, hashes: new Uint8Array(32), failures: new Map() });
    },
    maxInFlight: () => max,
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Finishes every batch started so far until `job` is done (bounded: the scheduler starts the next as one ends). */
async function settleAll(c: ReturnType<typeof controlledVerifier>, job: PowJob): Promise<void> {
  for (let spin = 0; spin < 10 && !job.done; spin++) {
    for (let i = 0; i < c.started.length; i++) c.finish(i);
    await tick();
  }
  assert.ok(job.done, 'the batch finished within the bound');
}
const batch = (n: number): Uint8Array => Uint8Array.of(n);

describe('PowScheduler: hashing concurrency follows the store', () => {
  test('store-bound: hashes stay one batch at a time however many threads the pool has', async () => {
    const c = controlledVerifier(4);
    const s = new PowScheduler(c.verifier, 4);
    const jobs = [0, 1, 2, 3].map((i) => s.submit(batch(i), 1n));
    assert.equal(c.started.length, 1, 'only the first batch starts');
    // Each batch hashes before the (slow) commit loop asks for it.
    for (let i = 0; i < 4; i++) {
      c.finish(i);
      await tick();
    }
    for (const [i, j] of jobs.entries()) assert.equal((await s.take(j)).headers[0], i);
    for (let k = 4; k < 80; k++) {
      const j = s.submit(batch(k), 1n);
      s.submit(batch(k + 1000), 1n); // a later batch queued behind, as in an import
      // Hashing keeps ahead: everything started finishes before the commit loop asks.
      await settleAll(c, j);
      await s.take(j);
    }
    assert.equal(c.maxInFlight(), 1);
    assert.equal(s.peakConcurrency, 1);
  });

  test('hash-bound: a window of commits that mostly waited allows one more batch, up to the thread count', async () => {
    const c = controlledVerifier(3);
    const s = new PowScheduler(c.verifier, 3);
    const jobs = Array.from({ length: 80 }, (_, i) => s.submit(batch(i), 1n));
    const seen: number[] = [];
    for (let i = 0; i < jobs.length; i++) {
      // The commit loop asks before the hashes are there, every time.
      const p = s.take(jobs[i]!);
      seen.push(s.concurrency);
      c.finish(i);
      await p;
      await tick();
    }
    assert.deepEqual([seen[14], seen[15], seen[16], seen[31], seen[32]], [1, 2, 2, 3, 3]);
    assert.equal(Math.max(...seen), 3, 'never above the pool threads');
    assert.equal(c.maxInFlight(), 3);
    assert.equal(s.peakConcurrency, 3);
  });

  test('bursts of waits below three in four do not grow it; a window without waits gives one back', async () => {
    const c = controlledVerifier(2);
    const s = new PowScheduler(c.verifier, 2);
    let n = 0;
    // `waits` of every 16 commits wait for hashing with a batch queued behind; the rest find them ready.
    const settle = (j: PowJob): Promise<void> => settleAll(c, j);
    const window = async (waits: number): Promise<void> => {
      for (let k = 0; k < 16; k++) {
        const j = s.submit(batch(n++), 1n);
        s.submit(batch(n++), 1n);
        if (k >= waits) await settle(j);
        const p = s.take(j);
        await settle(j);
        await p;
      }
    };
    await window(11);
    await window(11);
    assert.equal(s.concurrency, 1, '11 of 16 is not enough');
    await window(12);
    assert.equal(s.concurrency, 2);
    await window(3);
    assert.equal(s.concurrency, 2, 'a few waits keep it');
    await window(0);
    assert.equal(s.concurrency, 1);
  });

  test('batches start in arrival order and a failed batch rejects only its own job', async () => {
    const c = controlledVerifier(2);
    const s = new PowScheduler(c.verifier, 2);
    const jobs = [0, 1, 2].map((i) => s.submit(batch(i), 1n));
    c.finish(0, new SpvError('HEADER_BAD_LENGTH', 'broken on purpose', {}));
    await tick();
    c.finish(1);
    await tick();
    c.finish(2);
    await tick();
    assert.deepEqual(
      c.started.map((b) => b[0]),
      [0, 1, 2],
    );
    await assert.rejects(s.take(jobs[0]!), (e: unknown) => e instanceof SpvError && e.code === 'HEADER_BAD_LENGTH');
    assert.equal((await s.take(jobs[1]!)).headers[0], 1);
    assert.equal((await s.take(jobs[2]!)).headers[0], 2);
  });

  test('a verifier that throws synchronously fails its job, and the next batch still runs', async () => {
    let calls = 0;
    const verifier: PowVerifier = {
      threads: 1,
      verify: (headers) => {
        calls++;
        if (calls === 1) throw new Error('thrown, not rejected');
        return Promise.resolve({ headers, hashes: new Uint8Array(32), failures: new Map() });
      },
      close: async () => undefined,
    };
    const s = new PowScheduler(verifier, 1);
    const a = s.submit(batch(0), 1n);
    const b = s.submit(batch(1), 1n);
    await assert.rejects(s.take(a), /thrown, not rejected/);
    assert.equal((await s.take(b)).headers[0], 1);
  });
});
