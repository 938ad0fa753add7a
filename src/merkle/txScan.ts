import { createHash } from 'node:crypto';
import { SpvError } from '../errors/spvError.js';

/**
 * What a proof needs of a transaction: that it is one (its structure reads exactly to the end), the size of its
 * non-witness serialization (CVE-2017-12842 check) and its txid. A walk over the bytes, no objects: parsing with
 * bitcoinjs-lib cost about a fifth of a proof verification (scripts/bench-proof.ts).
 *
 * Serialization (Core's `SerializeTransaction`, BIP144): version i32 ‖ [marker 0x00 ‖ flag 0x01] ‖ inputs ‖ outputs
 * ‖ [one witness stack per input] ‖ locktime u32. Like Core's reader, CompactSizes must be canonical and the
 * extended form needs a witness that is not all empty ("superfluous witness record"); a transaction needs inputs
 * and outputs (CheckTransaction).
 */
export interface ScannedTx {
  /** Internal byte order. */
  readonly txid: Uint8Array;
  /** Non-witness serialization size. */
  readonly strippedSize: number;
}

/** Bitcoin's MAX_SIZE bounds every CompactSize-prefixed length; counts are bounded by the bytes left anyway. */
const MAX_SIZE = 0x02000000;

function invalid(reason: string): SpvError {
  return new SpvError('TX_INVALID', 'not a valid Bitcoin transaction', { reason });
}

/** A bounds-checked reader over a serialization; every overrun is TX_INVALID. */
export class Cursor {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  skip(n: number): void {
    if (n > this.b.length - this.pos) throw invalid('truncated');
    this.pos += n;
  }

  /** A canonical CompactSize no larger than MAX_SIZE. */
  compactSize(): number {
    const b = this.b;
    if (this.pos >= b.length) throw invalid('truncated');
    const first = b[this.pos++]!;
    if (first < 0xfd) return first;
    let v: number;
    let min: number;
    if (first === 0xfd) {
      this.skip(2);
      v = b[this.pos - 2]! | (b[this.pos - 1]! << 8);
      min = 0xfd;
    } else if (first === 0xfe) {
      this.skip(4);
      v = (b[this.pos - 4]! | (b[this.pos - 3]! << 8) | (b[this.pos - 2]! << 16) | (b[this.pos - 1]! << 24)) >>> 0;
      min = 0x10000;
    } else {
      throw invalid('CompactSize above MAX_SIZE');
    }
    if (v < min) throw invalid('non-canonical CompactSize');
    if (v > MAX_SIZE) throw invalid('CompactSize above MAX_SIZE');
    return v;
  }

  /** A length-prefixed field, skipped. */
  varBytes(): void {
    this.skip(this.compactSize());
  }
}

/** Skips `n` inputs: outpoint 36 ‖ scriptSig ‖ sequence 4. */
export function skipInputs(c: Cursor, n: number): void {
  for (let i = 0; i < n; i++) {
    c.skip(36);
    c.varBytes();
    c.skip(4);
  }
}

/** Skips `n` outputs: value 8 ‖ scriptPubKey. */
export function skipOutputs(c: Cursor, n: number): void {
  for (let i = 0; i < n; i++) {
    c.skip(8);
    c.varBytes();
  }
}

/** Skips one witness stack per input (BIP144); returns how many items they hold in all. */
export function skipWitnesses(c: Cursor, inputs: number): number {
  let items = 0;
  for (let i = 0; i < inputs; i++) {
    const n = c.compactSize();
    items += n;
    for (let k = 0; k < n; k++) c.varBytes();
  }
  return items;
}

/** Reads `raw` as a transaction; TX_INVALID unless it is exactly one. */
export function scanTx(raw: Uint8Array): ScannedTx {
  const c = new Cursor(raw);
  c.skip(4); // version
  // An input count of 0 is the BIP144 marker: the flag must be 1 (Core: "Unknown transaction optional data"). A
  // transaction without inputs or outputs cannot be in a block (CheckTransaction), so it is not one we can prove.
  const extended = raw.length > 5 && raw[4] === 0x00;
  if (extended) {
    if (raw[5] !== 0x01) throw invalid('unknown transaction optional data');
    c.skip(2);
  }
  const bodyStart = c.pos;
  const inputs = c.compactSize();
  if (inputs === 0) throw invalid('no inputs');
  skipInputs(c, inputs);
  const outputs = c.compactSize();
  if (outputs === 0) throw invalid('no outputs');
  skipOutputs(c, outputs);
  const bodyEnd = c.pos;
  if (extended && skipWitnesses(c, inputs) === 0) throw invalid('superfluous witness record');
  c.skip(4); // locktime
  if (c.pos !== raw.length) throw invalid('unexpected data after the transaction');

  const strippedSize = extended ? 4 + (bodyEnd - bodyStart) + 4 : raw.length;
  const first = createHash('sha256');
  if (extended) {
    first.update(raw.subarray(0, 4));
    first.update(raw.subarray(bodyStart, bodyEnd));
    first.update(raw.subarray(raw.length - 4));
  } else {
    first.update(raw);
  }
  const txid = new Uint8Array(createHash('sha256').update(first.digest()).digest());
  return { txid, strippedSize };
}
