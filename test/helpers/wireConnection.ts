/**
 * WireConnection: one framed Bitcoin P2P connection over a socket (our own wire codec), usable as a client (e.g.
 * against bcoin) and used by ScriptedPeer for each accepted socket; plus the `version` message tests send. Every
 * wait is bounded, and so are the messages it keeps.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { REGTEST } from '../../src/chain/params.js';
import type { Frame, MessageOf, VersionMessage, WireCommand, WireMessage } from '../../src/wire/index.js';
import { FrameDecoder, decodeMessage, encodeMessage } from '../../src/wire/index.js';

const DEFAULT_WAIT_MS = 5000;
const DEFAULT_MAX_STORED = 10_000;

/** Core's current protocol version (70016: wtxidrelay). */
export const DEFAULT_PROTOCOL_VERSION = 70016;
/** NODE_NETWORK | NODE_WITNESS. */
export const DEFAULT_SERVICES = 1n | 8n;
export const DEFAULT_USER_AGENT = '/spv-scripted-peer:0.1/';

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
