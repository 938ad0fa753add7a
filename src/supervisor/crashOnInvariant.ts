import { isSpvError } from '../errors/spvError.js';

/**
 * Wraps a worker's API so that a broken invariant (a bug: code INVARIANT) still answers the caller with
 * the typed error, and then ends the thread: its in-memory state can no longer be trusted, and the
 * supervisor restarts it from the crash-safe store (architecture §4).
 */
export function crashOnInvariant<T extends object>(api: T, onInvariant: (err: Error) => void): T {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) {
          return out.catch((err: unknown) => {
            if (isSpvError(err) && err.code === 'INVARIANT') setImmediate(() => onInvariant(err));
            throw err;
          });
        }
        return out;
      };
    },
  });
}
