import { transferHandlers } from 'comlink/dist/esm/comlink.mjs';
import type { TransferHandler } from 'comlink/dist/esm/comlink.mjs';
import { InvariantError } from '../errors/spvError.js';
import { deserializeError, serializeError } from './errors.js';
import type { SerializedError } from './errors.js';

// Kept apart from errors.ts so that code without comlink (the pow pool's CommonJS task) can serialise errors.
interface ThrownValue {
  value: unknown;
}
type WireThrown = { isSpvError: true; error: SerializedError } | { isSpvError: false; value: unknown };

let installed = false;

/**
 * Replaces comlink's "throw" transfer handler in this thread. Call once in every thread that exposes or
 * wraps a comlink API (each thread has its own copy of comlink's handler map).
 */
export function installErrorTransfer(): void {
  if (installed) return;
  const original = transferHandlers.get('throw') as TransferHandler<ThrownValue, unknown> | undefined;
  if (original === undefined) throw new InvariantError('comlink has no throw handler');
  const handler: TransferHandler<ThrownValue, WireThrown> = {
    canHandle: (value: unknown): value is ThrownValue => original.canHandle(value),
    serialize: ({ value }) => [
      value instanceof Error ? { isSpvError: true, error: serializeError(value) } : { isSpvError: false, value },
      [],
    ],
    deserialize: (w) => {
      if (w.isSpvError) throw deserializeError(w.error);
      throw w.value;
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
