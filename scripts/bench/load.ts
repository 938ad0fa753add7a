// autocannon (programmatic API, CommonJS, untyped) behind a small typed wrapper for the REST benchmark.
import { createRequire } from 'node:module';

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

interface AutocannonResult {
  readonly requests: Histogram & { readonly total: number };
  readonly latency: Histogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}

interface RequestSpec {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: RequestSpec) => RequestSpec;
}

type Autocannon = (opts: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  workers?: number;
  requests?: RequestSpec[];
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  /** Completed requests per second (2xx and others), averaged over the run. */
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly latencyMs: { readonly avg: number; readonly p50: number; readonly p99: number; readonly max: number };
}

export async function load(opts: {
  url: string;
  connections: number;
  seconds: number;
  requests?: RequestSpec[];
}): Promise<LoadResult> {
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    pipelining: 1,
    duration: opts.seconds,
    ...(opts.requests === undefined ? {} : { requests: opts.requests }),
  });
  const total = r['2xx'] + r.non2xx;
  return {
    requestsPerSecond: Math.round(total / r.duration),
    total,
    non2xx: r.non2xx,
    errors: r.errors,
    latencyMs: { avg: Math.round(r.latency.average * 100) / 100, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  };
}

export type { RequestSpec };
