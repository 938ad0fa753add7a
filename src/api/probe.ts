import { SpvError } from '../errors/spvError.js';

export type Probed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** How long health and metrics wait for a worker before reporting it down (a wedged worker must not hang them). */
export const PROBE_TIMEOUT_MS = 2_000;

/** Settles `call()` within `timeoutMs`, never throwing: for endpoints that report a worker's state. */
export async function probe<T>(call: () => Promise<T>, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SpvError('WORKER_UNAVAILABLE', 'the worker did not answer in time', { timeoutMs })), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([call(), timeout]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}
