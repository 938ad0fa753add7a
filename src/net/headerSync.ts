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
/**
 * Header batches of one peer handed to the chain worker and not yet answered, at most. At the limit we stop
 * reading that peer's socket until one is answered, so TCP pushes back on a flood instead of us queueing it
 * (Core pauses a peer's receive side the same way: fPauseRecv). Two is all sync needs: the batch being
 * validated and the pipelined next one.
 */
export const MAX_BATCHES_IN_FLIGHT = 2;
/**
 * Unasked `headers` messages that bring nothing new (duplicates or empty) tolerated from one peer per window.
 * An honest peer sends an unasked `headers` only to announce a block (BIP130), about one per 10 minutes; some of
 * those are duplicates when another peer was faster. Twenty in a minute is a flood.
 */
const MAX_USELESS_UNASKED = 20;
const USELESS_WINDOW_MS = 60_000;
/** A block `inv` leads to at most one getheaders per peer per interval (the rest wait for the next slot). */
const INV_REQUEST_INTERVAL_MS = 1_000;
/** Avoided addresses are forgotten this long after their avoidance ended. */
const AVOID_MEMORY_MS = 3_600_000;

export interface HeaderSyncOptions {
  readonly headersTimeoutMs: number;
  /** Progress floor of a sync peer, headers/s over `progressWindowMs` (0: off). */
  readonly minHeadersPerSecond: number;
  readonly progressWindowMs: number;
  readonly minPeersForSync: number;
  /**
   * How long the first sync waits for `minPeersForSync` ready peers after the first one is ready. Peers that are
   * banned or never finish their handshake must not hold sync back for ever.
   */
  readonly minPeersWaitMs: number;
  readonly log: Logger;
  /** The chain worker's API (null while it is being (re)connected). */
  readonly chain: () => ChainApi | null;
  /** Ready peers, in any order. */
  readonly peers: () => readonly Peer[];
  /** A peer misbehaved: score it (the service disconnects and bans at the threshold). */
  readonly misbehaving: (peer: Peer, code: ErrorCode, message: string) => void;
  /** Drop a peer that stalls (no ban: it may be honest and slow). */
  readonly drop: (peer: Peer, code: ErrorCode) => void;
  /** Stop (true) or resume (false) reading a peer's socket: backpressure while its batches are queued. */
  readonly pauseReading: (peer: Peer, paused: boolean) => void;
  readonly transfer: (bytes: Uint8Array) => Uint8Array;
}

interface Request {
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * Why a peer's address is avoided as sync peer for a while. `stalled`: too slow or silent, its height claim may
 * still be true. `underDelivered` (said "that is all" below the height it claimed) and `invalid` (sent a header
 * we refused): its claim is void, so it does not count towards the height we must reach to be synced.
 */
type AvoidReason = 'stalled' | 'underDelivered' | 'invalid';

/**
 * Headers-first sync. Initial sync runs against ONE sync peer (best reported height, ties: lowest
 * latency) with pipelining: a full 2000-header answer is handed to the chain worker and the next
 * getheaders goes out at once, from the batch's last hash. No answer within the timeout drops the sync
 * peer and rotates to the next. At the tip, every peer's announcements (sendheaders `headers`, or `inv`
 * of blocks) lead to a getheaders to that peer; an announcement that does not connect (case e) makes us
 * send that peer our locator (bcoin announces only the new tip after a reorg). Once nobody claims more,
 * every peer is asked once what it has after our locator: a lower height can still carry more work.
 */
export class HeaderSync {
  private syncPeer: Peer | null = null;
  private readonly requests = new Map<Peer, Request>();
  private readonly unconnecting = new Map<Peer, number>();
  /** Addresses dropped as sync peer recently: not chosen again until `until`. */
  private readonly avoided = new Map<string, { until: number; reason: AvoidReason }>();
  /** Peers whose whole chain we have: the height they claimed when they said "that is all". */
  private exhausted = new WeakMap<Peer, number>();
  /** Peers asked once from our locator while nobody claimed more. */
  private asked = new WeakSet<Peer>();
  /** Header batches of each peer handed to the chain worker and not yet answered. */
  private readonly inFlight = new Map<Peer, number>();
  /**
   * Sync peers that said "that is all" while batches of theirs were still with the chain worker: judged (caught
   * up, or under-delivered) once those are committed, not against a tip that has not caught up with them yet.
   */
  private readonly endAfterPending = new WeakSet<Peer>();
  private peakInFlight = 0;
  /** Times of each peer's recent unasked `headers` messages that brought nothing new. */
  private readonly useless = new Map<Peer, number[]>();
  private readonly lastInvRequest = new WeakMap<Peer, number>();
  private readonly invTimers = new Map<Peer, NodeJS.Timeout>();
  private tipHeight = 0;
  private reorgCount = 0;
  private accepted: { at: number; n: number }[] = [];
  private lastProgressLog = 0;
  private syncStartedAt = 0;
  private syncStartHeight = 0;
  private everStarted = false;
  private firstReadyAt: number | null = null;
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

  /** Sizes of the bookkeeping, for NetService.counters(). */
  counters(): {
    requests: number;
    unconnecting: number;
    stalled: number;
    inFlight: number;
    peakInFlightPerPeer: number;
  } {
    let inFlight = 0;
    for (const n of this.inFlight.values()) inFlight += n;
    return {
      requests: this.requests.size,
      unconnecting: this.unconnecting.size,
      stalled: this.avoided.size,
      inFlight,
      peakInFlightPerPeer: this.peakInFlight,
    };
  }

  setTip(height: number): void {
    this.tipHeight = height;
  }

  private avoidance(peer: Peer, now: number): AvoidReason | null {
    const a = this.avoided.get(peer.opts.address);
    return a !== undefined && a.until > now ? a.reason : null;
  }

  /** The height `peer` claims and that we have not yet seen it fail to deliver. */
  private claimedHeight(peer: Peer, now: number): number {
    const reason = this.avoidance(peer, now);
    if (reason === 'underDelivered' || reason === 'invalid') return 0;
    const exhaustedAt = this.exhausted.get(peer);
    return exhaustedAt !== undefined && exhaustedAt >= peer.bestHeight ? 0 : peer.bestHeight;
  }

  /**
   * The best height a ready peer claims, at least our own. Claims a peer failed to back (it said "that is all"
   * below them, or sent invalid headers) and chains we already hold in full (a longer but lower-work fork) do
   * not count: one lying peer must not keep us "not synced" for ever.
   */
  targetHeight(): number {
    const now = Date.now();
    let best = this.tipHeight;
    for (const p of this.opts.peers()) best = Math.max(best, this.claimedHeight(p, now));
    return best;
  }

  /** Caught up: a ready peer, nobody credibly claims more, and no initial sync is running. */
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

  /**
   * Starts initial sync from the best candidate when there is no sync peer; with nobody claiming more, asks
   * each ready peer once from our locator. Called when a peer becomes ready and periodically.
   */
  async maybeStart(): Promise<void> {
    if (this.syncPeer !== null || this.opts.chain() === null) return;
    const peers = this.opts.peers();
    if (peers.length === 0) return;
    const now = Date.now();
    this.firstReadyAt ??= now;
    // The configured minimum holds back the first sync only, and only for a while (see minPeersWaitMs).
    if (!this.everStarted && peers.length < this.opts.minPeersForSync && now - this.firstReadyAt < this.opts.minPeersWaitMs) {
      return;
    }
    const candidates = peers.filter((p) => this.avoidance(p, now) === null && this.claimedHeight(p, now) > this.tipHeight);
    if (candidates.length === 0) {
      // Nobody claims more than we have. Ask each peer once what it has after our locator, without making it
      // the exclusive sync peer: a peer with a lower height can hold more work (longer is not heavier), and
      // bcoin stays silent when it has nothing new, so silence here is no stall.
      for (const p of peers) {
        if (this.asked.has(p) || this.requests.has(p) || this.avoidance(p, now) !== null) continue;
        this.asked.add(p);
        await this.requestFromLocator(p);
      }
      return;
    }
    candidates.sort((a, b) => b.bestHeight - a.bestHeight || (a.latencyMs ?? 1e9) - (b.latencyMs ?? 1e9));
    const peer = candidates[0]!;
    this.everStarted = true;
    this.syncPeer = peer;
    this.asked.add(peer);
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
    this.exhausted = new WeakMap();
    this.asked = new WeakSet();
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
    this.rotateAway(peer, 'stalled', null);
  }

  /**
   * Called periodically: the progress floor (a sync peer that claims more than we have but trickles headers below
   * the floor for a whole window is dropped and sync rotates; a timeout alone would never fire for a peer that
   * answers every request, just slowly), and forgetting old avoidances.
   */
  checkProgress(): void {
    const now = Date.now();
    for (const [address, a] of this.avoided) if (a.until + AVOID_MEMORY_MS < now) this.avoided.delete(address);
    const peer = this.syncPeer;
    const { minHeadersPerSecond, progressWindowMs } = this.opts;
    if (peer === null || minHeadersPerSecond <= 0) return;
    if (now - this.syncStartedAt < progressWindowMs || peer.bestHeight <= this.tipHeight) return;
    this.syncProgress = this.syncProgress.filter((p) => now - p.at <= progressWindowMs);
    const rate = this.syncProgress.reduce((s, p) => s + p.n, 0) / (progressWindowMs / 1000);
    if (rate >= minHeadersPerSecond) return;
    this.opts.log.warn({ peer: peer.opts.address, headersPerSecond: rate, floor: minHeadersPerSecond }, 'sync peer too slow');
    this.rotateAway(peer, 'stalled', null);
  }

  /** Drops a sync peer without a ban (it may be honest but useless), avoids its address a while, picks another. */
  private rotateAway(peer: Peer, reason: AvoidReason, logMessage: string | null): void {
    if (logMessage !== null) this.opts.log.warn({ peer: peer.opts.address, claimed: peer.bestHeight, height: this.tipHeight }, logMessage);
    this.avoided.set(peer.opts.address, {
      until: Date.now() + 10 * Math.max(this.opts.headersTimeoutMs, this.opts.progressWindowMs),
      reason,
    });
    if (peer === this.syncPeer) this.syncPeer = null;
    this.opts.drop(peer, 'PEER_STALLED');
    void this.maybeStart();
  }

  onPeerGone(peer: Peer): void {
    const r = this.requests.get(peer);
    if (r !== undefined) clearTimeout(r.timer);
    this.requests.delete(peer);
    this.unconnecting.delete(peer);
    this.useless.delete(peer);
    const t = this.invTimers.get(peer);
    if (t !== undefined) clearTimeout(t);
    this.invTimers.delete(peer);
    if (peer === this.syncPeer) {
      this.syncPeer = null;
      void this.maybeStart();
    }
  }

  /**
   * A block announced by inv: ask that peer for headers from our locator, unless already asking it. At most one
   * such request per peer per INV_REQUEST_INTERVAL_MS: an inv flood answered by instant empty `headers` would
   * otherwise make us send a getheaders (and read our locator) per inv.
   */
  onBlockInv(peer: Peer): void {
    if (this.requests.has(peer) || this.invTimers.has(peer)) return;
    const wait = (this.lastInvRequest.get(peer) ?? 0) + INV_REQUEST_INTERVAL_MS - Date.now();
    const ask = (): void => {
      this.invTimers.delete(peer);
      if (peer.state !== 'ready' || this.requests.has(peer)) return;
      this.lastInvRequest.set(peer, Date.now());
      void this.requestFromLocator(peer);
    };
    if (wait <= 0) ask();
    else this.invTimers.set(peer, setTimeout(ask, wait));
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
        if ((this.inFlight.get(peer) ?? 0) > 0) this.endAfterPending.add(peer);
        else this.judgeEnd(peer);
      } else if (!wasRequested) {
        this.noteUseless(peer);
      }
      return;
    }
    const last = msg.headers.subarray((msg.count - 1) * HEADER_SIZE);
    const full = msg.count === MAX_HEADERS_RESULTS;
    // Pipelining: ask for the next batch before validating this one (the peer knows its own last header).
    if (full && wasRequested) this.request(peer, [headerHash(last)]);
    void this.submit(peer, msg, wasRequested, full);
  }

  /** An unasked `headers` message that brought nothing new; too many in a window is a flood. */
  private noteUseless(peer: Peer): void {
    const now = Date.now();
    const times = (this.useless.get(peer) ?? []).filter((t) => now - t <= USELESS_WINDOW_MS);
    times.push(now);
    if (times.length > MAX_USELESS_UNASKED) {
      this.useless.delete(peer);
      this.opts.misbehaving(peer, 'PEER_HEADERS_FLOOD', 'too many unasked headers messages with nothing new');
      return;
    }
    this.useless.set(peer, times);
  }

  /** The sync peer has nothing more for us: caught up, or it under-delivered on the height it claimed. */
  private judgeEnd(peer: Peer): void {
    if (peer.bestHeight > this.tipHeight) this.rotateAway(peer, 'underDelivered', 'sync peer under-delivered');
    else this.finishInitialSync(peer);
  }

  private async submit(peer: Peer, msg: HeadersMessage, wasRequested: boolean, full: boolean): Promise<void> {
    await this.submitBatch(peer, msg, wasRequested, full);
    if (this.endAfterPending.has(peer) && !this.inFlight.has(peer)) {
      this.endAfterPending.delete(peer);
      if (peer === this.syncPeer && peer.state !== 'closed') this.judgeEnd(peer);
    }
  }

  private finishInitialSync(peer: Peer): void {
    const secs = (Date.now() - this.syncStartedAt) / 1000;
    this.opts.log.info(
      { peer: peer.opts.address, height: this.tipHeight, headers: this.tipHeight - this.syncStartHeight, seconds: Math.round(secs) },
      'header sync caught up',
    );
    // We hold all it has: its height no longer counts as a target (it may be a longer, lower-work fork).
    this.exhausted.set(peer, peer.bestHeight);
    this.syncPeer = null;
    // Another peer may claim more (e.g. it was ahead of this one), or hold more work: sync from it or ask it.
    void this.maybeStart();
  }

  private async submitBatch(peer: Peer, msg: HeadersMessage, wasRequested: boolean, full: boolean): Promise<void> {
    const chain = this.opts.chain();
    if (chain === null) return;
    let r: ConnectResult;
    const pending = (this.inFlight.get(peer) ?? 0) + 1;
    this.inFlight.set(peer, pending);
    if (pending > this.peakInFlight) this.peakInFlight = pending;
    if (pending >= MAX_BATCHES_IN_FLIGHT) this.opts.pauseReading(peer, true);
    try {
      r = await chain.connectHeaders(this.opts.transfer(msg.headers));
    } catch (err) {
      // A local fault (worker restarting, store error) never penalises the peer.
      this.opts.log.warn({ err, peer: peer.opts.address }, 'header batch not processed');
      if (isSpvError(err) && err.code.startsWith('HEADER_')) this.opts.misbehaving(peer, err.code, err.message);
      if (peer === this.syncPeer) this.syncPeer = null;
      return;
    } finally {
      this.batchDone(peer);
    }
    this.setTip(r.tip.height);
    if (r.outcome === 'reorg') this.reorgCount++;
    if (r.stored > 0) this.accepted.push({ at: Date.now(), n: r.stored });
    if (r.stored > 0 && peer === this.syncPeer) this.syncProgress.push({ at: Date.now(), n: r.stored });
    if (r.lastHeight !== null) peer.bestHeight = Math.max(peer.bestHeight, r.lastHeight);

    // Per-peer bookkeeping only for a peer still connected: onPeerGone has already cleared a closed one's.
    const alive = peer.state !== 'closed';
    if (r.outcome === 'unconnected') {
      if (!alive) return;
      // Case e: the announcement does not connect. Ask the sender from our locator (orphan -> active sync).
      const n = (this.unconnecting.get(peer) ?? 0) + 1;
      this.unconnecting.set(peer, n);
      if (n > MAX_UNCONNECTING) {
        this.unconnecting.set(peer, 0);
        this.opts.misbehaving(peer, 'PEER_UNCONNECTING_FLOOD', 'too many headers messages that do not connect');
      }
      if (peer.state === 'ready' && !this.requests.has(peer)) await this.requestFromLocator(peer);
      return;
    }
    // Only headers that bring something new forgive earlier unconnecting ones: a peer must not wipe its count
    // by answering our getheaders with headers we already have.
    if (r.stored > 0) this.unconnecting.delete(peer);
    if (r.rejected !== null && r.rejected.code !== 'HEADER_UNCONNECTED') {
      this.opts.misbehaving(peer, r.rejected.code, r.rejected.message);
      // Whatever the score (0 for a time too far ahead: our clock may lag), the sync peer's chain is not one we
      // can follow now: rotate to another peer rather than ask it again and again.
      if (peer === this.syncPeer) this.rotateAway(peer, 'invalid', 'sync peer sent a header we refused');
      return;
    }
    if (!wasRequested && r.stored === 0 && alive) this.noteUseless(peer);
    this.logProgress(peer);
    if (!full && peer === this.syncPeer) {
      // Fewer than 2000 means "that is all I have". Ending below the height it claimed, the peer
      // under-delivers (trickling, or lying about its height): drop it and rotate, as for a stall.
      if ((r.lastHeight ?? 0) < peer.bestHeight) this.rotateAway(peer, 'underDelivered', 'sync peer under-delivered');
      else this.finishInitialSync(peer);
    }
    // A full answer to an announcement-driven request: keep fetching from that peer.
    if (full && !wasRequested && !this.requests.has(peer)) this.request(peer, [headerHash(msg.headers.subarray((msg.count - 1) * HEADER_SIZE))]);
  }

  private batchDone(peer: Peer): void {
    const n = (this.inFlight.get(peer) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(peer);
    else this.inFlight.set(peer, n);
    if (n < MAX_BATCHES_IN_FLIGHT) this.opts.pauseReading(peer, false);
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
    for (const t of this.invTimers.values()) clearTimeout(t);
    this.invTimers.clear();
    this.syncPeer = null;
  }
}
