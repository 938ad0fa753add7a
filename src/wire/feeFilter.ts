import { ByteWriter } from '../util/byteWriter.js';
import { WireReader } from './wireReader.js';

/**
 * BIP133 feefilter: the peer's minimum fee rate for tx relay. Core reads a CAmount (int64) and ignores values
 * outside MoneyRange rather than failing, so any i64 decodes; judging it is the net layer's business.
 */
export interface FeeFilterMessage {
  readonly command: 'feefilter';
  readonly feeRateSatPerKvb: bigint; // int64 satoshis per 1000 virtual bytes
}

export function decodeFeeFilterPayload(payload: Uint8Array): FeeFilterMessage {
  const r = new WireReader(payload);
  const feeRateSatPerKvb = r.i64le();
  r.end();
  return { command: 'feefilter', feeRateSatPerKvb };
}

export function encodeFeeFilterPayload(msg: FeeFilterMessage): Uint8Array {
  return new ByteWriter(8).i64le(msg.feeRateSatPerKvb).finish();
}
