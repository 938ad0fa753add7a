import { Gauge, Histogram, Registry } from 'prom-client';
import type { SpvClient } from '../client/spvClient.js';
import type { NetCounters } from '../protocol/net.js';
import { probe } from './probe.js';

/**
 * Prometheus metrics of one REST server, in a registry of its own (several servers in one process, e.g. tests,
 * never share or clash). Chain and net figures are read from the workers on each scrape.
 */
export class RestMetrics {
  readonly registry = new Registry();
  private readonly up = this.gauge('spv_worker_up', 'whether the worker answered the last scrape (1) or not (0)', ['worker']);
  private readonly tipHeight = this.gauge('spv_tip_height', 'height of the best-chain tip');
  private readonly tipTime = this.gauge('spv_tip_time_seconds', 'timestamp of the best-chain tip (unix seconds)');
  private readonly synced = this.gauge('spv_synced', 'header sync caught up with the peers (1) or not (0)');
  private readonly targetHeight = this.gauge('spv_sync_target_height', 'best height reported by any ready peer');
  private readonly headersPerSecond = this.gauge('spv_sync_headers_per_second', 'header sync rate');
  private readonly peers = this.gauge('spv_peers', 'connected ready peers');
  private readonly bans = this.gauge('spv_bans', 'banned peer addresses');
  private readonly reorgs = this.gauge('spv_reorgs', 'reorgs seen by header sync since the net worker started');
  private readonly net = this.gauge(
    'spv_net',
    'net worker bookkeeping now and its peaks: peers, address cache, ban list, buffered bytes, queued header batches, ...',
    ['counter'],
  );
  private readonly misbehaviour = this.gauge(
    'spv_net_misbehaviour_points',
    'misbehaviour points given to peers since the net worker started, by error code',
    ['code'],
  );
  private readonly alliance = this.gauge(
    'spv_alliance_total',
    'alliance worker counters since it started (votes, refusals by code, reorg alerts, ...)',
    ['counter', 'code'],
  );
  private readonly allianceHeight = this.gauge('spv_alliance_next_height', 'next alliance-chain height the observer reads');
  private readonly latency = new Histogram({
    name: 'spv_rest_request_duration_seconds',
    help: 'REST request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.latency.observe({ method, route, status: String(status) }, seconds);
  }

  private async scrapeAlliance(client: SpvClient): Promise<void> {
    const [counters, status] = await Promise.all([probe(() => client.allianceCounters()), probe(() => client.allianceStatus())]);
    this.up.set({ worker: 'alliance' }, counters.ok ? 1 : 0);
    if (status.ok) this.allianceHeight.set(status.value.nextHeight);
    if (!counters.ok) return;
    for (const [name, value] of Object.entries(counters.value)) {
      if (typeof value === 'number') this.alliance.set({ counter: name, code: '' }, value);
      else for (const [code, n] of Object.entries(value as Record<string, number>)) this.alliance.set({ counter: name, code }, n);
    }
  }

  private setNet(counters: NetCounters): void {
    for (const [name, value] of Object.entries(counters)) {
      if (typeof value === 'number') this.net.set({ counter: name }, value);
    }
    for (const [code, points] of Object.entries(counters.scores)) this.misbehaviour.set({ code }, points);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads tip and sync state (a down worker shows as spv_worker_up 0; its figures keep their last value). */
  async scrape(client: SpvClient): Promise<string> {
    const [tip, sync, net] = await Promise.all([
      probe(() => client.chainTip()),
      probe(() => client.syncStatus()),
      probe(() => client.netCounters()),
    ]);
    this.up.set({ worker: 'chain' }, tip.ok ? 1 : 0);
    this.up.set({ worker: 'net' }, sync.ok ? 1 : 0);
    if (tip.ok) {
      this.tipHeight.set(tip.value.height);
      this.tipTime.set(tip.value.time);
    }
    if (sync.ok) {
      const s = sync.value;
      this.synced.set(s.synced ? 1 : 0);
      this.targetHeight.set(s.targetHeight);
      this.headersPerSecond.set(s.headersPerSecond);
      this.peers.set(s.peers);
      this.bans.set(s.bans);
      this.reorgs.set(s.reorgs);
    } else {
      this.synced.set(0);
    }
    if (net.ok) this.setNet(net.value);
    if (client.allianceEnabled) await this.scrapeAlliance(client);
    return this.registry.metrics();
  }
}
