import { SpvError } from '../errors/spvError.js';
import type { ErrorCode } from '../errors/codes.js';

/**
 * Bounds-checked little-endian reader. Every read checks the remaining length first, so a hostile
 * length prefix can never make us allocate or read past the end: it becomes a typed error.
 */
export class ByteReader {
  private readonly view: DataView;
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly code: ErrorCode = 'PEER_MALFORMED',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  fail(message: string, details: Record<string, unknown> = {}): never {
    throw new SpvError(this.code, message, { offset: this.offset, ...details });
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`truncated ${what}`, { need: n, remaining: this.remaining });
  }

  u8(): number {
    this.need(1, 'u8');
    return this.view.getUint8(this.offset++);
  }

  u16le(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u16be(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }

  u32le(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32le(): number {
    this.need(4, 'i32');
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64le(): bigint {
    this.need(8, 'u64');
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  i64le(): bigint {
    this.need(8, 'i64');
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A copy of the next n bytes. */
  bytesCopy(n: number, what = 'bytes'): Uint8Array {
    return new Uint8Array(this.bytesView(n, what));
  }

  /** Bitcoin CompactSize; non-canonical (over-long) encodings are rejected as Core does. */
  varint(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const v = this.u16le();
      if (v < 0xfd) this.fail('non-canonical compact size');
      return v;
    }
    if (first === 0xfe) {
      const v = this.u32le();
      if (v <= 0xffff) this.fail('non-canonical compact size');
      return v;
    }
    const v = this.u64le();
    if (v <= 0xffffffffn) this.fail('non-canonical compact size');
    // Core: MAX_SIZE = 0x02000000; anything larger is never a valid count or length.
    this.fail('compact size too large', { value: v.toString() });
  }

  /** A CompactSize count that must not exceed `max` and must fit in what is left at `minItemSize` each. */
  count(max: number, minItemSize: number, what: string): number {
    const n = this.varint();
    if (n > max) this.fail(`too many ${what}`, { count: n, max });
    if (n * minItemSize > this.remaining) this.fail(`truncated ${what}`, { count: n, remaining: this.remaining });
    return n;
  }

  varBytes(max: number, what = 'var bytes'): Uint8Array {
    const n = this.varint();
    if (n > max) this.fail(`${what} too long`, { length: n, max });
    return this.bytesCopy(n, what);
  }

  varString(max: number, what = 'string'): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.varBytes(max, what));
  }

  /** Fails unless every byte was consumed (trailing garbage is malformed). */
  end(): void {
    if (this.remaining !== 0) this.fail('trailing bytes', { remaining: this.remaining });
  }
}
