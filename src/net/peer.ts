import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors/codes.js';
import { SpvError, isSpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { PeerInfo } from '../protocol/net.js';
import { FRAME_HEADER_SIZE, FrameDecoder, decodeMessage, encodeMessage } from '../wire/index.js';
import type { Frame, WireMessage } from '../wire/index.js';
import type { VersionMessage } from '../wire/version.js';

/** Our protocol version (Core 0.21+: wtxidrelay). */
export const PROTOCOL_VERSION = 70016;
/** getheaders/headers exist since 31800; sendheaders (BIP130) since 70012. */
export const MIN_PEER_VERSION = 31800;
export const SENDHEADERS_VERSION = 70012;
/**
 * Bytes we let queue for a peer that does not read them: past this we stop reading from it until the queue drains,
 * so a peer that floods us with requests (pings) and never reads the answers cannot grow our memory (Core:
 * -maxsendbuffer, 1 MB by default, then fPauseSend stops processing that peer's messages).
 */
export const MAX_SEND_BUFFER_BYTES = 1_000_000;
/**
 * Messages of one peer handled per event-loop turn at most; the rest wait for the next turn. One peer flooding
 * small messages (pings) must not starve the other peers and the timers of the net loop: Core handles one message
 * per peer per round for the same reason.
 */
export const MAX_MESSAGES_PER_TURN = 2_048;
/** Bytes of received messages waiting for a turn beyond which we stop reading that peer until they are handled. */
export const MAX_BACKLOG_BYTES = 1_000_000;
/** Service bits that mean "serves the block chain" (full or the last 288 blocks; headers are served by both). */
export const NODE_NETWORK = 1n;
export const NODE_NETWORK_LIMITED = 1n << 10n;

export interface PeerOptions {
  readonly id: string;
  readonly address: string;
  readonly magic: Uint8Array;
  readonly userAgent: string;
  readonly trusted: boolean;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** Our best height, for the version message. */
  readonly startHeight: () => number;
  /** Nonces of our own outgoing version messages, to detect a connection to ourselves. */
  readonly ownNonces: Set<bigint>;
  readonly log: Logger;
  /** Peaks of buffered bytes over every connection, shared by the service (memory accounting). */
  readonly peaks?: BufferPeaks;
}

/** Highest receive (partial frame) and send (unsent) buffer of any one connection so far. */
export interface BufferPeaks {
  receive: number;
  send: number;
}

export type PeerState = 'handshake' | 'ready' | 'closed';

/** Why reading a peer's socket is paused: its header batches are queued, or our answers to it are. */
export type PauseReason = 'batches' | 'sendBuffer' | 'backlog';

interface PeerEvents {
  ready: [];
  message: [WireMessage];
  /** The peer did something wrong; the net service scores it (and bans at the threshold). */
  misbehaving: [ErrorCode, string];
  close: [ErrorCode | null];
}

function ipBytes(): Uint8Array {
  return new Uint8Array(16);
}

/**
 * One outbound peer over an already connected socket: version/verack handshake (with our height and
 * relay=false), ping/pong with latency, and message framing with the codec's limits. Any codec error ends
 * the connection with that error's code; protocol misuse is reported for scoring.
 */
export class Peer extends EventEmitter<PeerEvents> {
  state: PeerState = 'handshake';
  version: VersionMessage | null = null;
  bestHeight = 0;
  latencyMs: number | null = null;
  banScore = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly connectedAt = Date.now();
  /** Peer announced it wants header announcements (BIP130 sendheaders). */
  wantsHeaders = false;
  private gotVerack = false;
  private decoder: FrameDecoder;
  private handshakeTimer: NodeJS.Timeout | null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pingNonce: bigint | null = null;
  private pingSentAt = 0;
  private closeCode: ErrorCode | null = null;
  private ownNonce: bigint | null = null;
  private readonly paused = new Set<PauseReason>();
  /**
   * Frames received but not yet handled: reading was paused midway through a chunk (one 64 KiB chunk can hold
   * thousands of small frames, so pausing the socket alone would still let a chunk's worth of work through), or
   * the peer used up its turn. Bounded: past MAX_BACKLOG_BYTES the socket is paused, so at most that plus the
   * frames of one more chunk wait here.
   */
  private backlog: Frame[] = [];
  private backlogAt = 0;
  private backlogBytes = 0;
  private dispatching = false;
  private turnScheduled = false;

  constructor(
    private readonly socket: Socket,
    readonly opts: PeerOptions,
  ) {
    super();
    this.decoder = new FrameDecoder(opts.magic);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      opts.log.debug({ err, peer: opts.address }, 'peer socket error');
      this.close('PEER_CLOSED');
    });
    socket.on('close', () => this.close(this.closeCode ?? 'PEER_CLOSED'));
    socket.on('drain', () => this.setReadPaused('sendBuffer', false));
    this.handshakeTimer = setTimeout(() => this.close('PEER_HANDSHAKE_TIMEOUT'), opts.handshakeTimeoutMs);
    this.sendVersion();
  }

  get id(): string {
    return this.opts.id;
  }

  /** Bytes of a frame still arriving (bounded by the command's payload limit). */
  get receiveBufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /** Bytes written and not yet taken by the kernel. */
  get sendBufferedBytes(): number {
    return this.socket.writableLength;
  }

  get services(): bigint {
    return this.version?.services ?? 0n;
  }

  info(syncPeer: boolean): PeerInfo {
    return {
      id: this.opts.id,
      address: this.opts.address,
      state: this.state === 'ready' ? 'ready' : 'handshake',
      inbound: false,
      trusted: this.opts.trusted,
      syncPeer,
      version: this.version?.version ?? 0,
      userAgent: this.version?.userAgent ?? '',
      services: (this.version?.services ?? 0n).toString(16),
      startHeight: this.version?.startHeight ?? 0,
      bestHeight: this.bestHeight,
      latencyMs: this.latencyMs,
      banScore: this.banScore,
      connectedAt: this.connectedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }

  /** Stops (or resumes, once no reason is left) reading the socket: TCP then pushes back on the peer. */
  setReadPaused(reason: PauseReason, paused: boolean): void {
    if (this.state === 'closed') return;
    const before = this.paused.size;
    if (paused) this.paused.add(reason);
    else this.paused.delete(reason);
    if (before === 0 && this.paused.size > 0) {
      this.socket.pause();
    } else if (before > 0 && this.paused.size === 0) {
      this.socket.resume();
      this.dispatch();
    }
  }

  get readPaused(): boolean {
    return this.paused.size > 0;
  }

  send(msg: WireMessage): void {
    if (this.state === 'closed') return;
    const frame = encodeMessage(this.opts.magic, msg);
    this.bytesOut += frame.length;
    this.socket.write(frame);
    const peaks = this.opts.peaks;
    if (peaks !== undefined && this.socket.writableLength > peaks.send) peaks.send = this.socket.writableLength;
  }

  private sendVersion(): void {
    const nonce = randomBytes(8).readBigUInt64LE(0);
    // Kept while this connection lives (removed in close), so the set never outgrows the open connections.
    this.ownNonce = nonce;
    this.opts.ownNonces.add(nonce);
    this.send({
      command: 'version',
      version: PROTOCOL_VERSION,
      services: 0n, // we serve nothing
      time: BigInt(Math.floor(Date.now() / 1000)),
      addrRecv: { services: 0n, ip: ipBytes(), port: 0 },
      addrFrom: { services: 0n, ip: ipBytes(), port: 0 },
      nonce,
      userAgent: this.opts.userAgent,
      startHeight: this.opts.startHeight(),
      relay: false, // headers only: do not send us transactions (BIP37 fRelay)
    });
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.bytesIn += chunk.length;
    let frames;
    try {
      frames = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      this.fail(err);
      return;
    }
    const peaks = this.opts.peaks;
    if (peaks !== undefined && this.decoder.bufferedBytes > peaks.receive) peaks.receive = this.decoder.bufferedBytes;
    if (frames.length === 0) return;
    if (this.backlogAt < this.backlog.length) this.backlog.push(...frames);
    else {
      this.backlog = frames;
      this.backlogAt = 0;
    }
    for (const f of frames) this.backlogBytes += FRAME_HEADER_SIZE + f.payload.length;
    this.dispatch();
  }

  /** Handles waiting frames in order until none is left, reading is paused, or the connection ends. */
  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    // Answers to this run of messages (pongs) go out in one write, not one system call each.
    this.socket.cork();
    let handled = 0;
    try {
      while (this.backlogAt < this.backlog.length && this.paused.size === 0 && this.state !== 'closed') {
        if (handled++ === MAX_MESSAGES_PER_TURN) {
          // Let the other peers and the timers run; the rest is handled next turn.
          if (!this.turnScheduled) {
            this.turnScheduled = true;
            setImmediate(() => {
              this.turnScheduled = false;
              this.dispatch();
            });
          }
          break;
        }
        const frame = this.backlog[this.backlogAt++]!;
        this.backlogBytes -= FRAME_HEADER_SIZE + frame.payload.length;
        let msg: WireMessage;
        try {
          msg = decodeMessage(frame);
        } catch (err) {
          this.fail(err);
          return;
        }
        this.onMessage(msg);
        // Our answers are queued beyond the limit: handle and read nothing more until the peer takes them.
        if (this.socket.writableLength > MAX_SEND_BUFFER_BYTES) this.setReadPaused('sendBuffer', true);
      }
      if (this.backlogAt >= this.backlog.length) {
        this.backlog = [];
        this.backlogAt = 0;
        this.backlogBytes = 0;
      }
    } finally {
      this.dispatching = false;
      this.socket.uncork();
    }
    // A peer that sends faster than its turns allow is read no further until its backlog is handled.
    if (this.state !== 'closed') this.setReadPaused('backlog', this.backlogBytes > MAX_BACKLOG_BYTES);
  }

  private fail(err: unknown): void {
    const code: ErrorCode = isSpvError(err) ? err.code : 'PEER_MALFORMED';
    const message = err instanceof Error ? err.message : String(err);
    this.emit('misbehaving', code, message);
    this.close(code);
  }

  /** Report misuse without closing (the service decides at the ban threshold). */
  misbehave(code: ErrorCode, message: string): void {
    this.emit('misbehaving', code, message);
  }

  private onMessage(msg: WireMessage): void {
    if (this.state === 'handshake') {
      this.onHandshakeMessage(msg);
      return;
    }
    switch (msg.command) {
      case 'ping':
        this.send({ command: 'pong', nonce: msg.nonce });
        return;
      case 'pong':
        if (this.pingNonce !== null && msg.nonce === this.pingNonce) {
          this.latencyMs = Date.now() - this.pingSentAt;
          this.pingNonce = null;
        }
        return;
      case 'sendheaders':
        this.wantsHeaders = true;
        return;
      case 'version':
      case 'verack':
        this.fail(new SpvError('PEER_PROTOCOL', `duplicate ${msg.command}`, {}));
        return;
      default:
        this.emit('message', msg);
    }
  }

  private onHandshakeMessage(msg: WireMessage): void {
    switch (msg.command) {
      case 'version': {
        if (this.version !== null) {
          this.fail(new SpvError('PEER_PROTOCOL', 'duplicate version', {}));
          return;
        }
        if (this.opts.ownNonces.has(msg.nonce)) {
          this.close('PEER_SELF_CONNECTION');
          return;
        }
        if (msg.version < MIN_PEER_VERSION) {
          this.close('PEER_OBSOLETE');
          return;
        }
        // Headers come from any full node, pruned ones included; no bloom requirement (Core dropped it in 0.19).
        if ((msg.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0n) {
          this.close('PEER_NO_SERVICES');
          return;
        }
        this.version = msg;
        this.bestHeight = Math.max(0, msg.startHeight);
        // BIP339 and BIP155 say these go between version and verack; we accept theirs and send neither
        // (we relay no transactions by wtxid and take addr and addrv2 alike).
        this.send({ command: 'verack' });
        this.maybeReady();
        return;
      }
      case 'verack':
        if (this.version === null) {
          this.fail(new SpvError('PEER_PROTOCOL', 'verack before version', {}));
          return;
        }
        this.gotVerack = true;
        this.maybeReady();
        return;
      case 'wtxidrelay':
      case 'sendaddrv2':
        return;
      default:
        // Some nodes send e.g. sendcmpct or feefilter early; anything else before the handshake is ignored.
        return;
    }
  }

  private maybeReady(): void {
    if (this.version === null || !this.gotVerack) return;
    this.state = 'ready';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    // BIP130: ask for new blocks to be announced as headers.
    if (this.version.version >= SENDHEADERS_VERSION) this.send({ command: 'sendheaders' });
    this.send({ command: 'getaddr' });
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
    this.pingTimer.unref();
    this.ping();
    this.emit('ready');
  }

  private ping(): void {
    if (this.state !== 'ready') return;
    if (this.pingNonce !== null && Date.now() - this.pingSentAt > this.opts.pingIntervalMs * 2) {
      // No pong for two intervals: the connection is dead even if TCP has not noticed.
      this.close('PEER_STALLED');
      return;
    }
    if (this.pingNonce !== null) return;
    this.pingNonce = randomBytes(8).readBigUInt64LE(0);
    this.pingSentAt = Date.now();
    this.send({ command: 'ping', nonce: this.pingNonce });
  }

  /** Ends the connection (idempotent); `code` says why. */
  close(code: ErrorCode | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeCode = code;
    if (this.ownNonce !== null) this.opts.ownNonces.delete(this.ownNonce);
    this.backlog = [];
    this.backlogAt = 0;
    this.backlogBytes = 0;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.socket.destroy();
    this.emit('close', code);
  }
}
