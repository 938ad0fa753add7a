import type { ErrorCode } from '../errors/codes.js';

/**
 * Misbehaviour score per error code (a peer is banned at `peers.banScore`, default 100). Consensus
 * failures and codec abuse cost a ban at once, as in Core's Misbehaving(100); things an honest but
 * lagging or differently-configured node can do cost little or nothing. Local faults (store, config,
 * threads) are never scored.
 */
const SCORES: Partial<Record<ErrorCode, number>> = {
  HEADER_BAD_LENGTH: 100,
  HEADER_BAD_TARGET: 100,
  HEADER_BAD_POW: 100,
  HEADER_BAD_DIFFBITS: 100,
  HEADER_TIME_TOO_OLD: 100,
  HEADER_TIMEWARP: 100,
  HEADER_BAD_VERSION: 100,
  HEADER_CHECKPOINT_MISMATCH: 100,
  HEADER_FORK_TOO_OLD: 100,
  // Core: "non-continuous headers sequence" -> Misbehaving(20).
  HEADER_BAD_PREV: 20,
  // Not permanently invalid (our clock may lag): no score, the header is simply not taken now.
  HEADER_TIME_TOO_NEW: 0,
  HEADER_UNCONNECTED: 0,
  // Core: more than MAX_NUM_UNCONNECTING_HEADERS_MSGS unconnecting announcements -> Misbehaving(20).
  PEER_UNCONNECTING_FLOOD: 20,
  // No honest node sends 20 useless unasked headers messages a minute: a flood, as bad as codec abuse.
  PEER_HEADERS_FLOOD: 100,
  PEER_BAD_MAGIC: 100,
  PEER_BAD_CHECKSUM: 100,
  PEER_BAD_COMMAND: 100,
  PEER_OVERSIZED: 100,
  PEER_TRUNCATED: 100,
  PEER_TOO_MANY_ITEMS: 100,
  PEER_MALFORMED: 100,
  PEER_FOREIGN_CHAIN: 100,
  PEER_PROTOCOL: 100,
};

export function banScoreFor(code: ErrorCode): number {
  return SCORES[code] ?? 0;
}
