import type { FastifyInstance } from 'fastify';
import { isSpvError } from '../../errors/spvError.js';
import { fromHexOrNull } from '../../util/bytes.js';
import type { RouteContext } from '../context.js';
import { RestError, success } from '../envelope.js';
import { envelopeResponses, hashHexSchema, heightSchema } from '../schemas.js';

const MAX_PAGE = 1000;
const recordSchema = { type: 'object', additionalProperties: true } as const;
const listQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    after: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'page after this txid / id' },
  },
  additionalProperties: false,
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } } } as const;

function bytesParam(value: string, what: string): Uint8Array {
  const b = fromHexOrNull(value);
  if (b === null || b.length === 0) throw new RestError(400, 'INVALID_PARAMS', `${what} must be non-empty hex`);
  return b;
}

/**
 * The bridge endpoints: proof verification against our header chain, and the alliance worker's deposits and
 * withdrawals with their states and reasons.
 */
export function registerBridgeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Body: { tx: string; proof: string } }>(
    '/api/v1/verifyproof',
    {
      schema: {
        summary: 'Is this transaction proven (merkleblock / gettxoutproof) in a block on our best chain?',
        body: {
          type: 'object',
          required: ['tx', 'proof'],
          properties: { tx: { type: 'string', maxLength: 8_000_000 }, proof: { type: 'string', maxLength: 8_000_000 } },
        },
        response: envelopeResponses({
          type: 'object',
          required: ['valid', 'code'],
          properties: {
            valid: { type: 'boolean' },
            code: { type: ['string', 'null'], description: 'why it is not valid (MERKLE_*, PROOF_*, TX_INVALID), null when valid' },
            txid: { ...hashHexSchema, type: ['string', 'null'] },
            blockHash: { ...hashHexSchema, type: ['string', 'null'] },
            height: { ...heightSchema, type: ['integer', 'null'] },
            index: { type: ['integer', 'null'] },
            confirmations: { type: 'integer' },
            reason: { type: ['string', 'null'] },
          },
        }),
      },
    },
    async (req) => {
      const tx = bytesParam(req.body.tx, 'tx');
      const proof = bytesParam(req.body.proof, 'proof');
      try {
        const r = await ctx.client.verifyProof(tx, proof);
        return success('verifyproof', {
          valid: true,
          code: null,
          txid: r.txid,
          blockHash: r.blockHash,
          height: r.height,
          index: r.index,
          confirmations: r.confirmations,
          reason: null,
        });
      } catch (err) {
        // A proof that does not hold is an answer, not a failed request.
        if (isSpvError(err) && (err.code.startsWith('MERKLE_') || err.code.startsWith('PROOF_') || err.code === 'TX_INVALID')) {
          const blockHash = typeof err.details['blockHash'] === 'string' ? err.details['blockHash'] : null;
          const height = typeof err.details['height'] === 'number' ? err.details['height'] : null;
          return success('verifyproof', { valid: false, code: err.code, txid: null, blockHash, height, index: null, confirmations: 0, reason: err.message });
        }
        throw err;
      }
    },
  );

  app.get<{ Querystring: { limit: number; after?: string } }>(
    '/api/v1/deposits',
    { schema: { summary: 'BTC deposits seen on the alliance chain, by txid, with state and reason', querystring: listQuery, response: envelopeResponses({ type: 'array', items: recordSchema }) } },
    async (req) => success('deposits', await ctx.client.deposits(req.query.limit, req.query.after)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/deposits/:id',
    { schema: { summary: 'One deposit by BTC txid', params: idParams, response: envelopeResponses(recordSchema) }, config: { action: 'deposit' } },
    async (req) => {
      const d = await ctx.client.deposit(req.params.id.toLowerCase());
      if (d === null) throw new RestError(404, 'NOT_FOUND', 'no deposit with this txid');
      return success('deposit', d);
    },
  );

  app.get<{ Querystring: { limit: number; after?: string } }>(
    '/api/v1/withdrawals',
    { schema: { summary: 'Withdrawals (makeBtcTx) by unsigned tx hash, with state and reason', querystring: listQuery, response: envelopeResponses({ type: 'array', items: recordSchema }) } },
    async (req) => success('withdrawals', await ctx.client.withdrawals(req.query.limit, req.query.after)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/withdrawals/:id',
    { schema: { summary: 'One withdrawal by unsigned tx hash', params: idParams, response: envelopeResponses(recordSchema) }, config: { action: 'withdrawal' } },
    async (req) => {
      const w = await ctx.client.withdrawal(req.params.id.toLowerCase());
      if (w === null) throw new RestError(404, 'NOT_FOUND', 'no withdrawal with this id');
      return success('withdrawal', w);
    },
  );
}
