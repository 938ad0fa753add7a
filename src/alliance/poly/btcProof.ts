/**
 * BtcProof as carried in `notifyBtcProof` events.
 * - E1: polynetwork/poly @ 0496c964 : native/service/cross_chain_manager/btc/states.go (`BtcProof.Serialization`):
 *   var-bytes Tx ‖ var-bytes Proof (BIP37 merkleblock) ‖ u32 LE Height ‖ u64 LE BlocksToWait.
 * - E0: polynetwork/poly @ d10a17b5 (smartcontract/service/native/…/btc): same two var-bytes, then
 *   var-bytes(NeoBigInt Height) ‖ var-bytes(NeoBigInt BlocksToWait); NeoBigInt = minimal LE two's complement, 0 = empty.
 * Truncation / bad lengths → BTCPROOF_MALFORMED; bytes after the last field → BTCPROOF_TRAILING_BYTES.
 */
import { SpvError } from '../../errors/spvError.js';
import { ByteReader } from '../../util/byteReader.js';
import { ByteWriter } from '../../util/byteWriter.js';

export type BtcProofEncoding = 'E1' | 'E0';

export interface BtcProof {
  /** Raw BTC transaction. */
  readonly tx: Uint8Array;
  /** Raw BIP37 merkleblock (parse with parseMerkleProof). */
  readonly proof: Uint8Array;
  readonly height: number;
  readonly blocksToWait: bigint;
}

/** Bitcoin's MAX_SIZE (a tx or merkleblock cannot exceed this). */
const MAX_FIELD = 0x02000000;

/** NeoBigInt → bigint (minimal LE two's complement; empty = 0). Non-minimal encodings are rejected. */
export function decodeNeoBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  const last = b[b.length - 1]!;
  if (b.length > 1) {
    const prev = b[b.length - 2]!;
    if ((last === 0x00 && (prev & 0x80) === 0) || (last === 0xff && (prev & 0x80) !== 0)) {
      throw new SpvError('BTCPROOF_MALFORMED', 'non-minimal NeoBigInt');
    }
  } else if (last === 0x00) {
    throw new SpvError('BTCPROOF_MALFORMED', 'non-minimal NeoBigInt (zero must be empty)');
  }
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if ((last & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  return v;
}

/** bigint → NeoBigInt bytes (minimal LE two's complement; 0 = empty). */
export function encodeNeoBigInt(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.push(byte);
    x >>= 8n; // arithmetic shift
    if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

export function decodeBtcProof(raw: Uint8Array, encoding: BtcProofEncoding): BtcProof {
  const r = new ByteReader(raw, 'BTCPROOF_MALFORMED');
  const tx = r.varBytes(MAX_FIELD, 'tx');
  const proof = r.varBytes(MAX_FIELD, 'proof');
  let height: number;
  let blocksToWait: bigint;
  if (encoding === 'E1') {
    height = r.u32le();
    blocksToWait = r.u64le();
  } else {
    const h = decodeNeoBigInt(r.varBytes(9, 'height'));
    const w = decodeNeoBigInt(r.varBytes(9, 'blocksToWait'));
    if (h < 0n || h > 0xffffffffn) r.fail('height out of u32 range', { height: h.toString() });
    if (w < 0n || w > (1n << 64n) - 1n) r.fail('blocksToWait out of u64 range', { blocksToWait: w.toString() });
    height = Number(h);
    blocksToWait = w;
  }
  if (r.remaining !== 0) {
    throw new SpvError('BTCPROOF_TRAILING_BYTES', 'bytes after BtcProof', { offset: r.offset, remaining: r.remaining });
  }
  return { tx, proof, height, blocksToWait };
}

export function encodeBtcProof(p: BtcProof, encoding: BtcProofEncoding): Uint8Array {
  const w = new ByteWriter(p.tx.length + p.proof.length + 32).varBytes(p.tx).varBytes(p.proof);
  if (encoding === 'E1') w.u32le(p.height).u64le(p.blocksToWait);
  else w.varBytes(encodeNeoBigInt(BigInt(p.height))).varBytes(encodeNeoBigInt(p.blocksToWait));
  return w.finish();
}
