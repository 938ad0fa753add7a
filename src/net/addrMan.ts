import { readJsonFile, writeJsonFile } from './jsonFile.js';

/** One known address. `tried` once we completed a handshake with it (Core's tried/new tables). */
export interface AddrEntry {
  host: string;
  port: number;
  services: string;
  source: 'config' | 'dns' | 'peer';
  lastSeen: number;
  lastAttempt: number;
  lastSuccess: number;
  attempts: number;
  tried: boolean;
}

const MAX_NEW = 10_000;
const MAX_TRIED = 2_000;
const FILE_VERSION = 1;

export function addrKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The network group of a host, for outbound diversity (Core: one outbound connection per netgroup): an IPv4 /16,
 * an IPv6 /32, the exact address on loopback (local test nodes and tunnels), the name itself otherwise. Many
 * addresses in one group (one IP with many ports, one provider's range) then count as one choice, so an attacker
 * who fills the address manager with them gets one of our outbound slots, not all of them.
 */
export function netGroup(host: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4 !== null) return v4[1] === '127' ? host : `${v4[1]}.${v4[2]}/16`;
  if (host.includes(':')) {
    if (host === '::1') return host;
    const [a = '', b = ''] = host.split(':');
    return `${a}:${b}::/32`;
  }
  return host;
}

/** Parses "host:port" / "[v6]:port". */
export function parseHostPort(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s.trim());
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * The address manager, persisted as `<dataDir>/peers.json`: bounded new and tried sets, attempt
 * backoff, and selection that prefers addresses that worked before. Not Core's bucketed addrman (we
 * make few outbound connections and never accept inbound ones), but bounded against addr floods.
 */
export class AddrMan {
  private readonly entries = new Map<string, AddrEntry>();
  /**
   * The untried entries, in order of last sighting (a refreshed one moves to the end): the first is the stalest,
   * so add() under an addr flood evicts in O(1) instead of scanning every entry.
   */
  private readonly untried = new Map<string, AddrEntry>();
  private dirty = false;

  constructor(
    private readonly path: string | null,
    private readonly now: () => number = Date.now,
  ) {
    if (path !== null) this.load(path);
  }

  private load(path: string): void {
    const data = readJsonFile(path) as { version?: number; addresses?: AddrEntry[] } | null;
    if (data === null || data.version !== FILE_VERSION || !Array.isArray(data.addresses)) return;
    for (const e of data.addresses.slice(0, MAX_NEW + MAX_TRIED)) {
      if (typeof e?.host === 'string' && Number.isInteger(e.port) && e.port > 0 && e.port < 65536) {
        const key = addrKey(e.host, e.port);
        if (this.entries.has(key)) continue;
        const entry = { ...e, tried: e.tried === true };
        // A hand-edited or foreign file must not start us above the bounds.
        if (entry.tried ? this.entries.size - this.untried.size >= MAX_TRIED : this.untried.size >= MAX_NEW) continue;
        this.entries.set(key, entry);
        if (!entry.tried) this.untried.set(key, entry);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  save(): void {
    if (this.path === null || !this.dirty) return;
    writeJsonFile(this.path, { version: FILE_VERSION, addresses: [...this.entries.values()] });
    this.dirty = false;
  }

  /** Adds or refreshes an address; never grows past the bounds (old untried entries are evicted first). */
  add(host: string, port: number, source: AddrEntry['source'], services = 0n, seen = this.now()): void {
    const key = addrKey(host, port);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      if (seen > existing.lastSeen) {
        existing.lastSeen = seen;
        if (this.untried.delete(key)) this.untried.set(key, existing);
      }
      if (services !== 0n) existing.services = services.toString(16);
      this.dirty = true;
      return;
    }
    if (this.untried.size >= MAX_NEW) this.evictOldestUntried();
    const entry: AddrEntry = {
      host,
      port,
      services: services.toString(16),
      source,
      lastSeen: seen,
      lastAttempt: 0,
      lastSuccess: 0,
      attempts: 0,
      tried: false,
    };
    this.entries.set(key, entry);
    this.untried.set(key, entry);
    this.dirty = true;
  }

  private evictOldestUntried(): void {
    const first = this.untried.keys().next();
    if (first.done) return;
    this.untried.delete(first.value);
    this.entries.delete(first.value);
  }

  attempt(host: string, port: number): void {
    const e = this.entries.get(addrKey(host, port));
    if (e === undefined) return;
    e.lastAttempt = this.now();
    e.attempts++;
    this.dirty = true;
  }

  good(host: string, port: number): void {
    const e = this.entries.get(addrKey(host, port));
    if (e === undefined) return;
    e.lastSuccess = this.now();
    e.attempts = 0;
    if (!e.tried && this.entries.size - this.untried.size < MAX_TRIED) {
      e.tried = true;
      this.untried.delete(addrKey(host, port));
    }
    this.dirty = true;
  }

  /** Backoff after failures: 1 min doubling to 1 day. */
  private ready(e: AddrEntry): boolean {
    if (e.attempts === 0) return true;
    const wait = Math.min(86_400_000, 60_000 * 2 ** Math.min(e.attempts - 1, 12));
    return this.now() - e.lastAttempt >= wait;
  }

  /** Up to `n` addresses to dial, tried ones first, skipping those in `exclude` and in backoff. */
  select(n: number, exclude: (e: AddrEntry) => boolean): AddrEntry[] {
    const candidates = [...this.entries.values()].filter((e) => this.ready(e) && !exclude(e));
    candidates.sort((a, b) => Number(b.tried) - Number(a.tried) || b.lastSuccess - a.lastSuccess || b.lastSeen - a.lastSeen);
    return candidates.slice(0, n);
  }
}
