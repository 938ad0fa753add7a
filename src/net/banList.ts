import type { BanInfo } from '../protocol/net.js';
import { readJsonFile, writeJsonFile } from './jsonFile.js';

const MAX_BANS = 10_000;

/**
 * Banned addresses, persisted as `<dataDir>/bans.json`. The key is the IP; on loopback it is IP:port,
 * because local test nodes (and local tunnels such as Tor's) share one IP and must be judged apart.
 */
export class BanList {
  private readonly bans = new Map<string, BanInfo>();

  constructor(
    private readonly path: string | null,
    private readonly now: () => number = Date.now,
  ) {
    const data = path === null ? null : (readJsonFile(path) as BanInfo[] | null);
    if (Array.isArray(data)) {
      for (const b of data.slice(0, MAX_BANS)) {
        if (typeof b?.host === 'string' && typeof b.until === 'number') this.bans.set(b.host, b);
      }
    }
  }

  static key(host: string, port: number): string {
    const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
    return loopback ? `${host}:${port}` : host;
  }

  isBanned(host: string, port: number): boolean {
    const key = BanList.key(host, port);
    const b = this.bans.get(key);
    if (b === undefined) return false;
    if (b.until <= this.now()) {
      this.bans.delete(key);
      return false;
    }
    return true;
  }

  ban(host: string, port: number, durationMs: number, reason: string): void {
    if (this.bans.size >= MAX_BANS) {
      const first = this.bans.keys().next();
      if (!first.done) this.bans.delete(first.value);
    }
    this.bans.set(BanList.key(host, port), { host: BanList.key(host, port), until: this.now() + durationMs, reason });
    this.save();
  }

  list(): BanInfo[] {
    const now = this.now();
    return [...this.bans.values()].filter((b) => b.until > now);
  }

  /** Best effort: the ban stays in force in memory even if the file cannot be written. */
  private save(): void {
    if (this.path === null) return;
    try {
      writeJsonFile(this.path, this.list());
    } catch {
      // The caller logs the ban; a missing file only means it is forgotten at restart.
    }
  }
}
