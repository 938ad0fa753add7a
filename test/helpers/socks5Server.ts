import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A CONNECT request as the proxy saw it: whether the client sent a name (unresolved) or an IP. */
export interface Socks5Request {
  readonly host: string;
  readonly port: number;
  readonly addressType: 'ipv4' | 'domain' | 'ipv6';
}

/**
 * A minimal SOCKS5 proxy (RFC 1928: no auth, CONNECT only) on 127.0.0.1 for tests: it records each
 * request and pipes bytes both ways. It resolves names itself, as Tor does.
 */
export class Socks5Server {
  readonly requests: Socks5Request[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  static start(): Promise<Socks5Server> {
    const server = createServer();
    const proxy = new Socks5Server(server);
    server.on('connection', (s) => proxy.handle(s));
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(proxy)));
  }

  private handle(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' = 'greeting';
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'greeting') {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        buf = buf.subarray(2 + buf[1]!);
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      if (buf.length < 5) return;
      const atyp = buf[3]!;
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      if (buf.length < 4 + addrLen + 2) return;
      const addr = buf.subarray(4, 4 + addrLen);
      const port = buf.readUInt16BE(4 + addrLen);
      const host =
        atyp === 1 ? [...addr].join('.') : atyp === 3 ? addr.subarray(1).toString('latin1') : addr.toString('hex').replace(/(.{4})/g, '$1:').slice(0, -1);
      this.requests.push({ host, port, addressType: atyp === 1 ? 'ipv4' : atyp === 3 ? 'domain' : 'ipv6' });
      const rest = buf.subarray(4 + addrLen + 2);
      client.off('data', onData);
      const upstream = connect({ host, port });
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => {
        client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
      });
      upstream.once('connect', () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
