/**
 * A scripted Bitcoin P2P peer (TCP server on 127.0.0.1, our own wire codec) for the behaviours a real node will not
 * show: silence, slow or wrong answers, corrupted frames, oversized or unconnected header floods. Each accepted
 * socket is a WireConnection (wireConnection.ts); the chain it serves is a HeaderChain (headerChain.ts); the abusive
 * frames are built in abusiveFrames.ts. Everything is bounded: connection count, stored messages, every wait.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { REGTEST } from '../../src/chain/params.js';
import { bytesEqual } from '../../src/util/bytes.js';
import type { GetHeadersMessage, WireMessage } from '../../src/wire/index.js';
import { MAX_HEADERS_RESULTS, encodeMessage } from '../../src/wire/index.js';
import { HeaderChain } from './headerChain.js';
import {
  badChecksumFrame,
  headersPayload,
  oversizedFrameHeader,
  rawFrame,
  tooManyHeadersFrame,
  unconnectedHeadersFlood,
  wrongMagicFrame,
} from './abusiveFrames.js';
import { WireConnection, versionMessage } from './wireConnection.js';
import type { VersionOptions } from './wireConnection.js';

const HEADER_SIZE = 80;
const DEFAULT_WAIT_MS = 5000;
const DEFAULT_MAX_CONNECTIONS = 16;
const MAINNET_MAGIC = Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]);

export interface HandshakeOptions extends Omit<VersionOptions, 'localPort' | 'remotePort'> {
  /** Send `verack` after our `version` (default true; false leaves the peer's handshake hanging). */
  readonly sendVerack?: boolean;
  /** Send our `version` as soon as a client connects instead of after theirs (default false, like Core). */
  readonly versionFirst?: boolean;
}

export type GetHeadersReply = Uint8Array | 'ignore' | undefined;

export interface ScriptedPeerBehaviour {
  /** Loopback address to listen on (default 127.0.0.1; 127.0.0.2 etc. stand for other hosts). */
  readonly host?: string;
  readonly magic?: Uint8Array;
  /** Our side of the version handshake (default: on, start height = chain length). false: never send version/verack. */
  readonly handshake?: HandshakeOptions | false;
  /** The chain served to `getheaders` (n * 80 bytes over the regtest genesis, or a HeaderChain). */
  readonly chain?: Uint8Array | HeaderChain;
  /**
   * Answer to `getheaders`: raw headers (n * 80 bytes; more than 2000 are sent as is, an abusive message) or
   * 'ignore' (send nothing). undefined falls back to serving `chain` (empty `headers` if there is none).
   */
  readonly onGetHeaders?: (
    req: GetHeadersMessage,
    conn: WireConnection,
  ) => GetHeadersReply | Promise<GetHeadersReply>;
  /** Called first for every message; return 'handled' to skip the default handling. */
  readonly onMessage?: (
    msg: WireMessage,
    conn: WireConnection,
  ) => void | 'handled' | Promise<void | 'handled'>;
  /** Called when a client connects (before any message). */
  readonly onConnection?: (conn: WireConnection) => void;
  /** Answer pings (default true). */
  readonly autoPong?: boolean;
  /** Accept at most this many connections in total; later ones are closed at once (default 16). */
  readonly maxConnections?: number;
  readonly maxStoredMessages?: number;
}

export class ScriptedPeer {
  /** Every accepted connection, in order (closed ones included). */
  readonly connections: WireConnection[] = [];
  /** Connections refused because maxConnections was reached. */
  refused = 0;
  private chainView: HeaderChain | null;
  private readonly magic: Uint8Array;
  private readonly connWaiters = new Set<() => void>();
  private readonly versionSent = new WeakSet<WireConnection>();
  /** Errors thrown by behaviour hooks (a hook error closes that connection). */
  readonly hookErrors: unknown[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly behaviour: ScriptedPeerBehaviour,
  ) {
    this.magic = behaviour.magic ?? REGTEST.magic;
    const chain = behaviour.chain;
    this.chainView = chain === undefined ? null : chain instanceof HeaderChain ? chain : new HeaderChain(chain);
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1 (or `behaviour.host`) at a free port. */
  static start(behaviour: ScriptedPeerBehaviour = {}): Promise<ScriptedPeer> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host: behaviour.host ?? '127.0.0.1', port: 0 }, () => {
        server.off('error', reject);
        const port = (server.address() as AddressInfo).port;
        if (port === 48444) {
          // bcoin nodes in the same test would dial us as their seed; take another port.
          server.close();
          ScriptedPeer.start(behaviour).then(resolve, reject);
          return;
        }
        resolve(new ScriptedPeer(server, port, behaviour));
      });
    });
  }

  /** The chain served by default (replace it with setChain to simulate a reorg). */
  get chain(): HeaderChain | null {
    return this.chainView;
  }

  setChain(chain: Uint8Array | HeaderChain | null): void {
    this.chainView = chain === null ? null : chain instanceof HeaderChain ? chain : new HeaderChain(chain);
  }

  /** Decoded messages received, per connection (same order as `connections`). */
  get messagesReceived(): WireMessage[][] {
    return this.connections.map((c) => c.messages);
  }

  /** Connections still open. */
  get open(): WireConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  private accept(socket: Socket): void {
    if (this.connections.length >= (this.behaviour.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) {
      this.refused++;
      socket.destroy();
      return;
    }
    const conn = new WireConnection(socket, {
      magic: this.magic,
      autoPong: this.behaviour.autoPong ?? true,
      ...(this.behaviour.maxStoredMessages === undefined
        ? {}
        : { maxStoredMessages: this.behaviour.maxStoredMessages }),
    });
    this.connections.push(conn);
    let queue: Promise<void> = Promise.resolve();
    conn.onMessage((msg) => {
      // One message at a time per connection, in order, even with async hooks.
      queue = queue
        .then(() => this.handle(conn, msg))
        .catch((err: unknown) => {
          this.hookErrors.push(err);
          conn.close();
        });
    });
    this.behaviour.onConnection?.(conn);
    const hs = this.behaviour.handshake;
    if (hs !== false && hs?.versionFirst === true) this.sendVersion(conn);
    for (const w of [...this.connWaiters]) w();
  }

  private sendVersion(conn: WireConnection): void {
    const hs = this.behaviour.handshake;
    if (hs === false || this.versionSent.has(conn)) return;
    this.versionSent.add(conn);
    conn.send(
      versionMessage({
        ...hs,
        startHeight: hs?.startHeight ?? this.chainView?.length ?? 0,
        localPort: this.port,
        remotePort: conn.socket.remotePort ?? 0,
      }),
    );
    if (hs?.sendVerack !== false) conn.send({ command: 'verack' });
  }

  private async handle(conn: WireConnection, msg: WireMessage): Promise<void> {
    if (conn.closed) return;
    if ((await this.behaviour.onMessage?.(msg, conn)) === 'handled') return;
    switch (msg.command) {
      case 'version':
        this.sendVersion(conn);
        return;
      case 'getheaders': {
        let reply = await this.behaviour.onGetHeaders?.(msg, conn);
        if (reply === 'ignore') return;
        reply ??= this.chainView?.answer(msg.locator, msg.stopHash) ?? new Uint8Array(0);
        this.sendHeaders(reply, conn);
        return;
      }
      default:
        return;
    }
  }

  /** Sends raw headers (n * 80 bytes) as one `headers` message; more than 2000 go out as an abusive frame. */
  sendHeaders(headers: Uint8Array, conn?: WireConnection): void {
    const count = headers.length / HEADER_SIZE;
    if (!Number.isInteger(count)) throw new RangeError('headers must be a multiple of 80 bytes');
    const frame =
      count <= MAX_HEADERS_RESULTS
        ? encodeMessage(this.magic, { command: 'headers', count, headers })
        : rawFrame(this.magic, 'headers', headersPayload(headers));
    this.sendRaw(frame, conn);
  }

  /** Announces the chain's tip header (as bcoin does after a new block or a reorg). */
  announceTip(conn?: WireConnection): void {
    const chain = this.chainView;
    if (chain === null || chain.length === 0) throw new Error('announceTip: no chain');
    this.sendHeaders(chain.header(chain.length - 1).slice(), conn);
  }

  /** Sends a message to `conn`, or to every open connection. */
  send(msg: WireMessage, conn?: WireConnection): void {
    this.sendRaw(encodeMessage(this.magic, msg), conn);
  }

  /** Writes raw bytes to `conn`, or to every open connection. */
  sendRaw(bytes: Uint8Array, conn?: WireConnection): void {
    for (const c of conn === undefined ? this.open : [conn]) c.sendRaw(bytes);
  }

  /** A frame of `msg` (default: a ping) with a bad checksum. */
  sendBadChecksum(msg: WireMessage = { command: 'ping', nonce: 1n }, conn?: WireConnection): void {
    this.sendRaw(badChecksumFrame(msg, this.magic), conn);
  }

  /** A frame of `msg` (default: a ping) with the mainnet magic. */
  sendWrongMagic(msg: WireMessage = { command: 'ping', nonce: 1n }, conn?: WireConnection): void {
    const other = bytesEqual(this.magic, MAINNET_MAGIC) ? REGTEST.magic : MAINNET_MAGIC;
    this.sendRaw(wrongMagicFrame(msg, other), conn);
  }

  /** A frame header declaring one byte more than `command` allows. */
  sendOversized(command = 'headers', conn?: WireConnection): void {
    this.sendRaw(oversizedFrameHeader(command, this.magic), conn);
  }

  /** A `headers` message of `count` (default 2001) headers. */
  sendTooManyHeaders(count = MAX_HEADERS_RESULTS + 1, conn?: WireConnection): void {
    this.sendRaw(tooManyHeadersFrame(count, this.magic), conn);
  }

  /** `messages` `headers` messages that do not connect to any chain (default 20 of 1 header). */
  floodUnconnectedHeaders(messages = 20, perMessage = 1, conn?: WireConnection): void {
    for (const f of unconnectedHeadersFlood(messages, perMessage, this.magic)) this.sendRaw(f, conn);
  }

  /** Waits (bounded) until at least `n` connections have been accepted; returns the n-th. */
  async waitForConnection(n = 1, opts: { timeoutMs?: number } = {}): Promise<WireConnection> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    if (this.connections.length < n) {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (this.connections.length >= n) {
            clearTimeout(timer);
            this.connWaiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          this.connWaiters.delete(check);
          reject(new Error(`${this.connections.length} of ${n} connections after ${timeoutMs} ms`));
        }, timeoutMs);
        this.connWaiters.add(check);
      });
    }
    return this.connections[n - 1]!;
  }

  /** Destroys every socket and stops listening (bounded). Idempotent. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
