// Shared pieces of the benchmark scripts: timed loops, percentiles, machine facts. Benchmarks print figures and
// never assert (issue 5): nothing here throws on a slow result.
import { availableParallelism, cpus } from 'node:os';

export interface Rate {
  /** Operations completed. */
  readonly ops: number;
  readonly ms: number;
  readonly perSecond: number;
}

/**
 * Calls `op(i)` in rounds of `batch` until `seconds` have passed (at least one round), after untimed rounds for
 * `warmupSeconds` (default a quarter of the run, at most 0.5 s) so the JIT has settled. The clock is read once per round, not per call.
 */
export function timeLoop(op: (i: number) => void, opts: { seconds: number; batch: number; warmupSeconds?: number }): Rate {
  const { batch } = opts;
  const warmUntil = performance.now() + (opts.warmupSeconds ?? Math.min(0.5, opts.seconds / 4)) * 1000;
  for (let r = 0; r < 1_000_000 && (r === 0 || performance.now() < warmUntil); r++) for (let i = 0; i < batch; i++) op(i);
  const limitMs = opts.seconds * 1000;
  const began = performance.now();
  let ops = 0;
  let ms = 0;
  // Bounded: stops after the time limit, and a round count cap guards against a clock that never advances.
  for (let round = 0; round < 10_000_000 && (round === 0 || ms < limitMs); round++) {
    for (let i = 0; i < batch; i++) op(ops + i);
    ops += batch;
    ms = performance.now() - began;
  }
  return { ops, ms, perSecond: Math.round((ops / ms) * 1000) };
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
