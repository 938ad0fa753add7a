/**
 * The cross-chain Args a BTC deposit carries in its OP_RETURN output: script `6a <one push> 66 <Args>`.
 *
 * Layouts (configure; which one a node ran cannot be told offline):
 * - 'A3' era-A spvclient `btc.Args` (ontio/multi-chain 2019 text of native/service/cross_chain_manager/btc/states.go,
 *   ZeroCopySource, little-endian): u64 ToChainID ‖ i64 Fee ‖ var-bytes Address.
 * - 'A4' polynetwork/poly @ 4b1a8625 … f179eb43 : native/service/cross_chain_manager/btc/states.go:
 *   u64 ToChainID ‖ i64 Fee ‖ var-bytes ToContractAddress ‖ var-bytes Address.
 * - 'BE' polynetwork/poly @ 0496c964 … 3d0259c8 : native/service/cross_chain_manager/btc/utils.go `resolve`:
 *   script[1] must be 37 (OP_RETURN_DATA_LEN); u64 BE chainId ‖ u64 BE fee ‖ raw 20-byte address.
 *
 * Trailing bytes after the Args:
 * - 'A3' and 'A4': the Go originals never checked them. We REJECT by default (OPRETURN_ARGS_MALFORMED);
 *   pass `{ allowTrailing: true }` to reproduce the original (the ignored bytes are returned in `trailing`).
 * - 'BE': the size is fixed by script[1] == 37, so there can be none.
 *
 * Unlike the Go code (which indexes script[2] and panics on short scripts, and rejects OP_PUSHDATA1 payloads > 75
 * bytes), the script is tokenized: OP_RETURN followed by exactly one data push (direct, OP_PUSHDATA1/2/4) and nothing
 * else; anything else is OPRETURN_NOT_FOUND.
 */
import { SpvError } from '../../errors/spvError.js';
import { ByteReader } from '../../util/byteReader.js';
import { toHex } from '../../util/bytes.js';

export const OP_RETURN = 0x6a;
export const OP_PUSHDATA1 = 0x4c;
export const OP_PUSHDATA2 = 0x4d;
export const OP_PUSHDATA4 = 0x4e;
/** The cross-chain flag byte that starts the pushed payload. */
export const CROSS_CHAIN_FLAG = 0x66;
/** OP_RETURN_DATA_LEN of the oldest big-endian layout. */
export const BE_OP_RETURN_DATA_LEN = 37;

export type OpReturnLayout = 'A3' | 'A4' | 'BE';

export interface OpReturnArgs {
  readonly layout: OpReturnLayout;
  readonly toChainId: bigint;
  /** i64 in A3/A4; u64 in BE. */
  readonly fee: bigint;
  /** A4 only. */
  readonly toContractAddress?: Uint8Array;
  readonly address: Uint8Array;
  /** Bytes after the Args that were ignored (only non-empty with allowTrailing). */
  readonly trailing: Uint8Array;
}

export interface OpReturnOptions {
  /** A3/A4: ignore bytes after the Args, as the Go original did. Default false (reject). */
  readonly allowTrailing?: boolean;
}

export interface OpReturnPush {
  /** The pushed bytes (flag + Args). */
  readonly payload: Uint8Array;
  /** The push opcode (1..75 direct, or OP_PUSHDATA1/2/4). */
  readonly opcode: number;
}

function notFound(message: string, script: Uint8Array): never {
  throw new SpvError('OPRETURN_NOT_FOUND', message, { script: toHex(script.subarray(0, 64)), length: script.length });
}

/** OP_RETURN then exactly one data push covering the rest of the script. */
export function readOpReturnPush(script: Uint8Array): OpReturnPush {
  if (script.length < 2) notFound('script too short for OP_RETURN + push', script);
  if (script[0] !== OP_RETURN) notFound('script does not start with OP_RETURN', script);
  const opcode = script[1]!;
  let len: number;
  let start: number;
  const view = new DataView(script.buffer, script.byteOffset, script.byteLength);
  if (opcode >= 0x01 && opcode <= 0x4b) {
    len = opcode;
    start = 2;
  } else if (opcode === OP_PUSHDATA1) {
    if (script.length < 3) notFound('truncated OP_PUSHDATA1', script);
    len = script[2]!;
    start = 3;
  } else if (opcode === OP_PUSHDATA2) {
    if (script.length < 4) notFound('truncated OP_PUSHDATA2', script);
    len = view.getUint16(2, true);
    start = 4;
  } else if (opcode === OP_PUSHDATA4) {
    if (script.length < 6) notFound('truncated OP_PUSHDATA4', script);
    len = view.getUint32(2, true);
    start = 6;
  } else {
    notFound('OP_RETURN is not followed by a data push', script);
  }
  if (start + len > script.length) notFound('push runs past the end of the script', script);
  if (start + len < script.length) notFound('bytes after the OP_RETURN push', script);
  return { payload: script.slice(start, start + len), opcode };
}

function readBe64(r: ByteReader): bigint {
  const b = r.bytesView(8, 'u64 BE');
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
}

/** Parse the Args of an OP_RETURN output script in the given layout. */
export function parseOpReturnArgs(script: Uint8Array, layout: OpReturnLayout, options: OpReturnOptions = {}): OpReturnArgs {
  const { payload, opcode } = readOpReturnPush(script);
  if (payload.length < 1 || payload[0] !== CROSS_CHAIN_FLAG) {
    throw new SpvError('OPRETURN_BAD_FLAG', 'OP_RETURN payload does not start with the 0x66 flag', {
      flag: payload[0] ?? null,
    });
  }
  const r = new ByteReader(payload.subarray(1), 'OPRETURN_ARGS_MALFORMED');
  if (layout === 'BE') {
    if (opcode !== BE_OP_RETURN_DATA_LEN) r.fail('BE layout needs script[1] == 37', { opcode });
    const toChainId = readBe64(r);
    const fee = readBe64(r);
    const address = r.bytesCopy(20, 'address');
    return { layout, toChainId, fee, address, trailing: new Uint8Array(0) };
  }
  const toChainId = r.u64le();
  const fee = r.i64le();
  const toContractAddress = layout === 'A4' ? r.varBytes(payload.length, 'toContractAddress') : undefined;
  const address = r.varBytes(payload.length, 'address');
  const trailing = r.bytesCopy(r.remaining);
  if (trailing.length > 0 && options.allowTrailing !== true) {
    throw new SpvError('OPRETURN_ARGS_MALFORMED', 'trailing bytes after Args', { remaining: trailing.length });
  }
  return toContractAddress === undefined
    ? { layout, toChainId, fee, address, trailing }
    : { layout, toChainId, fee, toContractAddress, address, trailing };
}
