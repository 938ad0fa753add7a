/** JSON schemas shared by the routes: fastify validates requests and serialises responses with them. */

const envelopeProps = {
  action: { type: 'string', description: 'the last path segment of the endpoint' },
  desc: { type: 'string', description: '"SUCCESS", or the reason of the failure' },
  error: { type: 'integer', description: '0 on success, else a REST code (42001-42009)' },
} as const;

/** Registered once per server (app.addSchema) and referenced by $ref, so the OpenAPI document lists it once. */
export const errorEnvelopeSchema = {
  $id: 'ErrorEnvelope',
  type: 'object',
  required: ['action', 'desc', 'error', 'result'],
  properties: {
    ...envelopeProps,
    result: { description: 'null, or the original endpoint\'s empty result (e.g. {"header":""})' },
  },
} as const;

const ERROR_REF = { $ref: 'ErrorEnvelope#' } as const;

export function envelopeSchema<R extends object>(result: R) {
  return {
    type: 'object',
    required: ['action', 'desc', 'error', 'result'],
    properties: { ...envelopeProps, result },
  } as const;
}

/** Response schemas of an envelope endpoint: the success result, and the error envelope for 4xx/5xx. */
export function envelopeResponses<R extends object>(result: R) {
  return { 200: envelopeSchema(result), '4xx': ERROR_REF, '5xx': ERROR_REF } as const;
}

export const hashHexSchema = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'display-order hex' } as const;
export const heightSchema = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
