import type { ErrorCode } from '../errors/codes.js';

/**
 * What the net worker holds right now, and the peaks it reached: the numbers that show its memory stays
 * bounded whatever peers send (address cache, per-peer buffers, queued header batches, bookkeeping maps).
 * Plain data, for tests, logs and metrics.
 */
export interface NetCounters {
  /** Open connections, any state. */
  readonly peers: number;
  readonly readyPeers: number;
  /** Address manager entries (bounded by its new and tried limits). */
  readonly addrCacheSize: number;
  /** Addresses a peer sent beyond its allowance (dropped unread, Core-style addr rate limit). */
  readonly addrRateLimited: number;
  readonly bans: number;
  /** Version nonces of our open connections (self-connection detection). */
  readonly ownNonces: number;
  /** Addresses with a reconnect backoff pending. */
  readonly retryEntries: number;
  /** Peers recently dropped as sync peer and avoided for a while. */
  readonly stalledEntries: number;
  /** Peers with a count of unconnecting headers messages. */
  readonly unconnectingEntries: number;
  /** getheaders requests awaiting an answer. */
  readonly requestsOutstanding: number;
  /** Header batches handed to the chain worker and not yet answered. */
  readonly headerBatchesInFlight: number;
  /** The most header batches one peer ever had in flight at once. */
  readonly peakHeaderBatchesPerPeer: number;
  /** Bytes held by the frame decoders for frames still arriving. */
  readonly receiveBufferedBytes: number;
  readonly peakReceiveBufferedBytes: number;
  /** Bytes written to peers and not yet taken by the kernel. */
  readonly sendBufferedBytes: number;
  readonly peakSendBufferedBytes: number;
  /** Connections made since start (dial successes). */
  readonly connectionsOpened: number;
  /** Misbehaviour points given since start, by code. */
  readonly scores: Readonly<Partial<Record<ErrorCode, number>>>;
}
