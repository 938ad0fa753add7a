/**
 * HTTP JSON-RPC transport with the node's quirks (ontio/multi-chain http/base/rpc/rpc.go `Handle`, poly-protocol.md
 * §2): POST to any path; OPTIONS gets the CORS headers only; other HTTP methods, a body over 1 MiB, a body that is not
 * a JSON object or a request without a string `method` get an empty 200 (the node logs and returns); `params` that
 * is not an array makes the node's handler panic, so the connection is dropped without a reply; an unknown method
 * gets the 42001 shape without `jsonrpc`/`desc`. Replies echo `id` (null when absent).
 *
 * Faults (devnet_fault) apply to the next n requests that are not devnet_* methods, so tests can always inspect and
 * steer the devnet: 'down' destroys the socket, 'garbage' answers 200 with a non-JSON body, 'http500' answers 500,
 * 'slow' executes the request at once and sends its reply after the delay (the ambiguous "sent but no answer yet"
 * case a client's retry must survive), 'wrongId' answers a well-formed reply with another request's id and
 * 'nullResult' answers `{error: 0, result: null}` (both without executing). 'refuse' is not per request: the
 * server stops listening for `delayMs` (connection refused), then listens on the same port again.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevnetFault, FaultMode } from './devnetState.js';
import type { JsonValue, RpcOutcome } from './rpcOutcome.js';
import { RPC_CODES, rpcDesc } from './rpcOutcome.js';

/** http.MaxBytesReader(w, r.Body, 1*1024*1024). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SLOW_MS = 3000;
export const FAULT_MODES: readonly FaultMode[] = ['none', 'down', 'garbage', 'http500', 'slow', 'wrongId', 'nullResult', 'refuse'];

/** Which bad answers are still owed. */
export class FaultPlan {
  private mode: FaultMode = 'none';
  private remaining = 0;
  private delayMs = DEFAULT_SLOW_MS;
  private methods: readonly string[] | null = null;

  set(mode: FaultMode, count: number, delayMs = DEFAULT_SLOW_MS, methods: readonly string[] | null = null): void {
    this.mode = mode;
    this.remaining = mode === 'none' ? 0 : count;
    this.delayMs = delayMs;
    this.methods = mode === 'none' ? null : methods;
  }

  /** The fault for the next non-devnet request (of the faulted methods, when limited), or null; consumes one. */
  take(method: string | null): { mode: Exclude<FaultMode, 'none' | 'refuse'>; delayMs: number } | null {
    if (this.mode === 'none' || this.mode === 'refuse' || this.remaining <= 0) return null;
    if (this.methods !== null && (method === null || !this.methods.includes(method))) return null;
    this.remaining--;
    const taken = { mode: this.mode, delayMs: this.delayMs };
    if (this.remaining === 0) this.mode = 'none';
    return taken;
  }

  snapshot(): DevnetFault {
    return { mode: this.mode, remaining: this.remaining, delayMs: this.delayMs, methods: this.methods };
  }
}

/** Returns null for an unknown method. May throw only on a devnet bug (answered 45001). */
export type RpcDispatch = (method: string, params: unknown[]) => RpcOutcome | null;

export interface RpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly dispatch: RpcDispatch;
  readonly faults: FaultPlan;
}

export interface RpcServer {
  readonly url: string;
  readonly port: number;
  /** Stops listening (clients get connection refused) for `ms`, then listens on the same port again. */
  suspend(ms: number): void;
  close(): Promise<void>;
}

const JSON_HEADERS = {
  'access-control-allow-headers': 'Content-Type',
  'access-control-allow-origin': '*',
  'content-type': 'application/json;charset=utf-8',
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function envelope(outcome: RpcOutcome | null, id: JsonValue): JsonValue {
  if (outcome === null) {
    return {
      error: RPC_CODES.INVALID_METHOD,
      result: { code: -32601, message: 'Method not found', data: 'The called method was not found on the server' },
      id,
    };
  }
  const code = outcome.ok ? RPC_CODES.SUCCESS : outcome.code;
  return { jsonrpc: '2.0', error: code, desc: rpcDesc(code), result: outcome.result, id };
}

export function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = JSON_HEADERS): void => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, headers);
    res.end(body);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const method = isRecord(body) && typeof body['method'] === 'string' ? body['method'] : null;
    let delayMs = 0;
    if (method === null || !method.startsWith('devnet_')) {
      const fault = opts.faults.take(method);
      if (fault !== null) {
        if (fault.mode === 'down') {
          req.socket.destroy();
          return;
        }
        if (fault.mode === 'garbage') {
          send(res, 200, '<html><body>devnet: not JSON</body></html>', { 'content-type': 'text/html' });
          return;
        }
        if (fault.mode === 'http500') {
          send(res, 500, 'Internal Server Error', { 'content-type': 'text/plain' });
          return;
        }
        if (fault.mode === 'slow') delayMs = fault.delayMs;
        else if (isRecord(body)) {
          const id = (body['id'] ?? null) as JsonValue;
          const reply = fault.mode === 'wrongId' ? { jsonrpc: '2.0', error: 0, desc: 'SUCCESS', result: 1, id: `not-${JSON.stringify(id)}` } : { jsonrpc: '2.0', error: 0, desc: 'SUCCESS', result: null, id };
          send(res, 200, JSON.stringify(reply));
          return;
        }
      }
    }
    if (!isRecord(body) || method === null) {
      send(res, 200, '', {});
      return;
    }
    const params = body['params'];
    if (!Array.isArray(params)) {
      req.socket.destroy(); // the node's handler panics on a non-array params; net/http drops the connection
      return;
    }
    const id = (body['id'] ?? null) as JsonValue;
    let reply: string;
    try {
      reply = JSON.stringify(envelope(opts.dispatch(method, params as unknown[]), id));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply = JSON.stringify(
        envelope({ ok: false, code: RPC_CODES.INTERNAL_ERROR, result: { reason: 'DEVNET_BUG', message } }, id),
      );
    }
    if (delayMs <= 0) {
      send(res, 200, reply);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, 200, reply);
    }, delayMs);
    timers.add(timer);
  };

  const server: Server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      send(res, 200, '', JSON_HEADERS);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        res.on('finish', () => req.socket.destroy());
        send(res, 200, '', { connection: 'close' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      if (req.method !== 'POST') {
        send(res, 200, '', {});
        return;
      }
      answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => req.socket.destroy());
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      let closed: Promise<void> | null = null;
      resolve({
        url: `http://${hostPart}:${port}`,
        port,
        suspend(ms: number): void {
          // Let the reply of the request that asked for it go out first.
          const begin = setTimeout(() => {
            timers.delete(begin);
            server.close();
            server.closeAllConnections();
            const resume = setTimeout(() => {
              timers.delete(resume);
              if (closed === null) server.listen({ host: opts.host, port });
            }, ms);
            timers.add(resume);
          }, 50);
          timers.add(begin);
        },
        close(): Promise<void> {
          closed ??= new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t);
            timers.clear();
            if (!server.listening) {
              done();
              return;
            }
            server.close(() => done());
            server.closeAllConnections();
          });
          return closed;
        },
      });
    });
  });
}
