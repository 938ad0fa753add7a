import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { expose, wrap } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { SpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { EmitEvent, EventMessage } from '../protocol/events.js';
import { crashOnInvariant } from './crashOnInvariant.js';

/**
 * Exposes a worker's API on its parent port, plus `attachClient(port)`: the supervisor hands out
 * MessageChannel ports so workers call each other directly (net -> chain), never through the main thread.
 */
export function exposeApi(api: object, parent: MessagePort): void {
  const withClients = new Proxy(api, {
    get(target, prop, receiver) {
      if (prop === 'attachClient') {
        return async (port: MessagePort) => {
          expose(api, nodeEndpoint(port));
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  expose(withClients, nodeEndpoint(parent));
}

/**
 * A typed API over a port to another worker. When the port's far side goes away (that worker crashed),
 * calls fail with WORKER_UNAVAILABLE until the supervisor hands over a new port.
 */
export function wrapPort<T>(port: MessagePort): T {
  let closed = false;
  port.once('close', () => {
    closed = true;
  });
  const remote = wrap<T>(nodeEndpoint(port)) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  return new Proxy({} as object, {
    get(_t, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return (...args: unknown[]) => {
        if (closed) return Promise.reject(new SpvError('WORKER_UNAVAILABLE', 'the other worker is gone', { method: prop }));
        return remote[prop]!(...args);
      };
    },
  }) as T;
}

/** A worker's emit function: posts plain-data events on the port the supervisor gave it. */
export function eventPoster(port: MessagePort): EmitEvent {
  port.unref();
  return (event, data) => {
    port.postMessage({ event, data } as EventMessage);
  };
}

/**
 * The tail of every worker entry: serve `api` on the parent port; a broken invariant answers its caller,
 * then ends the thread (exit 70) so the supervisor restarts it from durable state.
 */
export function serveWorker(api: object, name: string, log: Logger): void {
  if (parentPort === null) throw new Error(`${name} worker must run in a worker thread`);
  exposeApi(
    crashOnInvariant(api, (err) => {
      log.fatal({ err }, `invariant broken, restarting the ${name} worker`);
      process.exit(70);
    }),
    parentPort,
  );
}
