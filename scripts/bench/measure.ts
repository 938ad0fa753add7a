// Shared pieces of the benchmark scripts: timed loops, percentiles, machine facts. Benchmarks print figures and
// never assert (issue 5): nothing here throws on a slow result.
import { availableParallelism, cpus } from 'node:os';

export interface Rate {
  /** Operations completed. */
  readonly ops: number;
  readonly ms: number;
  /** Mean over the whole run. */
  readonly meanPerSecond: number;
  /**
   * The best ~200 ms slice of the run: on a shared machine other processes take the CPU away in bursts, so the
   * best slice is the closest to what the code does on an idle core (the mean is reported next to it).
   */
  readonly perSecond: number;
}

const SLICE_MS = 200;

/**
 * Calls `op(i)` in rounds of `batch` until `seconds` have passed (at least one round), after untimed rounds for
 * `warmupSeconds` (default a quarter of the run, at most 0.5 s) so the JIT has settled. The clock is read once per
 * round, not per call; rounds are grouped into ~200 ms slices for the best-slice rate.
 */
export function timeLoop(op: (i: number) => void, opts: { seconds: number; batch: number; warmupSeconds?: number }): Rate {
  const { batch } = opts;
  const warmUntil = performance.now() + (opts.warmupSeconds ?? Math.min(0.5, opts.seconds / 4)) * 1000;
  for (let r = 0; r < 1_000_000 && (r === 0 || performance.now() < warmUntil); r++) for (let i = 0; i < batch; i++) op(i);
  const limitMs = opts.seconds * 1000;
  const began = performance.now();
  let ops = 0;
  let ms = 0;
  let sliceStart = began;
  let sliceOps = 0;
  let best = 0;
  // Bounded: stops after the time limit, and a round count cap guards against a clock that never advances.
  for (let round = 0; round < 10_000_000 && (round === 0 || ms < limitMs); round++) {
    for (let i = 0; i < batch; i++) op(ops + i);
    ops += batch;
    sliceOps += batch;
    const now = performance.now();
    ms = now - began;
    if (now - sliceStart >= SLICE_MS) {
      best = Math.max(best, (sliceOps / (now - sliceStart)) * 1000);
      sliceStart = now;
      sliceOps = 0;
    }
  }
  const meanPerSecond = Math.round((ops / ms) * 1000);
  return { ops, ms, meanPerSecond, perSecond: Math.max(meanPerSecond, Math.round(best)) };
}

/** The machine the figures were measured on (the README table header). */
export function machine(): { cores: number; cpu: string; node: string; platform: string } {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Reads a positive number flag, or the default; a bad value is reported and the default used (never a crash). */
export function numberFlag(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} ${value}: not a positive number, using ${fallback}`);
    return fallback;
  }
  return n;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
