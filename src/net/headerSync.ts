import { HEADER_SIZE, headerHash } from '../chain/header.js';
import type { ErrorCode } from '../errors/codes.js';
import { isSpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { ChainApi } from '../protocol/chain.js';
import type { ConnectResult } from '../protocol/chainTypes.js';
import { hexToHash } from '../util/bytes.js';
import type { HeadersMessage } from '../wire/index.js';
import { MAX_HEADERS_RESULTS } from '../wire/index.js';
import type { Peer } from './peer.js';

/** Core: MAX_NUM_UNCONNECTING_HEADERS_MSGS: unconnecting announcements tolerated before scoring. */
const MAX_UNCONNECTING = 10;
const PROGRESS_EVERY_MS = 10_000;
const RATE_WINDOW_MS = 10_000;

export interface HeaderSyncOptions {
  readonly headersTimeoutMs: number;
  /** Progress floor of a sync peer, headers/s over `progressWindowMs` (0: off). */
  readonly minHeadersPerSecond: number;
  readonly progressWindowMs: number;
  readonly minPeersForSync: number;
  readonly log: Logger;
  /** The chain worker's API (null while it is being (re)connected). */
  readonly chain: () => ChainApi | null;
  /** Ready peers, in any order. */
  readonly peers: () => readonly Peer[];
  /** A peer misbehaved: score it (the service disconnects and bans at the threshold). */
  readonly misbehaving: (peer: Peer, code: ErrorCode, message: string) => void;
  /** Drop a peer that stalls (no ban: it may be honest and slow). */
  readonly drop: (peer: Peer, code: ErrorCode) => void;
  readonly transfer: (bytes: Uint8Array) => Uint8Array;
}

interface Request {
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * Headers-first sync. Initial sync runs against ONE sync peer (best reported height, ties: lowest
 * latency) with pipelining: a full 2000-header answer is handed to the chain worker and the next
 * getheaders goes out at once, from the batch's last hash. No answer within the timeout drops the sync
 * peer and rotates to the next. At the tip, every peer's announcements (sendheaders `headers`, or `inv`
 * of blocks) lead to a getheaders to that peer; an announcement that does not connect (case e) makes us
 * send that peer our locator (bcoin announces only the new tip after a reorg).
 */
export class HeaderSync {
  private syncPeer: Peer | null = null;
  private readonly requests = new Map<Peer, Request>();
  private readonly unconnecting = new Map<Peer, number>();
  /** Peers that stalled as sync peer recently: not chosen again for a while. */
  private readonly stalled = new Map<string, number>();
  private tipHeight = 0;
  private reorgCount = 0;
  private accepted: { at: number; n: number }[] = [];
  private lastProgressLog = 0;
  private syncStartedAt = 0;
  private syncStartHeight = 0;
  /** Set once a sync peer had nothing more for us; later syncs start only when a peer claims more. */
  private caughtUp = false;
  /** Headers stored from the current sync peer, with times, for the progress floor. */
  private syncProgress: { at: number; n: number }[] = [];

  constructor(private readonly opts: HeaderSyncOptions) {}

  get height(): number {
    return this.tipHeight;
  }

  get reorgs(): number {
    return this.reorgCount;
  }

  get currentSyncPeer(): Peer | null {
    return this.syncPeer;
  }

  setTip(height: number): void {
    this.tipHeight = height;
  }

  targetHeight(): number {
    let best = this.tipHeight;
    for (const p of this.opts.peers()) best = Math.max(best, p.bestHeight);
    return best;
  }

  /** Caught up: a ready peer, nobody reports more, and no initial sync is running. */
  synced(): boolean {
    return this.opts.peers().length > 0 && this.syncPeer === null && this.tipHeight >= this.targetHeight();
  }

  headersPerSecond(): number {
    const now = Date.now();
    this.accepted = this.accepted.filter((a) => now - a.at <= RATE_WINDOW_MS);
    const n = this.accepted.reduce((s, a) => s + a.n, 0);
    // Over the window, or since the sync started when that is more recent (no dilution at the start).
    const since = this.syncPeer !== null ? now - this.syncStartedAt : RATE_WINDOW_MS;
    return Math.round(n / (Math.max(1_000, Math.min(RATE_WINDOW_MS, since)) / 1000));
  }

  /** Starts initial sync when there is no sync peer and enough peers; picks the best candidate. */
  async maybeStart(): Promise<void> {
    if (this.syncPeer !== null || this.opts.chain() === null) return;
    // At the tip, announcements drive sync; an initial-style sync is only for a peer that claims more.
    if (this.caughtUp && this.targetHeight() <= this.tipHeight) return;
    const peers = this.opts.peers();
    if (peers.length < this.opts.minPeersForSync) return;
    const now = Date.now();
    const candidates = peers.filter((p) => (this.stalled.get(p.opts.address) ?? 0) < now);
    if (candidates.length === 0) return;
    candidates.sort((a, b) => b.bestHeight - a.bestHeight || (a.latencyMs ?? 1e9) - (b.latencyMs ?? 1e9));
    const peer = candidates[0]!;
    if (peer.bestHeight <= this.tipHeight) {
      // Nobody claims more than we have: ask once to learn what they have, without making that peer the
      // exclusive sync peer, so one that claims more and connects a moment later is used at once.
      this.caughtUp = true;
      if (!this.requests.has(peer)) await this.requestFromLocator(peer);
      return;
    }
    this.syncPeer = peer;
    this.syncProgress = [];
    this.syncStartedAt = now;
    this.syncStartHeight = this.tipHeight;
    this.opts.log.info({ peer: peer.opts.address, peerHeight: peer.bestHeight, height: this.tipHeight }, 'header sync started');
    await this.requestFromLocator(peer);
  }

  /** (Re)start from our current locator, e.g. after a rollback. */
  async restart(): Promise<void> {
    for (const r of this.requests.values()) clearTimeout(r.timer);
    this.requests.clear();
    this.syncPeer = null;
    this.caughtUp = false;
    const tip = await this.opts.chain()?.tip();
    if (tip !== undefined) this.setTip(tip.height);
    await this.maybeStart();
  }

  private async requestFromLocator(peer: Peer): Promise<void> {
    const chain = this.opts.chain();
    if (chain === null) return;
    let locator: string[];
    try {
      locator = await chain.locator();
    } catch (err) {
      this.opts.log.warn({ err }, 'locator unavailable');
      return;
    }
    this.request(peer, locator.map((h) => hexToHash(h)));
  }

  private request(peer: Peer, locator: Uint8Array[]): void {
    if (peer.state !== 'ready') return;
    const old = this.requests.get(peer);
    if (old !== undefined) clearTimeout(old.timer);
    const timer = setTimeout(() => this.onTimeout(peer), this.opts.headersTimeoutMs);
    this.requests.set(peer, { sentAt: Date.now(), timer });
    peer.send({ command: 'getheaders', version: 70016, locator, stopHash: new Uint8Array(32) });
  }

  private onTimeout(peer: Peer): void {
    this.requests.delete(peer);
    if (peer !== this.syncPeer) return;
    // bcoin sends nothing (not even an empty `headers`) when it has nothing after our locator: silence
    // from a peer that claims no more than we have means "caught up", not a stall.
    if (peer.bestHeight <= this.tipHeight) {
      this.finishInitialSync(peer);
      return;
    }
    // Core drops a sync peer that does not answer; we rotate to the next candidate rather than wait forever.
    this.opts.log.warn({ peer: peer.opts.address, timeoutMs: this.opts.headersTimeoutMs }, 'sync peer stalled');
    this.rotateAway(peer, null);
  }

  /**
   * The progress floor (called periodically): a sync peer that claims more than we have but trickles
   * headers below the floor for a whole window is dropped, and sync rotates. A timeout alone would never
   * fire for a peer that answers every request, just slowly.
   */
  checkProgress(): void {
    const peer = this.syncPeer;
    const { minHeadersPerSecond, progressWindowMs } = this.opts;
    if (peer === null || minHeadersPerSecond <= 0) return;
    const now = Date.now();
    if (now - this.syncStartedAt < progressWindowMs || peer.bestHeight <= this.tipHeight) return;
    this.syncProgress = this.syncProgress.filter((p) => now - p.at <= progressWindowMs);
    const rate = this.syncProgress.reduce((s, p) => s + p.n, 0) / (progressWindowMs / 1000);
    if (rate >= minHeadersPerSecond) return;
    this.opts.log.warn({ peer: peer.opts.address, headersPerSecond: rate, floor: minHeadersPerSecond }, 'sync peer too slow');
    this.rotateAway(peer, null);
  }

  /** Drops the sync peer without a ban (it may be honest but useless), avoids it a while, picks another. */
  private rotateAway(peer: Peer, reason: string | null): void {
    if (reason !== null) this.opts.log.warn({ peer: peer.opts.address, claimed: peer.bestHeight, height: this.tipHeight }, reason);
    this.stalled.set(peer.opts.address, Date.now() + 10 * Math.max(this.opts.headersTimeoutMs, this.opts.progressWindowMs));
    if (peer === this.syncPeer) this.syncPeer = null;
    this.opts.drop(peer, 'PEER_STALLED');
    void this.maybeStart();
  }

  onPeerGone(peer: Peer): void {
    const r = this.requests.get(peer);
    if (r !== undefined) clearTimeout(r.timer);
    this.requests.delete(peer);
    this.unconnecting.delete(peer);
    if (peer === this.syncPeer) {
      this.syncPeer = null;
      void this.maybeStart();
    }
  }

  /** A block announced by inv: ask that peer for headers from our locator (unless already asking it). */
  onBlockInv(peer: Peer): void {
    if (this.requests.has(peer)) return;
    void this.requestFromLocator(peer);
  }

  /** A `headers` message: an answer to our getheaders, or an announcement. */
  onHeaders(peer: Peer, msg: HeadersMessage): void {
    const wasRequested = this.requests.has(peer);
    const req = this.requests.get(peer);
    if (req !== undefined) clearTimeout(req.timer);
    this.requests.delete(peer);

    if (msg.count === 0) {
      // The peer has nothing after our locator: we are at its tip, unless it claimed more (under-delivery).
      if (peer === this.syncPeer) {
        if (peer.bestHeight > this.tipHeight) this.rotateAway(peer, 'sync peer under-delivered');
        else this.finishInitialSync(peer);
      }
      return;
    }
    const last = msg.headers.subarray((msg.count - 1) * HEADER_SIZE);
    const full = msg.count === MAX_HEADERS_RESULTS;
    // Pipelining: ask for the next batch before validating this one (the peer knows its own last header).
    if (full && wasRequested) this.request(peer, [headerHash(last)]);
    void this.submit(peer, msg, wasRequested, full);
  }

  private finishInitialSync(peer: Peer): void {
    const secs = (Date.now() - this.syncStartedAt) / 1000;
    this.opts.log.info(
      { peer: peer.opts.address, height: this.tipHeight, headers: this.tipHeight - this.syncStartHeight, seconds: Math.round(secs) },
      'header sync caught up',
    );
    this.syncPeer = null;
    this.caughtUp = true;
    // Another peer may claim more (e.g. it was ahead of this one): sync from it next.
    if (this.targetHeight() > this.tipHeight) void this.maybeStart();
  }

  private async submit(peer: Peer, msg: HeadersMessage, wasRequested: boolean, full: boolean): Promise<void> {
    const chain = this.opts.chain();
    if (chain === null) return;
    let r: ConnectResult;
    try {
      r = await chain.connectHeaders(this.opts.transfer(msg.headers));
    } catch (err) {
      // A local fault (worker restarting, store error) never penalises the peer.
      this.opts.log.warn({ err, peer: peer.opts.address }, 'header batch not processed');
      if (isSpvError(err) && err.code.startsWith('HEADER_')) this.opts.misbehaving(peer, err.code, err.message);
      if (peer === this.syncPeer) this.syncPeer = null;
      return;
    }
    this.setTip(r.tip.height);
    if (r.outcome === 'reorg') this.reorgCount++;
    if (r.stored > 0) this.accepted.push({ at: Date.now(), n: r.stored });
    if (r.stored > 0 && peer === this.syncPeer) this.syncProgress.push({ at: Date.now(), n: r.stored });
    if (r.lastHeight !== null) peer.bestHeight = Math.max(peer.bestHeight, r.lastHeight);

    if (r.outcome === 'unconnected') {
      // Case e: the announcement does not connect. Ask the sender from our locator (orphan -> active sync).
      const n = (this.unconnecting.get(peer) ?? 0) + 1;
      this.unconnecting.set(peer, n);
      if (n > MAX_UNCONNECTING) {
        this.unconnecting.set(peer, 0);
        this.opts.misbehaving(peer, 'PEER_UNCONNECTING_FLOOD', 'too many headers messages that do not connect');
      }
      if (!this.requests.has(peer)) await this.requestFromLocator(peer);
      return;
    }
    this.unconnecting.set(peer, 0);
    if (r.rejected !== null && r.rejected.code !== 'HEADER_UNCONNECTED') {
      this.opts.misbehaving(peer, r.rejected.code, r.rejected.message);
      if (peer === this.syncPeer) {
        this.syncPeer = null;
        void this.maybeStart();
      }
      return;
    }
    this.logProgress(peer);
    if (!full && peer === this.syncPeer) {
      // Fewer than 2000 means "that is all I have". Ending below the height it claimed, the peer
      // under-delivers (trickling, or lying about its height): drop it and rotate, as for a stall.
      if ((r.lastHeight ?? 0) < peer.bestHeight) this.rotateAway(peer, 'sync peer under-delivered');
      else this.finishInitialSync(peer);
    }
    // A full answer to an announcement-driven request: keep fetching from that peer.
    if (full && !wasRequested && !this.requests.has(peer)) this.request(peer, [headerHash(msg.headers.subarray((msg.count - 1) * HEADER_SIZE))]);
  }

  private logProgress(peer: Peer): void {
    const now = Date.now();
    if (this.syncPeer === null || now - this.lastProgressLog < PROGRESS_EVERY_MS) return;
    this.lastProgressLog = now;
    const target = this.targetHeight();
    const rate = this.headersPerSecond();
    const remaining = Math.max(0, target - this.tipHeight);
    this.opts.log.info(
      {
        height: this.tipHeight,
        targetHeight: target,
        percent: target > 0 ? Math.round((1000 * this.tipHeight) / target) / 10 : 100,
        headersPerSecond: rate,
        etaSeconds: rate > 0 ? Math.round(remaining / rate) : null,
        peer: peer.opts.address,
      },
      'header sync progress',
    );
  }

  close(): void {
    for (const r of this.requests.values()) clearTimeout(r.timer);
    this.requests.clear();
    this.syncPeer = null;
  }
}
