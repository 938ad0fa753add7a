import type { PowVerifier, VerifiedBatch } from './powVerifier.js';

/** One batch handed to the scheduler: its hashing starts when the concurrency limit allows. */
export interface PowJob {
  /** Settles with the pow verdicts; never rejects unobserved (the commit loop takes every job). */
  readonly result: Promise<VerifiedBatch>;
  /** True once hashing finished (either way). */
  readonly done: boolean;
}

interface QueuedJob extends PowJob {
  done: boolean;
  start(): void;
}

/** Commits per decision: the limit changes at most once per window. */
const WINDOW = 16;
/** Waits (with a batch queued behind the limit) in a window that allow one more batch at once: 3 of 4 commits. */
const STARVED_TO_GROW = 12;

/**
 * How many header batches are hashed at once. The pow pool may run `maxConcurrent` threads, but a second
 * thread only helps while hashing is the bottleneck. When the store's commits are the slower stage (an import
 * or a sync on a small machine: one pool thread hashes ~2M headers/s, a commit takes ~0.6M/s), an extra thread
 * is an idle isolate (~9 MB) on a core that the LevelDB compactions and the chain worker need, so the pool
 * would only cost memory. The pool starts its threads on demand (piscina minThreads 0), so the concurrency
 * allowed here is also the number of threads that ever start.
 *
 * Starts at one batch at a time, and decides once per window of 16 commits. Allows one more when at least 12 of
 * them had to wait for their hashes while a later batch sat queued behind the limit: hashing is then the bound
 * and another thread helps. Waits are normal in small numbers even when the store is the bound (on 2 cores the
 * pool thread is descheduled while a LevelDB compaction runs: about 1 commit in 20 waits during an import), and a
 * thread once started stays until the pool's idle timeout, so a burst must not grow the pool. Gives one back
 * after a window in which no commit waited. Jobs start in arrival order, so the batch the commit loop needs next
 * is never the one held back.
 */
export class PowScheduler {
  private limit = 1;
  private running = 0;
  private readonly queue: QueuedJob[] = [];
  private takes = 0;
  private starved = 0;
  private peak = 1;

  constructor(
    private readonly verifier: PowVerifier,
    private readonly maxConcurrent: number,
  ) {}

  /** Batches allowed to hash at once right now. */
  get concurrency(): number {
    return this.limit;
  }

  /** The highest concurrency reached so far (the number of pool threads that had work). */
  get peakConcurrency(): number {
    return this.peak;
  }

  submit(headers: Uint8Array, powLimit: bigint): PowJob {
    let resolve!: (v: VerifiedBatch) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<VerifiedBatch>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined);
    const job: QueuedJob = {
      result,
      done: false,
      start: () => {
        this.running++;
        let hashing: Promise<VerifiedBatch>;
        try {
          hashing = this.verifier.verify(headers, powLimit);
        } catch (err) {
          hashing = Promise.reject(err);
        }
        // Book-keeping first, so whoever the result wakes sees this job done and the next one started.
        const finish = (): void => {
          job.done = true;
          this.running--;
          this.pump();
        };
        hashing.then(
          (v) => {
            finish();
            resolve(v);
          },
          (err: unknown) => {
            finish();
            reject(err);
          },
        );
      },
    };
    this.queue.push(job);
    this.pump();
    return job;
  }

  /** The commit loop's turn for `job`: adapts the limit to whether it has to wait, then waits. */
  take(job: PowJob): Promise<VerifiedBatch> {
    if (!job.done && this.queue.length > 0) this.starved++;
    if (++this.takes === WINDOW) {
      if (this.starved >= STARVED_TO_GROW && this.limit < this.maxConcurrent) {
        this.limit++;
        this.peak = Math.max(this.peak, this.limit);
        this.pump();
      } else if (this.starved === 0 && this.limit > 1) {
        this.limit--;
      }
      this.takes = 0;
      this.starved = 0;
    }
    return job.result;
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length > 0) this.queue.shift()!.start();
  }
}
