import type { MessagePort } from 'node:worker_threads';
import type { NetworkName } from '../chain/params.js';
import type { LogLevelName } from '../log/logger.js';
import type { ErrorCode } from '../errors/codes.js';

/** One connected (or connecting) peer, as plain data. */
export interface PeerInfo {
  readonly id: string;
  /** host:port as dialled. */
  readonly address: string;
  readonly state: 'connecting' | 'handshake' | 'ready';
  readonly inbound: false;
  readonly trusted: boolean;
  readonly syncPeer: boolean;
  readonly version: number;
  readonly userAgent: string;
  /** Service bits as a hex string (u64). */
  readonly services: string;
  /** Height the peer announced in its version message. */
  readonly startHeight: number;
  /** Best height we know the peer has (announcements and headers raise it). */
  readonly bestHeight: number;
  readonly latencyMs: number | null;
  readonly banScore: number;
  readonly connectedAt: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface SyncStatus {
  /** Headers sync caught up: our tip is at the best height peers report and recent (< 24 h old). */
  readonly synced: boolean;
  readonly height: number;
  /** Best height reported by any ready peer (at least our own). */
  readonly targetHeight: number;
  readonly syncPeer: string | null;
  readonly headersPerSecond: number;
  readonly peers: number;
  readonly reorgs: number;
  readonly bans: number;
}

export interface BanInfo {
  readonly host: string;
  readonly until: number;
  readonly reason: string;
}

export interface BroadcastResult {
  /** Display hex. */
  readonly txid: string;
  /** Peers that asked for the transaction (getdata) after our inv. 0 is reported as an error, not success. */
  readonly peers: number;
}

/** The net worker's slice of the configuration. */
export interface NetConfig {
  readonly connect: readonly string[];
  readonly trusted: readonly string[];
  readonly maxOutbound: number;
  readonly dnsSeeds: boolean;
  readonly proxy: string | null;
  readonly userAgent: string;
  readonly connectTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly banScore: number;
  readonly banDurationMs: number;
  readonly headersTimeoutMs: number;
  readonly minHeadersPerSecond: number;
  readonly progressWindowMs: number;
  readonly minPeersForSync: number;
  readonly broadcastWaitMs: number;
}

export interface NetWorkerData {
  readonly network: NetworkName;
  /** Where peers.json and bans.json live. */
  readonly dataDir: string;
  readonly config: NetConfig;
  readonly logLevel: LogLevelName;
  readonly logFd: number;
  /** Where the worker posts its NodeEvents (peer, synced); a fresh port at every spawn. */
  readonly events?: MessagePort;
}

/**
 * The net worker: sockets, peers, address manager, header sync. It talks to the chain worker directly over
 * a MessagePort the supervisor hands it (setChainPort), never through the main thread.
 */
export interface NetApi {
  ready(): Promise<void>;
  /** A (new) port to the chain worker's API: at start and after a chain worker restart. */
  setChainPort(port: MessagePort): Promise<void>;
  peers(): Promise<PeerInfo[]>;
  syncStatus(): Promise<SyncStatus>;
  bans(): Promise<BanInfo[]>;
  /** Announces a raw transaction to every ready peer; resolves with its txid and how many peers fetched it. */
  broadcastTx(raw: Uint8Array): Promise<BroadcastResult>;
  /** Sync again from our locator (after a rollback). */
  resync(): Promise<void>;
  /** What the net worker holds now and the peaks it reached (for /metrics). */
  netCounters(): Promise<NetCounters>;
  close(): Promise<void>;
}

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
