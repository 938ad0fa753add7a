import { WireReader } from './wireReader.js';

/** Commands whose payload is empty by definition. */
export const EMPTY_COMMANDS = ['verack', 'getaddr', 'sendheaders', 'wtxidrelay', 'sendaddrv2'] as const;
export type EmptyCommand = (typeof EMPTY_COMMANDS)[number];

/**
 * verack (handshake), getaddr, sendheaders (BIP130), wtxidrelay (BIP339), sendaddrv2 (BIP155). All are defined
 * with no payload. Core merely ignores extra bytes; we refuse them (limit 0, so the frame decoder already reports
 * PEER_OVERSIZED from the header, and this decoder PEER_MALFORMED) since no implementation sends any.
 */
export interface EmptyMessage {
  readonly command: EmptyCommand;
}

export function decodeEmptyPayload(command: EmptyCommand, payload: Uint8Array): EmptyMessage {
  new WireReader(payload).end();
  return { command };
}
