/** A node:http JSON-RPC stand-in on 127.0.0.1:0 whose replies each test scripts. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
  readonly at: number;
}

/** What to do with a request: reply (status default 200, body object → JSON, string → raw), hang, or reset. */
export type Reply = { status?: number; json?: unknown; raw?: string; headers?: Record<string, string> } | 'hang' | 'reset' | 'partial';

export type Handler = (req: Record<string, unknown>, n: number) => Reply;

export interface Scripted {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Reply `result` with `error: 0`, echoing the request id. */
export function ok(req: Record<string, unknown>, result: unknown): Reply {
  return { json: { desc: 'SUCCESS', error: 0, id: req['id'], jsonrpc: '2.0', result } };
}

export async function startScripted(handler: Handler): Promise<Scripted> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      seen.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body, at: Date.now() });
      const asRecord = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const reply = handler(asRecord, seen.length);
      if (reply === 'hang') return;
      if (reply === 'partial') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"error":0,"result":');
        return; // headers and half a body, then nothing
      }
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      const payload = reply.raw ?? JSON.stringify(reply.json);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens (a port we bound then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
