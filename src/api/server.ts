import type { AddressInfo } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import { fastify } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NetworkName } from '../chain/params.js';
import { SpvError } from '../errors/spvError.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { SpvClient } from '../client/spvClient.js';
import { bearerGuard, checkToken } from './auth.js';
import { ChainReads } from './chainReads.js';
import { handleClientError } from './clientError.js';
import type { RouteContext } from './context.js';
import { actionOf, failure, REST_CODES, RestError } from './envelope.js';
import { toRestError } from './errorMap.js';
import { RestMetrics } from './metrics.js';
import { registerBridgeRoutes } from './routes/bridge.js';
import { registerChainRoutes } from './routes/chain.js';
import { registerLegacyRoutes } from './routes/legacy.js';
import { registerNodeRoutes } from './routes/node.js';
import { errorEnvelopeSchema } from './schemas.js';

/** rest.requestTimeoutMs when a caller builds the REST config by hand without it (the schema's default). */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface RestDeps {
  /** The library API (the only path REST has into the workers). */
  readonly client: SpvClient;
  readonly config: Omit<Config['rest'], 'requestTimeoutMs'> & { readonly requestTimeoutMs?: number };
  readonly network: NetworkName;
  readonly log: Logger;
  /** The bearer token of rollback and broadcasttx (read from rest.tokenFile by the caller), or null for none. */
  readonly token: string | null;
}

export interface RestServer {
  /** Binds config.host:config.port (0 = an ephemeral port) and returns the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  readonly app: FastifyInstance;
}

/** Known paths and their methods, to tell a wrong method (405) from an unknown path (404). */
class RouteTable {
  private readonly routes = new Map<string, { readonly re: RegExp; readonly methods: Set<string> }>();

  add(url: string, methods: string | readonly string[]): void {
    let entry = this.routes.get(url);
    if (entry === undefined) {
      const pattern = url
        .split('/')
        .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      entry = { re: new RegExp(`^${pattern}$`), methods: new Set() };
      this.routes.set(url, entry);
    }
    for (const m of typeof methods === 'string' ? [methods] : methods) entry.methods.add(m);
  }

  /** The methods allowed on a concrete path, or null when no route has that path. */
  allowed(rawUrl: string): string[] | null {
    const path = rawUrl.split('?', 1)[0] ?? '';
    for (const { re, methods } of this.routes.values()) if (re.test(path)) return [...methods].sort();
    return null;
  }
}

function sendError(request: FastifyRequest, reply: FastifyReply, err: RestError): FastifyReply {
  const config = request.routeOptions.config;
  const action = config.action ?? actionOf(request.url);
  return reply
    .code(err.status)
    .headers(err.headers)
    .send(failure(action, err, err.result ?? config.errorResult ?? null));
}

/**
 * The REST API on the main thread: the original's four endpoints (same paths, bodies and envelope) plus tip,
 * header, peers, health, metrics and OpenAPI. It only calls the workers' APIs; nothing here blocks on I/O.
 */
export async function createRestServer(deps: RestDeps): Promise<RestServer> {
  checkToken(deps.token);
  const log = deps.log.child({ module: 'rest' });
  const metrics = new RestMetrics();
  const routes = new RouteTable();
  const requestTimeoutMs = deps.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = fastify({
    logger: false,
    bodyLimit: deps.config.bodyLimitBytes,
    // Slow clients (slowloris: headers or body a byte at a time) must not hold a connection for ever: the whole
    // request must arrive within requestTimeoutMs, the headers within the same bound, and node checks the deadlines
    // at least every second (its default sweep is every 30 s). fastify's own default is no request timeout at all.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    // No type coercion: {"height":"5"} is a schema violation, as in the original (JSON into a uint32 field).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    frameworkErrors: (err, request, reply) => {
      void sendError(request, reply, toRestError(err));
    },
    clientErrorHandler: handleClientError,
  });

  // JSON only: without this, text/plain bodies would be parsed as strings and reported as a schema violation.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));

  // Callback-style hooks, not async ones: every request passes through both, and an async hook costs a promise
  // and a microtask hop each (scripts/bench-rest.ts).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(request.method, route, reply.statusCode, seconds);
    if (log.isLevelEnabled('debug')) {
      log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'rest request');
    }
    done();
  });

  app.setErrorHandler<Error>((err, request, reply) => {
    const e = toRestError(err);
    if (e.status >= 500) log.error({ err, route: request.routeOptions.url, code: e.restCode }, 'rest request failed');
    else if (e.status === 401) log.warn({ route: request.routeOptions.url, ip: request.ip }, 'rest request unauthorized');
    return sendError(request, reply, e);
  });

  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.allowed(request.url);
    const e =
      allowed === null
        ? new RestError(404, 'NOT_FOUND', 'no such endpoint')
        : new RestError(405, 'INVALID_METHOD', `method not allowed, use ${allowed.join(', ')}`, null, {
            allow: allowed.join(', '),
          });
    return sendError(request, reply, e);
  });

  await app.register(fastifySwagger, {
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'spvclient REST API',
        version: '1.0.0',
        description: `Envelope {"action","desc","error","result"}; error codes: ${Object.entries(REST_CODES)
          .map(([name, code]) => `${code} ${name}`)
          .join(', ')}.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.addSchema(errorEnvelopeSchema);
  const ctx: RouteContext = {
    client: deps.client,
    reads: new ChainReads(deps.client),
    network: deps.network,
    log,
    metrics,
    requireToken: bearerGuard(deps.token),
  };
  registerLegacyRoutes(app, ctx);
  registerChainRoutes(app, ctx);
  registerNodeRoutes(app, ctx);
  registerBridgeRoutes(app, ctx);
  await app.ready();

  return {
    app,
    async listen() {
      try {
        await app.listen({ host: deps.config.host, port: deps.config.port });
      } catch (err) {
        throw new SpvError('REST_LISTEN_FAILED', `cannot listen on ${deps.config.host}:${deps.config.port}`, {
          host: deps.config.host,
          port: deps.config.port,
          reason: (err as NodeJS.ErrnoException).code ?? String(err),
        });
      }
      const addr = app.server.address() as AddressInfo;
      log.info({ host: addr.address, port: addr.port, auth: deps.token !== null }, 'rest listening');
      return { host: addr.address, port: addr.port };
    },
    async close() {
      await app.close();
      log.info({}, 'rest closed');
    },
  };
}
