import { SpvError } from '../errors/spvError.js';
import { ByteReader } from '../util/byteReader.js';

/**
 * ByteReader for peer payloads, with the wire codec's finer error codes: a read past the end is PEER_TRUNCATED, a
 * count over its limit is PEER_TOO_MANY_ITEMS; everything else ByteReader rejects (non-canonical CompactSize,
 * over-long var bytes, trailing bytes) stays PEER_MALFORMED. The bounds checks run before delegating, so the base
 * reader's own checks never fire for these cases.
 */
export class WireReader extends ByteReader {
  constructor(bytes: Uint8Array) {
    super(bytes, 'PEER_MALFORMED');
  }

  private require(n: number, what: string): void {
    if (n > this.remaining) {
      throw new SpvError('PEER_TRUNCATED', `truncated ${what}`, {
        offset: this.offset,
        need: n,
        remaining: this.remaining,
      });
    }
  }

  override u8(): number {
    this.require(1, 'u8');
    return super.u8();
  }

  override u16le(): number {
    this.require(2, 'u16');
    return super.u16le();
  }

  override u16be(): number {
    this.require(2, 'u16');
    return super.u16be();
  }

  override u32le(): number {
    this.require(4, 'u32');
    return super.u32le();
  }

  override i32le(): number {
    this.require(4, 'i32');
    return super.i32le();
  }

  override u64le(): bigint {
    this.require(8, 'u64');
    return super.u64le();
  }

  override i64le(): bigint {
    this.require(8, 'i64');
    return super.i64le();
  }

  override bytesView(n: number, what = 'bytes'): Uint8Array {
    this.require(n, what);
    return super.bytesView(n, what);
  }

  /** Checked against `max` first, then against what is left, before the caller allocates anything. */
  override count(max: number, minItemSize: number, what: string): number {
    const n = this.varint();
    if (n > max) throw new SpvError('PEER_TOO_MANY_ITEMS', `too many ${what}`, { offset: this.offset, count: n, max });
    if (n * minItemSize > this.remaining) {
      throw new SpvError('PEER_TRUNCATED', `truncated ${what}`, {
        offset: this.offset,
        count: n,
        need: n * minItemSize,
        remaining: this.remaining,
      });
    }
    return n;
  }

  /**
   * A CompactSize over the full u64 range (BIP155 addrv2 services). ByteReader.varint caps at u32 because it reads
   * counts and lengths; service bits are flags and may legitimately use bits 32..63.
   */
  compactSize64(): bigint {
    const first = this.u8();
    if (first !== 0xff) {
      this.offset -= 1;
      return BigInt(this.varint());
    }
    const v = this.u64le();
    if (v <= 0xffffffffn) this.fail('non-canonical compact size');
    return v;
  }

  /** One byte read as Core reads a bool: any non-zero value is true. */
  bool(): boolean {
    return this.u8() !== 0;
  }
}
