import { invariant, InvariantError, SpvError } from '../errors/spvError.js';
import type { Frame, FrameHeader } from './frame.js';
import { FRAME_HEADER_SIZE, MAGIC_SIZE, parseFrameHeader, verifyChecksum } from './frame.js';

/**
 * First allocation for a payload. Like Core's V1Transport (which grows vRecv 256 KiB at a time), we do not allocate
 * the whole declared length on the strength of a 24-byte header: a peer would otherwise pin up to 4 MB per
 * connection for free. The buffer doubles as bytes arrive, capped at the declared length, so each byte is copied
 * O(1) times amortised.
 */
const INITIAL_PAYLOAD_CAPACITY = 64 * 1024;

const EMPTY = new Uint8Array(0);

/**
 * Streaming frame decoder for one connection: push socket chunks, get complete frames back.
 *
 * - Each byte is copied into the 24-byte header buffer or into the payload buffer (plus amortised O(1) re-copies
 *   while that buffer grows); chunks are never re-concatenated.
 * - The declared length is checked against the command's limit as soon as the 24 header bytes are in, before any
 *   payload byte is buffered.
 * - Errors are SpvError (PEER_BAD_MAGIC, PEER_BAD_COMMAND, PEER_OVERSIZED, PEER_BAD_CHECKSUM). After the first
 *   error the decoder is permanently failed: the stream position is lost, so the connection must be dropped. Every
 *   later `push` rethrows the same error, and frames completed earlier in the failing chunk are discarded.
 * - Payloads are fresh, exactly sized Uint8Arrays the caller owns (safe to transfer to another thread). The chunks
 *   passed to `push` are not retained.
 */
export class FrameDecoder {
  private readonly magic: Uint8Array;
  private readonly header = new Uint8Array(FRAME_HEADER_SIZE);
  private headerFill = 0;
  private pending: FrameHeader | null = null;
  private payload: Uint8Array = EMPTY;
  private payloadFill = 0;
  private failure: SpvError | null = null;

  constructor(magic: Uint8Array) {
    invariant(magic.length === MAGIC_SIZE, 'magic must be 4 bytes', { length: magic.length });
    this.magic = new Uint8Array(magic);
  }

  /** True once a push has failed; the decoder then only rethrows that error. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The error that failed the decoder, if any. */
  get error(): SpvError | null {
    return this.failure;
  }

  /** Bytes held for the frame in progress (for memory accounting). */
  get bufferedBytes(): number {
    return this.headerFill + this.payloadFill;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.failure !== null) throw this.failure;
    try {
      return this.consume(chunk);
    } catch (err) {
      this.failure =
        err instanceof SpvError ? err : new InvariantError('frame decoder failed', { cause: String(err) });
      this.pending = null;
      this.payload = EMPTY;
      this.headerFill = 0;
      this.payloadFill = 0;
      throw this.failure;
    }
  }

  private consume(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      if (this.pending === null) {
        const n = Math.min(FRAME_HEADER_SIZE - this.headerFill, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + n), this.headerFill);
        this.headerFill += n;
        offset += n;
        if (this.headerFill < FRAME_HEADER_SIZE) return frames;
        this.headerFill = 0;
        this.pending = parseFrameHeader(this.magic, this.header);
        // A fresh buffer even when empty: the caller owns it and may transfer it.
        this.payload = new Uint8Array(Math.min(this.pending.length, INITIAL_PAYLOAD_CAPACITY));
        this.payloadFill = 0;
      }
      const pending = this.pending;
      const n = Math.min(pending.length - this.payloadFill, chunk.length - offset);
      if (n > 0) {
        this.reserve(this.payloadFill + n, pending.length);
        this.payload.set(chunk.subarray(offset, offset + n), this.payloadFill);
        this.payloadFill += n;
        offset += n;
      }
      if (this.payloadFill < pending.length) return frames;
      // reserve() never grows past the declared length, so a complete payload fills its buffer exactly.
      const payload = this.payload;
      this.pending = null;
      this.payload = EMPTY;
      this.payloadFill = 0;
      verifyChecksum(pending, payload);
      frames.push({ command: pending.command, payload });
    }
  }

  private reserve(needed: number, limit: number): void {
    if (needed <= this.payload.length) return;
    const next = new Uint8Array(Math.min(limit, Math.max(needed, this.payload.length * 2)));
    next.set(this.payload.subarray(0, this.payloadFill));
    this.payload = next;
  }
}
