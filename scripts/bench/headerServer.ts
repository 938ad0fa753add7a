// A fast scripted header server for the sync benchmark: loopback TCP, our own wire codec, serving a fixed chain the
// way a node serves its best chain (getheaders -> up to 2000 headers after the locator). Every `headers` frame is
// encoded before the clock starts, so the server costs one socket write per request and the measured figure is
// what the client achieves when the peer is not the bottleneck.
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { headerHash } from '../../src/chain/header.js';
import { toHex } from '../../src/util/bytes.js';
import type { WireMessage } from '../../src/wire/index.js';
import { FrameDecoder, MAX_HEADERS_RESULTS, decodeMessage, encodeMessage } from '../../src/wire/index.js';
import { versionMessage } from '../../test/helpers/wireConnection.js';

const HEADER_SIZE = 80;
const MAX_CONNECTIONS = 8;

export class HeaderServer {
  /** frames[k]: the `headers` answer for a request after header k * 2000 - 1 (k = 0: after the base). */
  private readonly frames: Uint8Array[] = [];
  /** hex of the hash that ends frame k -> k + 1; the base hash -> 0. */
  private readonly next = new Map<string, number>();
  private fullIndex: Map<string, number> | null = null;
  private readonly sockets = new Set<Socket>();
  /** getheaders requests answered, and those that needed the slow path (a locator not at a batch boundary). */
  requests = 0;
  slowRequests = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly magic: Uint8Array,
    private readonly headers: Uint8Array,
    baseHash: Uint8Array,
  ) {
    const count = headers.length / HEADER_SIZE;
    this.next.set(toHex(baseHash), 0);
    for (let start = 0, k = 0; start < count; start += MAX_HEADERS_RESULTS, k++) {
      const end = Math.min(count, start + MAX_HEADERS_RESULTS);
      const batch = headers.subarray(start * HEADER_SIZE, end * HEADER_SIZE);
      this.frames.push(encodeMessage(magic, { command: 'headers', count: end - start, headers: batch }));
      this.next.set(toHex(headerHash(headers.subarray((end - 1) * HEADER_SIZE, end * HEADER_SIZE))), k + 1);
    }
    this.frames.push(encodeMessage(magic, { command: 'headers', count: 0, headers: new Uint8Array(0) }));
    server.on('connection', (s) => this.accept(s));
  }

  /** Listens on 127.0.0.1 (a free port) serving `headers` (n * 80 bytes) on top of `baseHash`. */
  static start(magic: Uint8Array, headers: Uint8Array, baseHash: Uint8Array): Promise<HeaderServer> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        server.off('error', reject);
        resolve(new HeaderServer(server, (server.address() as AddressInfo).port, magic, headers, baseHash));
      });
    });
  }

  get length(): number {
    return this.headers.length / HEADER_SIZE;
  }

  private accept(socket: Socket): void {
    if (this.sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(this.magic);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) {
          this.handle(socket, decodeMessage(frame));
        }
      } catch {
        socket.destroy();
      }
    });
  }

  private handle(socket: Socket, msg: WireMessage): void {
    switch (msg.command) {
      case 'version':
        socket.write(encodeMessage(this.magic, versionMessage({ startHeight: this.length, localPort: this.port })));
        socket.write(encodeMessage(this.magic, { command: 'verack' }));
        return;
      case 'ping':
        socket.write(encodeMessage(this.magic, { command: 'pong', nonce: msg.nonce }));
        return;
      case 'getheaders':
        this.requests++;
        socket.write(this.answer(msg.locator));
        return;
      default:
        return;
    }
  }

  private answer(locator: readonly Uint8Array[]): Uint8Array {
    const first = locator[0];
    const k = first === undefined ? undefined : this.next.get(toHex(first));
    if (k !== undefined) return this.frames[Math.min(k, this.frames.length - 1)]!;
    // Slow path (a locator that is not a batch boundary, e.g. after a restart): find the first known hash.
    this.slowRequests++;
    this.fullIndex ??= this.buildIndex();
    let start = 0;
    for (const h of locator) {
      const i = this.fullIndex.get(toHex(h));
      if (i !== undefined) {
        start = i + 1;
        break;
      }
    }
    const end = Math.min(this.length, start + MAX_HEADERS_RESULTS);
    const headers = this.headers.subarray(start * HEADER_SIZE, end * HEADER_SIZE);
    return encodeMessage(this.magic, { command: 'headers', count: end - start, headers });
  }

  private buildIndex(): Map<string, number> {
    const index = new Map<string, number>();
    for (let i = 0; i < this.length; i++) index.set(toHex(headerHash(this.headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE))), i);
    return index;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
