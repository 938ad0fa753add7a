import assert from 'node:assert/strict';
import { Block, Transaction } from 'bitcoinjs-lib';
import { sha256d } from '../../../src/chain/hash.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import { fromHex } from '../../../src/util/bytes.js';
import { readFixture } from '../../helpers/fixtures.js';

export const MERKLE_DIR = 'mainnet/merkle';
export const BLOCKS_DIR = 'mainnet/blocks';

export const FXM = {
  block300025: `${BLOCKS_DIR}/mainnet-block-300025.bin`,
  block482683: `${BLOCKS_DIR}/mainnet-block-482683.bin`,
  block830000: `${BLOCKS_DIR}/mainnet-block-830000.bin`,
  block831332: `${BLOCKS_DIR}/mainnet-block-831332.bin`,
  blocks0to438: `${BLOCKS_DIR}/mainnet-blocks-0-438.dat`,
  merkleblock300025: `${MERKLE_DIR}/merkleblock-300025.bin`,
  bloomVectors: `${MERKLE_DIR}/core-bloom-merkleblock-vectors.json`,
  proof830000: (n: number) => `${MERKLE_DIR}/txoutproof-0830000-${n}.bin`,
  proof831332: (name: string) => `${MERKLE_DIR}/txoutproof-0831332-${name}.bin`,
} as const;

/** For assert.throws: the error is an SpvError with this code. */
export function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(isSpvError(err), `expected SpvError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  };
}

export interface ParsedBlock {
  readonly raw: Uint8Array;
  readonly header: Uint8Array;
  readonly block: Block;
  readonly txs: Transaction[];
  /** txids, internal order (sha256d of the non-witness serialization). */
  readonly txids: Uint8Array[];
}

export function parseBlock(raw: Uint8Array): ParsedBlock {
  const block = Block.fromBuffer(raw);
  const txs = block.transactions ?? [];
  return { raw, header: raw.slice(0, 80), block, txs, txids: txs.map((t) => t.getHash(false)) };
}

const blockCache = new Map<string, ParsedBlock>();

export function fixtureBlock(rel: string): ParsedBlock {
  let b = blockCache.get(rel);
  if (b === undefined) {
    b = parseBlock(readFixture(rel));
    blockCache.set(rel, b);
  }
  return b;
}

/** Core blk*.dat framing: magic f9beb4d9, u32 LE length, block; repeated. */
export function splitBlkDat(raw: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let off = 0;
  while (off < raw.length) {
    assert.ok(off + 8 <= raw.length, 'truncated blk frame header');
    assert.equal(view.getUint32(off, false), 0xf9beb4d9, `bad magic at ${off}`);
    const len = view.getUint32(off + 4, true);
    assert.ok(off + 8 + len <= raw.length, 'truncated blk frame');
    out.push(raw.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  return out;
}

/** A deterministic fake txid. */
export function fakeTxid(n: number, salt = 0): Uint8Array {
  return sha256d(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, salt & 0xff));
}

/** An 80-byte header whose merkle root field is `root` (other fields arbitrary but fixed). */
export function headerWithRoot(root: Uint8Array): Uint8Array {
  const h = new Uint8Array(80);
  h[0] = 0x02;
  h.set(root, 36);
  h.set([0x29, 0xab, 0x5f, 0x49], 68);
  h.set([0xff, 0xff, 0x00, 0x1d], 72);
  return h;
}

/**
 * A valid 64-byte transaction serialization (1 input, 1 output with a 4-byte script): the shape that makes
 * CVE-2017-12842 possible. version 1 ‖ 1 input (32-byte prevout hash, index, empty scriptSig, sequence) ‖
 * 1 output (8-byte value, 4-byte script) ‖ locktime.
 */
export function tx64(): Uint8Array {
  const tx = new Transaction();
  tx.version = 1;
  tx.addInput(fromHex('11'.repeat(32)), 7, 0xffffffff);
  tx.addOutput(fromHex('51525354'), 1234n);
  tx.locktime = 0;
  const raw = tx.toBuffer();
  assert.equal(raw.length, 64);
  return raw;
}

export function withByte(raw: Uint8Array, at: number, value: number): Uint8Array {
  const out = new Uint8Array(raw);
  out[at] = value;
  return out;
}
