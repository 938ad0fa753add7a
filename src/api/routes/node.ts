import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';
import { success } from '../envelope.js';
import { probe } from '../probe.js';
import { envelopeResponses } from '../schemas.js';

const peerSchema = {
  type: 'object',
  required: [
    'id', 'address', 'state', 'inbound', 'trusted', 'syncPeer', 'version', 'userAgent', 'services', 'startHeight',
    'bestHeight', 'latencyMs', 'banScore', 'connectedAt', 'bytesIn', 'bytesOut',
  ],
  properties: {
    id: { type: 'string' },
    address: { type: 'string', description: 'host:port as dialled' },
    state: { type: 'string', enum: ['connecting', 'handshake', 'ready'] },
    inbound: { type: 'boolean' },
    trusted: { type: 'boolean' },
    syncPeer: { type: 'boolean' },
    version: { type: 'integer' },
    userAgent: { type: 'string' },
    services: { type: 'string', description: 'service bits, hex' },
    startHeight: { type: 'integer' },
    bestHeight: { type: 'integer' },
    latencyMs: { type: 'number', nullable: true },
    banScore: { type: 'integer' },
    connectedAt: { type: 'integer', description: 'unix milliseconds' },
    bytesIn: { type: 'integer' },
    bytesOut: { type: 'integer' },
  },
} as const;

const healthSchema = {
  type: 'object',
  required: ['status', 'network', 'synced', 'peers', 'height', 'problems'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    network: { type: 'string' },
    synced: { type: 'boolean' },
    peers: { type: 'integer' },
    height: { type: 'integer', nullable: true },
    problems: {
      type: 'array',
      items: { type: 'string', enum: ['chain_unavailable', 'net_unavailable', 'not_synced', 'no_peers'] },
    },
  },
} as const;

type Problem = 'chain_unavailable' | 'net_unavailable' | 'not_synced' | 'no_peers';

/** Peers, health, metrics and the OpenAPI document. */
export function registerNodeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/api/v1/peers',
    {
      schema: {
        summary: 'Connected peers',
        response: envelopeResponses({
          type: 'object',
          required: ['count', 'peers'],
          properties: { count: { type: 'integer' }, peers: { type: 'array', items: peerSchema } },
        }),
      },
    },
    async () => {
      const peers = await ctx.client.peers();
      return success('peers', { count: peers.length, peers });
    },
  );

  app.get(
    '/healthz',
    {
      schema: {
        summary: '200 when header sync has caught up and at least one peer is connected, else 503; never fails',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const [tip, sync] = await Promise.all([probe(() => ctx.client.chainTip()), probe(() => ctx.client.syncStatus())]);
      const problems: Problem[] = [];
      if (!tip.ok) problems.push('chain_unavailable');
      if (!sync.ok) problems.push('net_unavailable');
      else {
        if (!sync.value.synced) problems.push('not_synced');
        if (sync.value.peers < 1) problems.push('no_peers');
      }
      const ok = problems.length === 0;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        network: ctx.network,
        synced: sync.ok && sync.value.synced,
        peers: sync.ok ? sync.value.peers : 0,
        height: tip.ok ? tip.value.height : null,
        problems,
      });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
      },
    },
    async (_req, reply) => {
      const text = await ctx.metrics.scrape(ctx.client);
      return reply.type(ctx.metrics.contentType).send(text);
    },
  );

  app.get(
    '/docs/json',
    {
      schema: {
        summary: 'This OpenAPI document',
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
}
