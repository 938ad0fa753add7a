import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { ChainParams } from '../chain/params.js';
import type { ErrorCode } from '../errors/codes.js';
import { SpvError } from '../errors/spvError.js';
import type { Logger } from '../log/logger.js';
import type { ChainApi } from '../protocol/chain.js';
import type { EmitEvent } from '../protocol/events.js';
import type { BanInfo, BroadcastResult, NetApi, NetConfig, PeerInfo, SyncStatus } from '../protocol/net.js';
import type { WireMessage } from '../wire/index.js';
import {
  BIP155_IPV4,
  BIP155_IPV6,
  MSG_BLOCK,
  MSG_CMPCT_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_TX,
  MSG_WTX,
} from '../wire/index.js';
import { AddrMan, addrKey, netGroup, parseHostPort } from './addrMan.js';
import { BanList } from './banList.js';
import { banScoreFor } from './banScores.js';
import { Broadcaster } from './broadcaster.js';
import type { Dialer } from './dialer.js';
import { directDialer, socksDialer } from './dialer.js';
import { resolveSeeds } from './dnsSeeds.js';
import { HeaderSync } from './headerSync.js';
import type { NetCounters } from '../protocol/net.js';
import { NODE_NETWORK, NODE_NETWORK_LIMITED, Peer } from './peer.js';
import type { BufferPeaks } from './peer.js';

const MAINTAIN_EVERY_MS = 1_000;
const SAVE_EVERY_MS = 60_000;
const SEED_TIMEOUT_MS = 5_000;
const SEED_RETRY_MS = 5 * 60_000;
/**
 * A connection that ends sooner than this counts as a failed attempt for the redial backoff: a peer that accepts
 * and drops us again and again is redialled at 1, 2, 4... s (up to a minute), not every second.
 */
const STABLE_CONNECTION_MS = 10_000;
/** Retry entries whose time passed this long ago are forgotten (their backoff starts over). */
const RETRY_MEMORY_MS = 3_600_000;
/**
 * Core's addr rate limit (net_processing.cpp): each address costs a token; a peer gets MAX_ADDR_TO_SEND tokens
 * when we send it getaddr and 0.1 per second after that (MAX_ADDR_RATE_PER_SECOND), never more than
 * MAX_ADDR_PROCESSING_TOKEN_BUCKET. Addresses beyond the allowance are dropped unread: one peer cannot fill
 * the address manager with its own picks.
 */
const ADDR_TOKENS_AFTER_GETADDR = 1_000;
const ADDR_TOKENS_PER_SECOND = 0.1;
const ADDR_TOKEN_BUCKET_MAX = 1_000;

export interface NetServiceOptions {
  readonly params: ChainParams;
  readonly config: NetConfig;
  /** Folder for peers.json and bans.json (null: keep them in memory only). */
  readonly dataDir: string | null;
  readonly log: Logger;
  /** Builds a ChainApi over a port to the chain worker (comlink in the worker entry; tests may pass one directly). */
  readonly chainFromPort?: (port: MessagePort) => ChainApi;
  readonly chain?: ChainApi;
  readonly dialer?: Dialer;
  /** Moves a buffer to the chain worker without copying (identity in-process). */
  readonly transfer?: (bytes: Uint8Array) => Uint8Array;
  /** Peer and synced events for the main thread. */
  readonly emit?: EmitEvent;
}

interface Target {
  readonly host: string;
  readonly port: number;
  readonly kind: 'connect' | 'trusted' | 'addrman';
}

/**
 * The net worker's domain object: outbound connections to keep, peers and their scores, bans, the address
 * manager, DNS seeds, header sync and transaction broadcast. Single-threaded: everything here runs on the
 * net worker's event loop; validation and storage happen in the chain worker.
 */
export class NetService implements NetApi {
  private chain: ChainApi | null;
  private readonly peerMap = new Map<string, Peer>();
  private readonly dialing = new Set<string>();
  private readonly retryAt = new Map<string, { at: number; failures: number }>();
  private readonly ownNonces = new Set<bigint>();
  private readonly addrMan: AddrMan;
  private readonly banList: BanList;
  private readonly sync: HeaderSync;
  private readonly broadcaster = new Broadcaster();
  private readonly dialer: Dialer;
  private maintainTimer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private lastSeedAt = 0;
  private closed = false;
  private bansIssued = 0;
  private wasSynced = false;
  private lastNoPeersWarning = 0;
  private readonly peaks: BufferPeaks = { receive: 0, send: 0 };
  private connectionsOpened = 0;
  private addrRateLimited = 0;
  private readonly addrTokens = new WeakMap<Peer, { tokens: number; at: number }>();
  private readonly scores: Partial<Record<ErrorCode, number>> = {};

  constructor(private readonly opts: NetServiceOptions) {
    const { config, dataDir } = opts;
    if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
    this.addrMan = new AddrMan(dataDir === null ? null : join(dataDir, 'peers.json'));
    this.banList = new BanList(dataDir === null ? null : join(dataDir, 'bans.json'));
    this.dialer = opts.dialer ?? (config.proxy !== null ? socksDialer(config.proxy) : directDialer);
    this.chain = opts.chain ?? null;
    for (const hp of config.trusted) {
      const t = parseHostPort(hp);
      if (t !== null) this.addrMan.add(t.host, t.port, 'config');
    }
    this.sync = new HeaderSync({
      headersTimeoutMs: config.headersTimeoutMs,
      minHeadersPerSecond: config.minHeadersPerSecond,
      progressWindowMs: config.progressWindowMs,
      // With an explicit peer list there may be fewer peers than the configured minimum.
      minPeersForSync: Math.min(config.minPeersForSync, this.explicitTargets().length || config.minPeersForSync),
      log: opts.log,
      chain: () => this.chain,
      peers: () => this.readyPeers(),
      minPeersWaitMs: config.connectTimeoutMs + config.handshakeTimeoutMs,
      misbehaving: (peer, code, message) => this.misbehaving(peer, code, message),
      drop: (peer, code) => peer.close(code),
      pauseReading: (peer, paused) => peer.setReadPaused('batches', paused),
      transfer: opts.transfer ?? ((b) => b),
    });
  }

  // ------------------------------------------------------------------ NetApi

  async ready(): Promise<void> {
    if (this.maintainTimer !== null || this.closed) return;
    if (this.chain !== null) {
      const tip = await this.chain.tip();
      this.sync.setTip(tip.height);
    }
    this.maintainTimer = setInterval(() => void this.maintain(), MAINTAIN_EVERY_MS);
    this.saveTimer = setInterval(() => this.saveAddresses(), SAVE_EVERY_MS);
    this.saveTimer.unref();
    void this.maintain();
    this.opts.log.info(
      { network: this.opts.params.name, connect: this.opts.config.connect.length, trusted: this.opts.config.trusted.length, proxy: this.opts.config.proxy !== null },
      'net service started',
    );
  }

  async setChainPort(port: MessagePort): Promise<void> {
    if (this.opts.chainFromPort === undefined) throw new SpvError('INVARIANT', 'no chain port adapter', {});
    this.chain = this.opts.chainFromPort(port);
    const tip = await this.chain.tip();
    this.sync.setTip(tip.height);
    void this.sync.maybeStart();
  }

  async peers(): Promise<PeerInfo[]> {
    const syncPeer = this.sync.currentSyncPeer;
    return [...this.peerMap.values()].map((p) => p.info(p === syncPeer));
  }

  async syncStatus(): Promise<SyncStatus> {
    const sp = this.sync.currentSyncPeer;
    return {
      synced: this.sync.synced(),
      height: this.sync.height,
      targetHeight: this.sync.targetHeight(),
      syncPeer: sp?.opts.address ?? null,
      headersPerSecond: this.sync.headersPerSecond(),
      peers: this.readyPeers().length,
      reorgs: this.sync.reorgs,
      bans: this.bansIssued,
    };
  }

  async netCounters(): Promise<NetCounters> {
    return this.counters();
  }

  /** What the service holds now and the peaks it reached (synchronously, for in-process callers and tests). */
  counters(): NetCounters {
    let receive = 0;
    let send = 0;
    for (const p of this.peerMap.values()) {
      receive += p.receiveBufferedBytes;
      send += p.sendBufferedBytes;
    }
    const sync = this.sync.counters();
    return {
      peers: this.peerMap.size,
      readyPeers: this.readyPeers().length,
      addrCacheSize: this.addrMan.size,
      addrRateLimited: this.addrRateLimited,
      bans: this.banList.list().length,
      ownNonces: this.ownNonces.size,
      retryEntries: this.retryAt.size,
      stalledEntries: sync.stalled,
      unconnectingEntries: sync.unconnecting,
      requestsOutstanding: sync.requests,
      headerBatchesInFlight: sync.inFlight,
      peakHeaderBatchesPerPeer: sync.peakInFlightPerPeer,
      receiveBufferedBytes: receive,
      peakReceiveBufferedBytes: this.peaks.receive,
      sendBufferedBytes: send,
      peakSendBufferedBytes: this.peaks.send,
      connectionsOpened: this.connectionsOpened,
      scores: { ...this.scores },
    };
  }

  async bans(): Promise<BanInfo[]> {
    return this.banList.list();
  }

  broadcastTx(raw: Uint8Array): Promise<BroadcastResult> {
    return this.broadcaster.broadcast(raw, this.readyPeers(), this.opts.config.broadcastWaitMs);
  }

  async resync(): Promise<void> {
    await this.sync.restart();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintainTimer !== null) clearInterval(this.maintainTimer);
    if (this.saveTimer !== null) clearInterval(this.saveTimer);
    this.sync.close();
    for (const p of this.peerMap.values()) p.close(null);
    this.peerMap.clear();
    this.saveAddresses();
    this.opts.log.info({}, 'net service closed');
  }

  /** peers.json is a cache: failing to write it (disk full, folder removed) is logged, never fatal. */
  private saveAddresses(): void {
    try {
      this.addrMan.save();
    } catch (err) {
      this.opts.log.warn({ err }, 'address manager not saved');
    }
  }

  // ------------------------------------------------------------------ peers

  private readyPeers(): Peer[] {
    return [...this.peerMap.values()].filter((p) => p.state === 'ready');
  }

  private explicitTargets(): Target[] {
    const parse = (list: readonly string[], kind: Target['kind']): Target[] =>
      list.flatMap((s) => {
        const t = parseHostPort(s);
        return t === null ? [] : [{ ...t, kind }];
      });
    return [...parse(this.opts.config.connect, 'connect'), ...parse(this.opts.config.trusted, 'trusted')];
  }

  private connectedKeys(): Set<string> {
    const keys = new Set(this.dialing);
    for (const p of this.peerMap.values()) keys.add(p.opts.address);
    return keys;
  }

  /** Keeps the outbound target: --connect peers only, else trusted peers plus the address manager. */
  private async maintain(): Promise<void> {
    if (this.closed) return;
    const { config } = this.opts;
    const busy = this.connectedKeys();
    const now = Date.now();
    for (const [key, r] of this.retryAt) if (r.at + RETRY_MEMORY_MS < now && !busy.has(key)) this.retryAt.delete(key);
    const free = (t: { host: string; port: number }): boolean => {
      const key = addrKey(t.host, t.port);
      const retry = this.retryAt.get(key);
      return !busy.has(key) && (retry === undefined || retry.at <= now) && !this.banList.isBanned(t.host, t.port);
    };
    let targets: Target[];
    if (config.connect.length > 0) {
      targets = this.explicitTargets().filter((t) => t.kind === 'connect' && free(t));
    } else {
      const trusted = this.explicitTargets().filter((t) => t.kind === 'trusted');
      const onlyTrusted = trusted.length > 0 && (!config.dnsSeeds || this.opts.params.dnsSeeds.length === 0);
      const want = onlyTrusted ? trusted.length : config.maxOutbound;
      const slots = Math.max(0, want - busy.size);
      targets = trusted.filter(free).slice(0, slots);
      if (!onlyTrusted && targets.length < slots) {
        if (this.addrMan.size < want * 4) void this.querySeeds();
        // One outbound connection per network group (connected, being dialled or picked now).
        const groups = new Set<string>();
        for (const key of busy) {
          const hp = parseHostPort(key);
          if (hp !== null) groups.add(netGroup(hp.host));
        }
        for (const t of targets) groups.add(netGroup(t.host));
        const candidates = this.addrMan.select(this.addrMan.size, (e) => !free(e) || groups.has(netGroup(e.host)));
        for (const e of candidates) {
          if (targets.length >= slots) break;
          const group = netGroup(e.host);
          if (groups.has(group)) continue;
          groups.add(group);
          targets.push({ host: e.host, port: e.port, kind: 'addrman' });
        }
      }
    }
    for (const t of targets) void this.dial(t);
    if (this.peerMap.size === 0 && targets.length === 0 && now - this.lastNoPeersWarning > 60_000) {
      // Say so, rather than sit silently: nothing to dial (offline, seeds unreachable, everything banned).
      this.lastNoPeersWarning = now;
      this.opts.log.warn({ known: this.addrMan.size, bans: this.banList.list().length }, 'no peers to connect to');
    }
    this.sync.checkProgress();
    await this.checkSynced();
    if (this.readyPeers().length > 0) await this.sync.maybeStart();
  }

  /** Emits `synced` when header sync first catches up (and again after falling behind). */
  private async checkSynced(): Promise<void> {
    const synced = this.sync.synced();
    if (synced && !this.wasSynced && this.chain !== null) {
      try {
        const tip = await this.chain.tip();
        this.opts.emit?.('synced', { height: tip.height, hash: tip.hashHex });
      } catch {
        return; // the chain worker is restarting: report it next time
      }
    }
    this.wasSynced = synced;
  }

  private async querySeeds(): Promise<void> {
    const { params, config } = this.opts;
    if (!config.dnsSeeds || params.dnsSeeds.length === 0 || config.proxy !== null) return;
    if (Date.now() - this.lastSeedAt < SEED_RETRY_MS) return;
    this.lastSeedAt = Date.now();
    const ips = await resolveSeeds(params.dnsSeeds, SEED_TIMEOUT_MS);
    for (const ip of ips) this.addrMan.add(ip, params.defaultPort, 'dns');
    this.opts.log.info({ addresses: ips.length, seeds: params.dnsSeeds.length }, 'dns seeds resolved');
  }

  private async dial(t: Target): Promise<void> {
    const key = addrKey(t.host, t.port);
    this.dialing.add(key);
    this.addrMan.attempt(t.host, t.port);
    try {
      const socket = await this.dialer(t.host, t.port, this.opts.config.connectTimeoutMs);
      if (this.closed) {
        socket.destroy();
        return;
      }
      this.attach(socket, t);
    } catch (err) {
      this.backoff(key);
      this.opts.log.debug({ err, peer: key }, 'dial failed');
    } finally {
      this.dialing.delete(key);
    }
  }

  private backoff(key: string): void {
    const prev = this.retryAt.get(key);
    const failures = (prev?.failures ?? 0) + 1;
    this.retryAt.set(key, { at: Date.now() + Math.min(60_000, 500 * 2 ** Math.min(failures, 7)), failures });
  }

  private attach(socket: Socket, t: Target): void {
    const address = addrKey(t.host, t.port);
    const peer = new Peer(socket, {
      id: nanoid(10),
      address,
      magic: this.opts.params.magic,
      userAgent: this.opts.config.userAgent,
      trusted: t.kind !== 'addrman',
      handshakeTimeoutMs: this.opts.config.handshakeTimeoutMs,
      pingIntervalMs: this.opts.config.pingIntervalMs,
      startHeight: () => this.sync.height,
      ownNonces: this.ownNonces,
      log: this.opts.log,
      peaks: this.peaks,
    });
    this.connectionsOpened++;
    this.peerMap.set(peer.id, peer);
    peer.on('ready', () => {
      // Our getaddr (sent on ready) entitles the peer to one answer's worth of addresses.
      this.addrTokens.set(peer, { tokens: 1 + ADDR_TOKENS_AFTER_GETADDR, at: Date.now() });
      this.addrMan.good(t.host, t.port);
      this.opts.log.info(
        { peer: address, userAgent: peer.version?.userAgent, version: peer.version?.version, height: peer.bestHeight },
        'peer connected',
      );
      this.opts.emit?.('peer', { kind: 'connected', address, userAgent: peer.version?.userAgent ?? '', code: null });
      void this.sync.maybeStart();
    });
    peer.on('message', (msg) => this.onMessage(peer, msg));
    peer.on('misbehaving', (code, message) => this.misbehaving(peer, code, message));
    peer.on('close', (code) => {
      this.peerMap.delete(peer.id);
      this.sync.onPeerGone(peer);
      const stable = Date.now() - peer.connectedAt >= STABLE_CONNECTION_MS;
      if ((code !== null && code !== 'PEER_CLOSED') || !stable) this.backoff(address);
      else this.retryAt.set(address, { at: Date.now() + 1_000, failures: 0 });
      this.opts.log.info({ peer: address, code }, 'peer disconnected');
      if (peer.version !== null) {
        this.opts.emit?.('peer', { kind: 'disconnected', address, userAgent: peer.version.userAgent, code });
      }
    });
  }

  private misbehaving(peer: Peer, code: ErrorCode, message: string): void {
    // Already banned (batches it sent before the ban are still being judged): nothing more to add.
    if (peer.banScore >= this.opts.config.banScore) return;
    const score = banScoreFor(code);
    peer.banScore += score;
    this.scores[code] = (this.scores[code] ?? 0) + score;
    this.opts.log.warn({ peer: peer.opts.address, code, score, total: peer.banScore, reason: message }, 'peer misbehaving');
    if (peer.banScore >= this.opts.config.banScore) {
      const hp = parseHostPort(peer.opts.address);
      if (hp !== null) this.banList.ban(hp.host, hp.port, this.opts.config.banDurationMs, code);
      this.bansIssued++;
      this.opts.log.warn({ peer: peer.opts.address, code }, 'peer banned');
      peer.close(code);
    }
  }

  /** The leading part of `addresses` the peer's token bucket allows; the rest is counted and dropped. */
  private takeAddrAllowance<T>(peer: Peer, addresses: readonly T[]): readonly T[] {
    const now = Date.now();
    const bucket = this.addrTokens.get(peer) ?? { tokens: 1, at: now };
    bucket.tokens = Math.min(ADDR_TOKEN_BUCKET_MAX + 1, bucket.tokens + ((now - bucket.at) / 1000) * ADDR_TOKENS_PER_SECOND);
    bucket.at = now;
    const n = Math.min(addresses.length, Math.floor(bucket.tokens));
    bucket.tokens -= n;
    this.addrTokens.set(peer, bucket);
    if (n < addresses.length) this.addrRateLimited += addresses.length - n;
    return n === addresses.length ? addresses : addresses.slice(0, n);
  }

  private onMessage(peer: Peer, msg: WireMessage): void {
    switch (msg.command) {
      case 'headers':
        this.sync.onHeaders(peer, msg);
        return;
      case 'inv':
        if (msg.items.some((i) => i.type === MSG_TX || i.type === MSG_WITNESS_TX || i.type === MSG_WTX)) {
          // Our version said relay=false (BIP37): a transaction inv breaks the protocol. Core disconnects such a
          // peer without a ban ("inv sent in violation of protocol"); so do we, and its redial backs off.
          this.opts.log.info({ peer: peer.opts.address }, 'transaction inv although we asked for no relay');
          peer.close('PEER_PROTOCOL');
          return;
        }
        if (msg.items.some((i) => i.type === MSG_BLOCK || i.type === MSG_WITNESS_BLOCK || i.type === MSG_CMPCT_BLOCK)) {
          this.sync.onBlockInv(peer);
        }
        return;
      case 'getdata':
        this.broadcaster.onGetData(peer, msg.items);
        return;
      case 'addr':
        for (const a of this.takeAddrAllowance(peer, msg.addresses)) {
          if ((a.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0n || a.port === 0) continue;
          this.addrMan.add(ipToString(a.ip), a.port, 'peer', a.services, a.time * 1000);
        }
        return;
      case 'addrv2':
        for (const a of this.takeAddrAllowance(peer, msg.addresses)) {
          if ((a.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0n || a.port === 0) continue;
          if (a.networkId === BIP155_IPV4 || a.networkId === BIP155_IPV6) {
            this.addrMan.add(ipToString(a.addr), a.port, 'peer', a.services, a.time * 1000);
          }
        }
        return;
      case 'reject':
        this.opts.log.debug({ peer: peer.opts.address, message: msg.message, reason: msg.reason }, 'peer rejected a message');
        return;
      default:
        // getheaders (we serve nothing: no NODE_NETWORK), tx, feefilter, sendcmpct, notfound, unknown: ignored.
        return;
    }
  }
}

/** 16-byte (IPv4-mapped or IPv6) or 4-byte address -> text. */
function ipToString(ip: Uint8Array): string {
  const v4 = ip.length === 4 ? ip : ip.length === 16 && ip.subarray(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0)) ? ip.subarray(12) : null;
  if (v4 !== null) return Array.from(v4).join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((ip[i]! << 8) | ip[i + 1]!).toString(16));
  return parts.join(':');
}
