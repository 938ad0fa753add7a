import type { NetworkName } from '../chain/params.js';
import type { Logger } from '../log/logger.js';
import type { SpvClient } from '../client/spvClient.js';
import type { ChainReads } from './chainReads.js';
import type { RestMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Envelope `action` when it is not the last path segment (routes with a path parameter). */
    action?: string;
    /** The original endpoint's `result` on failure (e.g. {"header":""}); null when absent. */
    errorResult?: unknown;
  }
}

/** What every route module gets. */
export interface RouteContext {
  /** The library API: REST has no other path into the workers. */
  readonly client: SpvClient;
  /** Tip and best-chain headers for the hot endpoints (single-flight tip, tip-validated header cache). */
  readonly reads: ChainReads;
  readonly network: NetworkName;
  readonly log: Logger;
  readonly metrics: RestMetrics;
  /** Throws a 401 RestError unless the Authorization header carries the configured token (no-op without one). */
  readonly requireToken: (authorization: string | undefined) => void;
}

/** The OpenAPI security requirement of the guarded routes. */
export const BEARER_SECURITY = [{ bearer: [] }];
