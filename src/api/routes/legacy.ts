import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteContext } from '../context.js';
import { BEARER_SECURITY } from '../context.js';
import { RestError, success } from '../envelope.js';
import { envelopeResponses, hashHexSchema, heightSchema } from '../schemas.js';
import { decodeTransaction } from '../tx.js';
import { requireUtcDateTime } from '../utcTime.js';

/** The original's four endpoints: same paths, bodies and envelope; real reasons and honest results. */
export function registerLegacyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const guard = async (req: FastifyRequest): Promise<void> => ctx.requireToken(req.headers.authorization);

  app.get(
    '/api/v1/getcurrentheight',
    {
      schema: {
        summary: 'Height of the best-chain tip (the query string is ignored)',
        response: envelopeResponses({ type: 'object', required: ['height'], properties: { height: heightSchema } }),
      },
      config: { errorResult: { height: 0 } },
    },
    async () => success('getcurrentheight', { height: (await ctx.reads.tip()).height }),
  );

  app.post<{ Body: { height: number } }>(
    '/api/v1/queryheaderbyheight',
    {
      schema: {
        summary: 'The raw 80-byte best-chain header at a height',
        body: { type: 'object', required: ['height'], properties: { height: heightSchema } },
        response: envelopeResponses({
          type: 'object',
          required: ['header'],
          properties: { header: { type: 'string', description: '160 hex digits' } },
        }),
      },
      config: { errorResult: { header: '' } },
    },
    async (req) => {
      const header = await ctx.reads.headerHexAt(req.body.height);
      if (header === null) throw new RestError(404, 'NOT_FOUND', 'no best-chain header at this height (above the tip or below the anchor)');
      return success('queryheaderbyheight', { header });
    },
  );

  app.post<{ Body: { time: string } }>(
    '/api/v1/rollback',
    {
      onRequest: guard,
      schema: {
        summary: 'Roll the best chain back to the newest header older than a UTC time, then resync',
        security: BEARER_SECURITY,
        body: {
          type: 'object',
          required: ['time'],
          properties: { time: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' } },
        },
        response: envelopeResponses({
          type: 'object',
          required: ['height', 'hash', 'disconnected', 'deleted', 'resynced'],
          properties: {
            height: heightSchema,
            hash: hashHexSchema,
            disconnected: { type: 'integer', description: 'best-chain headers removed' },
            deleted: { type: 'integer', description: 'headers deleted across all branches' },
            resynced: { type: 'boolean' },
          },
        }),
      },
    },
    async (req) => {
      const time = requireUtcDateTime(req.body.time);
      const r = await ctx.client.resyncFrom(new Date(time * 1000));
      const result = {
        height: r.tip.height,
        hash: r.tip.hashHex,
        disconnected: r.disconnected.length,
        deleted: r.deleted,
        resynced: r.resynced,
      };
      ctx.log.warn({ time, height: result.height, disconnected: result.disconnected, deleted: r.deleted }, 'rest rollback');
      if (!r.resynced) throw new RestError(503, 'UNAVAILABLE', 'rolled back, but the resync failed', result);
      return success('rollback', result);
    },
  );

  app.post<{ Body: { tx: string } }>(
    '/api/v1/broadcasttx',
    {
      onRequest: guard,
      schema: {
        summary: 'Announce a raw transaction to the peers; succeeds only when at least one peer fetched it',
        security: BEARER_SECURITY,
        body: {
          type: 'object',
          required: ['tx'],
          properties: { tx: { type: 'string', minLength: 2, pattern: '^(?:[0-9a-fA-F]{2})+$' } },
        },
        response: envelopeResponses({
          type: 'object',
          required: ['txid', 'peers'],
          properties: { txid: hashHexSchema, peers: { type: 'integer', minimum: 1 } },
        }),
      },
    },
    async (req) => {
      const { raw } = decodeTransaction(req.body.tx);
      const r = await ctx.client.broadcast(raw);
      if (r.peers < 1) throw new RestError(502, 'BROADCAST_FAILED', 'no peer asked for the transaction');
      ctx.log.info({ txid: r.txid, peers: r.peers }, 'rest transaction broadcast');
      return success('broadcasttx', { txid: r.txid, peers: r.peers });
    },
  );
}
