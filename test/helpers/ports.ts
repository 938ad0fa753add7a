import { connect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';

/**
 * Ports never handed out: bcoin's regtest and simnet default P2P / RPC ports (48444 is bcoin's built-in regtest seed,
 * which every bcoin node keeps dialling: anything of ours listening there would receive their connections), and
 * Core's regtest P2P / RPC defaults.
 */
const RESERVED_PORTS: ReadonlySet<number> = new Set([48444, 48332, 18443, 18444, 18555, 18556]);

/** Attempts per requested port before giving up (a reserved port is only rarely drawn). */
const MAX_ATTEMPTS = 20;

function listenEphemeral(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/**
 * `n` distinct free TCP ports on 127.0.0.1 (never a reserved one). All are held open together until every one is
 * chosen, so the OS cannot hand the same port out twice, then released. Another process could still take a port
 * before the caller binds it: callers that spawn a server should retry on EADDRINUSE.
 */
export async function freePorts(n: number): Promise<number[]> {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`freePorts: n must be 1..64, got ${n}`);
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < n; attempt++) {
      if (attempt >= n * MAX_ATTEMPTS) throw new Error(`freePorts: no free port after ${attempt} attempts`);
      const server = await listenEphemeral();
      held.push(server);
      const port = portOf(server);
      if (!RESERVED_PORTS.has(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map(closeServer));
  }
}

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). Never 48444 (bcoin's regtest seed port). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** True when something accepts TCP connections on 127.0.0.1:`port` (one attempt, bounded by `timeoutMs`). */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until 127.0.0.1:`port` accepts connections (`open` true) or refuses them (`open` false). Bounded by
 * `timeoutMs`; throws on timeout. `abort` (checked each round) stops early, e.g. when the process that should
 * listen has exited.
 */
export async function waitForPort(
  port: number,
  opts: { open?: boolean; timeoutMs?: number; intervalMs?: number; abort?: () => string | null } = {},
): Promise<void> {
  const want = opts.open ?? true;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    const reason = opts.abort?.() ?? null;
    if (reason !== null) throw new Error(`waitForPort ${port}: ${reason}`);
    if ((await isPortOpen(port, Math.min(1000, timeoutMs))) === want) return;
    if (Date.now() >= deadline || round > timeoutMs / intervalMs + 10) {
      throw new Error(`waitForPort ${port}: still ${want ? 'closed' : 'open'} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
