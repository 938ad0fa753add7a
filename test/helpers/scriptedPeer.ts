/**
 * A scripted Bitcoin P2P peer (TCP server on 127.0.0.1, our own wire codec) for the behaviours a real node will not
 * show: silence, slow or wrong answers, corrupted frames, oversized or unconnected header floods. Plus
 * WireConnection, a raw framed connection usable as a client (e.g. against bcoin) and used by the server for each
 * accepted socket. Everything is bounded: connection count, stored messages, every wait.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { headerHash, serializeHeader } from '../../src/chain/header.js';
import type { ChainParams } from '../../src/chain/params.js';
import { REGTEST } from '../../src/chain/params.js';
import { ByteWriter } from '../../src/util/byteWriter.js';
import { bytesEqual, toHex } from '../../src/util/bytes.js';
import type {
  Frame,
  GetHeadersMessage,
  MessageOf,
  VersionMessage,
  WireCommand,
  WireMessage,
} from '../../src/wire/index.js';
import {
  FRAME_HEADER_SIZE,
  FrameDecoder,
  MAX_HEADERS_RESULTS,
  decodeMessage,
  encodeMessage,
  frameChecksum,
  maxPayloadLength,
} from '../../src/wire/index.js';
import { ChainBuilder } from './chainBuilder.js';

const HEADER_SIZE = 80;
/** Core's current protocol version (70016: wtxidrelay). */
export const DEFAULT_PROTOCOL_VERSION = 70016;
/** NODE_NETWORK | NODE_WITNESS. */
export const DEFAULT_SERVICES = 1n | 8n;
export const DEFAULT_USER_AGENT = '/spv-scripted-peer:0.1/';
const DEFAULT_WAIT_MS = 5000;
const DEFAULT_MAX_STORED = 10_000;
const DEFAULT_MAX_CONNECTIONS = 16;
const MAINNET_MAGIC = Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]);

/** The IPv4-mapped IPv6 form of 127.0.0.1 (`version` address fields). */
export function loopbackIp(): Uint8Array {
  return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
}

function randomU64(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

export interface VersionOptions {
  readonly protocolVersion?: number;
  readonly services?: bigint;
  readonly userAgent?: string;
  readonly startHeight?: number;
  readonly relay?: boolean;
  /** The port we claim to listen on (addrFrom); 0 for a client. */
  readonly localPort?: number;
  readonly remotePort?: number;
}

/** A `version` message with sensible defaults (protocol 70016, NODE_NETWORK|NODE_WITNESS, height 0, relay). */
export function versionMessage(opts: VersionOptions = {}): VersionMessage {
  const services = opts.services ?? DEFAULT_SERVICES;
  return {
    command: 'version',
    version: opts.protocolVersion ?? DEFAULT_PROTOCOL_VERSION,
    services,
    time: BigInt(Math.floor(Date.now() / 1000)),
    addrRecv: { services: 0n, ip: loopbackIp(), port: opts.remotePort ?? 0 },
    addrFrom: { services, ip: loopbackIp(), port: opts.localPort ?? 0 },
    nonce: randomU64(),
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    startHeight: opts.startHeight ?? 0,
    relay: opts.relay ?? true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// WireConnection

export interface WireConnectionOptions {
  /** Network magic (default regtest). */
  readonly magic?: Uint8Array;
  /** Answer `ping` with `pong` (default true). */
  readonly autoPong?: boolean;
  /** Messages kept in `messages`; later ones are still handled but only counted (default 10,000). */
  readonly maxStoredMessages?: number;
  /** Drop the socket on the first framing / decoding error, as a real client would (default true). */
  readonly destroyOnError?: boolean;
}

interface Waiter {
  readonly match: (m: WireMessage) => boolean;
  readonly resolve: (m: WireMessage) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * One framed P2P connection over a socket: incoming bytes go through FrameDecoder and decodeMessage; messages are
 * stored in arrival order and can be awaited (`next`). The first decoding error is kept in `failure` (an SpvError
 * from the codec, e.g. PEER_BAD_CHECKSUM) and, by default, the socket is then destroyed.
 */
export class WireConnection {
  readonly magic: Uint8Array;
  /** Decoded messages received, in order (at most maxStoredMessages). */
  readonly messages: WireMessage[] = [];
  /** Messages received in total, stored or not. */
  received = 0;
  /** The first framing or decoding error (the codec's SpvError), or null. */
  failure: unknown = null;
  /** A socket-level error (e.g. ECONNRESET), if one happened. */
  socketError: Error | null = null;
  closed = false;
  private readonly decoder: FrameDecoder;
  private readonly taken = new Set<WireMessage>();
  private readonly waiters = new Set<Waiter>();
  private readonly closeWaiters: Array<() => void> = [];
  private readonly listeners: Array<(m: WireMessage) => void> = [];
  private readonly autoPong: boolean;
  private readonly maxStored: number;
  private readonly destroyOnError: boolean;

  constructor(
    readonly socket: Socket,
    opts: WireConnectionOptions = {},
  ) {
    this.magic = opts.magic ?? REGTEST.magic;
    this.decoder = new FrameDecoder(this.magic);
    this.autoPong = opts.autoPong ?? true;
    this.maxStored = opts.maxStoredMessages ?? DEFAULT_MAX_STORED;
    this.destroyOnError = opts.destroyOnError ?? true;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('close', () => {
      this.closed = true;
      const err = this.failure ?? new Error('connection closed');
      for (const w of [...this.waiters]) {
        this.waiters.delete(w);
        w.reject(err);
      }
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  /** Connects to 127.0.0.1:`port` (bounded by timeoutMs, default 5 s). */
  static connect(
    port: number,
    opts: WireConnectionOptions & { host?: string; timeoutMs?: number } = {},
  ): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: opts.host ?? '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${port}: timed out`));
      }, opts.timeoutMs ?? DEFAULT_WAIT_MS);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket, opts));
      });
    });
  }

  /** Called for every decoded message (after storing it, before waiters). */
  onMessage(listener: (m: WireMessage) => void): void {
    this.listeners.push(listener);
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== null) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (err) {
      this.fail(err);
      return;
    }
    for (const frame of frames) {
      let msg: WireMessage;
      try {
        msg = decodeMessage(frame);
      } catch (err) {
        this.fail(err);
        return;
      }
      this.deliver(msg);
      if (this.closed) return;
    }
  }

  private fail(err: unknown): void {
    this.failure = err;
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w.reject(err);
    }
    if (this.destroyOnError) this.socket.destroy();
  }

  private deliver(m: WireMessage): void {
    this.received++;
    if (this.messages.length < this.maxStored) this.messages.push(m);
    if (this.autoPong && m.command === 'ping') this.send({ command: 'pong', nonce: m.nonce });
    for (const l of this.listeners) l(m);
    for (const w of this.waiters) {
      if (w.match(m)) {
        this.waiters.delete(w);
        this.taken.add(m);
        w.resolve(m);
        return;
      }
    }
  }

  /** Received messages with this command, in order. */
  all<C extends WireCommand>(command: C): MessageOf<C>[] {
    return this.messages.filter((m) => m.command === command) as MessageOf<C>[];
  }

  /**
   * The first received message matching `predicate` not yet returned by an earlier wait, waiting (bounded) if there
   * is none yet. Rejects on timeout, on a decoding failure or when the connection closes.
   */
  waitFor(predicate: (m: WireMessage) => boolean, opts: { timeoutMs?: number } = {}): Promise<WireMessage> {
    for (const m of this.messages) {
      if (!this.taken.has(m) && predicate(m)) {
        this.taken.add(m);
        return Promise.resolve(m);
      }
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching message after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The next not-yet-returned message with this command (bounded wait, default 5 s). */
  async next<C extends WireCommand>(command: C, opts: { timeoutMs?: number } = {}): Promise<MessageOf<C>> {
    try {
      return (await this.waitFor((m) => m.command === command, opts)) as MessageOf<C>;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('no matching message')) {
        throw new Error(`no '${command}' message after ${opts.timeoutMs ?? DEFAULT_WAIT_MS} ms`);
      }
      throw err;
    }
  }

  /** Waits (bounded) for the first framing / decoding error; resolves with it. */
  async waitForFailure(opts: { timeoutMs?: number } = {}): Promise<unknown> {
    if (this.failure !== null) return this.failure;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    try {
      await this.waitFor(() => false, { timeoutMs });
    } catch (err) {
      if (this.failure !== null) return this.failure;
      throw err;
    }
    throw new Error('unreachable');
  }

  /** Waits (bounded) until the socket is closed; false on timeout. */
  waitClosed(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.closeWaiters.indexOf(done);
        if (i >= 0) this.closeWaiters.splice(i, 1);
        resolve(false);
      }, opts.timeoutMs ?? DEFAULT_WAIT_MS);
      this.closeWaiters.push(done);
    });
  }

  /** Sends a message (ignored once the socket is closed). */
  send(msg: WireMessage): void {
    this.sendRaw(encodeMessage(this.magic, msg));
  }

  /** Writes bytes as they are: corrupted frames, partial frames, anything. */
  sendRaw(bytes: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  /**
   * Client side of the handshake: send `version`, wait for the peer's `version` and `verack`, send `verack`.
   * Returns the peer's version.
   */
  async handshake(opts: VersionOptions & { timeoutMs?: number } = {}): Promise<VersionMessage> {
    this.send(versionMessage({ remotePort: this.socket.remotePort ?? 0, ...opts }));
    const theirs = await this.next('version', opts);
    await this.next('verack', opts);
    this.send({ command: 'verack' });
    return theirs as VersionMessage;
  }

  /** Sends `getheaders` and waits (bounded) for the next `headers` message. */
  async getHeaders(
    locator: readonly Uint8Array[],
    opts: { stopHash?: Uint8Array; timeoutMs?: number } = {},
  ): Promise<MessageOf<'headers'>> {
    this.send({
      command: 'getheaders',
      version: DEFAULT_PROTOCOL_VERSION,
      locator,
      stopHash: opts.stopHash ?? new Uint8Array(32),
    });
    return this.next('headers', opts);
  }

  /** Ends the connection immediately. */
  close(): void {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A header chain served like a node serves its best chain.

/**
 * Headers `headers[0..n)` (n * 80 bytes) on top of a base block (default: the regtest genesis), answering
 * `getheaders` as Core does: start after the first locator hash found in the chain (the base if none is found),
 * return up to 2000 headers, stopping early at the stop hash.
 */
export class HeaderChain {
  readonly headers: Uint8Array;
  readonly baseHash: Uint8Array;
  private readonly index = new Map<string, number>();

  constructor(headers: Uint8Array, baseHash: Uint8Array = headerHash(REGTEST.genesisHeader)) {
    if (headers.length % HEADER_SIZE !== 0) throw new RangeError('headers must be a multiple of 80 bytes');
    this.headers = headers;
    this.baseHash = baseHash;
    this.index.set(toHex(baseHash), -1);
    for (let i = 0; i < this.length; i++) this.index.set(toHex(this.hashAt(i)), i);
  }

  get length(): number {
    return this.headers.length / HEADER_SIZE;
  }

  header(i: number): Uint8Array {
    return this.headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
  }

  hashAt(i: number): Uint8Array {
    return headerHash(this.header(i));
  }

  get tipHash(): Uint8Array {
    return this.length === 0 ? this.baseHash : this.hashAt(this.length - 1);
  }

  /** Index of the first header to send for this locator. */
  startFor(locator: readonly Uint8Array[]): number {
    for (const h of locator) {
      const i = this.index.get(toHex(h));
      if (i !== undefined) return i + 1;
    }
    return 0;
  }

  /** The answer to getheaders(locator, stop): up to `max` headers as n * 80 bytes (empty at the tip). */
  answer(
    locator: readonly Uint8Array[],
    stopHash: Uint8Array = new Uint8Array(32),
    max = MAX_HEADERS_RESULTS,
  ): Uint8Array {
    const start = this.startFor(locator);
    let end = Math.min(this.length, start + max);
    const stop = this.index.get(toHex(stopHash));
    if (stop !== undefined && stop >= start && stop < end) end = stop + 1;
    return this.headers.slice(start * HEADER_SIZE, end * HEADER_SIZE);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Corrupted and abusive frames

/** A frame with any command and payload, and optionally a forged length field or checksum. */
export function rawFrame(
  magic: Uint8Array,
  command: string,
  payload: Uint8Array,
  opts: { length?: number; checksum?: Uint8Array } = {},
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  out.set(magic.subarray(0, 4), 0);
  for (let i = 0; i < command.length && i < 12; i++) out[4 + i] = command.charCodeAt(i);
  new DataView(out.buffer).setUint32(16, opts.length ?? payload.length, true);
  out.set(opts.checksum ?? frameChecksum(payload), 20);
  out.set(payload, FRAME_HEADER_SIZE);
  return out;
}

/** `msg` framed with its checksum's first byte flipped: the receiver's FrameDecoder fails PEER_BAD_CHECKSUM. */
export function badChecksumFrame(msg: WireMessage, magic: Uint8Array = REGTEST.magic): Uint8Array {
  const frame = encodeMessage(magic, msg);
  frame[20] = frame[20]! ^ 0xff;
  return frame;
}

/** `msg` framed for another network (default: mainnet magic f9beb4d9): PEER_BAD_MAGIC. */
export function wrongMagicFrame(msg: WireMessage, magic: Uint8Array = MAINNET_MAGIC): Uint8Array {
  return encodeMessage(magic, msg);
}

/**
 * Just the 24-byte header of a `command` frame declaring `length` payload bytes (default one over the command's
 * limit): PEER_OVERSIZED, reported before any payload arrives.
 */
export function oversizedFrameHeader(
  command = 'headers',
  magic: Uint8Array = REGTEST.magic,
  length = maxPayloadLength(command) + 1,
): Uint8Array {
  return rawFrame(magic, command, new Uint8Array(0), { length, checksum: new Uint8Array(4) });
}

/** A `headers` payload of any number of raw 80-byte headers (no 2000 cap): each entry is header + tx count 0. */
export function headersPayload(headers: Uint8Array): Uint8Array {
  const count = headers.length / HEADER_SIZE;
  const w = new ByteWriter(5 + count * 81);
  w.varint(count);
  for (let i = 0; i < count; i++) w.bytes(headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE)).u8(0);
  return w.finish();
}

/**
 * `count` headers with valid proof of work under `params` (default regtest) that link to each other but whose first
 * parent is a random, unknown block: they never connect to anyone's chain.
 */
export function unconnectedHeaders(count: number, params: ChainParams = REGTEST): Uint8Array {
  const base = serializeHeader({
    version: 0x20000000,
    prevHash: randomBytes(32),
    merkleRoot: randomBytes(32),
    time: Math.floor(Date.now() / 1000) - 3600,
    bits: params.powLimitBits,
    nonce: 0,
  });
  return new ChainBuilder(params, { header: base, height: 100_000 }).extend(count).raw;
}

/**
 * A `headers` frame with `count` (default 2001, one over MAX_HEADERS_RESULTS) linked regtest headers. Its size passes
 * the frame decoder's limit, so the receiver's decodeMessage reports PEER_TOO_MANY_ITEMS.
 */
export function tooManyHeadersFrame(count = MAX_HEADERS_RESULTS + 1, magic: Uint8Array = REGTEST.magic): Uint8Array {
  return rawFrame(magic, 'headers', headersPayload(unconnectedHeaders(count)));
}

/** `messages` `headers` frames of `perMessage` headers each, every batch on its own unknown parent. */
export function unconnectedHeadersFlood(
  messages: number,
  perMessage = 1,
  magic: Uint8Array = REGTEST.magic,
): Uint8Array[] {
  if (messages > 10_000 || perMessage > MAX_HEADERS_RESULTS) throw new RangeError('flood too large for a test');
  const frames: Uint8Array[] = [];
  for (let i = 0; i < messages; i++) {
    const headers = unconnectedHeaders(perMessage);
    frames.push(encodeMessage(magic, { command: 'headers', count: perMessage, headers }));
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------------------------
// ScriptedPeer

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
