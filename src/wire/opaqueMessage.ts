import { SpvError } from '../errors/spvError.js';
import { MIN_BLOCK_SIZE, MIN_TRANSACTION_SIZE } from './limits.js';

/**
 * `tx` and `block` carried as raw bytes: the wire codec does not parse them (bitcoinjs-lib does, at the edge that
 * needs it). Only a length floor is checked, since anything shorter cannot be a transaction or a block.
 */
export interface OpaqueMessage {
  readonly command: 'tx' | 'block';
  readonly raw: Uint8Array;
}

export function decodeOpaquePayload(command: 'tx' | 'block', payload: Uint8Array): OpaqueMessage {
  const min = command === 'tx' ? MIN_TRANSACTION_SIZE : MIN_BLOCK_SIZE;
  if (payload.length < min) {
    throw new SpvError('PEER_TRUNCATED', `${command} shorter than the smallest possible`, {
      length: payload.length,
      min,
    });
  }
  return { command, raw: payload };
}
