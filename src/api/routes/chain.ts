import type { FastifyInstance } from 'fastify';
import { parseHeader } from '../../chain/header.js';
import type { HeaderInfo } from '../../protocol/chainTypes.js';
import { hashToHex, toHex } from '../../util/bytes.js';
import type { RouteContext } from '../context.js';
import { RestError, success } from '../envelope.js';
import { probe } from '../probe.js';
import { envelopeResponses, hashHexSchema, heightSchema } from '../schemas.js';

const MAX_HEIGHT = 0xffff_ffff;

const chainworkSchema = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'cumulative work, 64 hex digits' } as const;

const headerResultSchema = {
  type: 'object',
  required: ['height', 'hash', 'header', 'version', 'prevHash', 'merkleRoot', 'time', 'bits', 'nonce', 'chainwork', 'confirmations', 'onBestChain'],
  properties: {
    height: heightSchema,
    hash: hashHexSchema,
    header: { type: 'string', description: 'the raw 80-byte header, 160 hex digits' },
    version: { type: 'integer' },
    prevHash: hashHexSchema,
    merkleRoot: hashHexSchema,
    time: { type: 'integer' },
    bits: { type: 'integer' },
    nonce: { type: 'integer' },
    chainwork: chainworkSchema,
    confirmations: { type: 'integer', description: 'tip height - height + 1 on the best chain, 0 on a side branch' },
    onBestChain: { type: 'boolean' },
  },
} as const;

function headerResult(info: HeaderInfo) {
  const h = parseHeader(info.header);
  return {
    height: info.height,
    hash: info.hashHex,
    header: toHex(info.header),
    version: h.version,
    prevHash: hashToHex(h.prevHash),
    merkleRoot: hashToHex(h.merkleRoot),
    time: h.time,
    bits: h.bits,
    nonce: h.nonce,
    chainwork: info.chainworkHex,
    confirmations: info.confirmations,
    onBestChain: info.onBestChain,
  };
}

/** New read-only chain endpoints: the tip with the sync flag, and any stored header by height or hash. */
export function registerChainRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/api/v1/tip',
    {
      schema: {
        summary: 'The best-chain tip and whether header sync has caught up',
        response: envelopeResponses({
          type: 'object',
          required: ['network', 'height', 'hash', 'chainwork', 'time', 'synced'],
          properties: {
            network: { type: 'string' },
            height: heightSchema,
            hash: hashHexSchema,
            chainwork: chainworkSchema,
            time: { type: 'integer' },
            synced: { type: 'boolean', description: 'false also when the net worker does not answer' },
          },
        }),
      },
    },
    async () => {
      const [tip, sync] = await Promise.all([ctx.reads.tip(), probe(() => ctx.client.syncStatus())]);
      return success('tip', {
        network: ctx.network,
        height: tip.height,
        hash: tip.hash,
        chainwork: tip.chainwork,
        time: tip.time,
        synced: sync.ok && sync.value.synced,
      });
    },
  );

  app.get<{ Params: { hashOrHeight: string } }>(
    '/api/v1/header/:hashOrHeight',
    {
      schema: {
        summary: 'A header by decimal height (best chain) or by 64-hex display hash (any stored branch)',
        params: {
          type: 'object',
          required: ['hashOrHeight'],
          properties: {
            hashOrHeight: { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,9}|[0-9a-fA-F]{64})$' },
          },
        },
        response: envelopeResponses(headerResultSchema),
      },
      config: { action: 'header' },
    },
    async (req) => {
      const key = req.params.hashOrHeight;
      let info: HeaderInfo | null;
      if (key.length === 64) {
        info = await ctx.client.headerByHash(key);
      } else {
        const height = Number(key);
        if (height > MAX_HEIGHT) throw new RestError(400, 'INVALID_PARAMS', 'height must be at most 4294967295');
        info = await ctx.client.headerByHeight(height);
      }
      if (info === null) throw new RestError(404, 'NOT_FOUND', 'no such header');
      return success('header', headerResult(info));
    },
  );
}
