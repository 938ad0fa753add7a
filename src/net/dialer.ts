import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { SocksClient } from 'socks';
import { SpvError } from '../errors/spvError.js';

export type Dialer = (host: string, port: number, timeoutMs: number) => Promise<Socket>;

/** Plain TCP. */
export const directDialer: Dialer = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SpvError('PEER_CONNECT_FAILED', 'connect timed out', { host, port, timeoutMs }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SpvError('PEER_CONNECT_FAILED', 'connect failed', { host, port, reason: err.message }));
    });
  });

/**
 * Every connection through a SOCKS5 proxy (Tor: socks5://127.0.0.1:9050). Host names are sent to the
 * proxy unresolved, so DNS happens at the proxy (no local leak).
 */
export function socksDialer(proxyUrl: string): Dialer {
  const u = new URL(proxyUrl);
  const proxy = { host: u.hostname, port: Number(u.port), type: 5 as const };
  return async (host, port, timeoutMs) => {
    try {
      const { socket } = await SocksClient.createConnection({
        proxy,
        command: 'connect',
        destination: { host, port },
        timeout: timeoutMs,
      });
      return socket;
    } catch (err) {
      throw new SpvError('PEER_CONNECT_FAILED', 'proxy connect failed', {
        host,
        port,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  };
}
