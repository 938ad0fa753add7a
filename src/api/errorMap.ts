import { isSpvError } from '../errors/spvError.js';
import { RestError } from './envelope.js';

/** Fastify's own request errors (body parsing, validation, routing), by their `code`. */
function fastifyError(err: unknown): RestError | null {
  if (!(err instanceof Error)) return null;
  const { code, statusCode, validation } = err as Error & { code?: unknown; statusCode?: unknown; validation?: unknown };
  if (validation !== undefined) return new RestError(400, 'INVALID_PARAMS', err.message);
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RestError(413, 'PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RestError(415, 'ILLEGAL_DATAFORMAT', err.message);
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new RestError(400, 'INVALID_PARAMS', err.message);
    default:
      break;
  }
  // Every other client error fastify raises before the handler runs is about the body's encoding:
  // invalid or empty JSON, a bad Content-Length, a forbidden __proto__ key.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new RestError(400, 'ILLEGAL_DATAFORMAT', err.message);
  }
  return null;
}

/** Maps anything a handler or fastify throws to a status and envelope code, keeping the real reason. */
export function toRestError(err: unknown): RestError {
  if (err instanceof RestError) return err;
  if (isSpvError(err)) {
    const desc = `${err.message} (${err.code})`;
    switch (err.code) {
      case 'WORKER_UNAVAILABLE':
      case 'WORKER_CRASHED':
      case 'SHUTTING_DOWN':
      case 'STORE_CLOSED':
        return new RestError(503, 'UNAVAILABLE', desc);
      case 'TX_INVALID':
        return new RestError(400, 'ILLEGAL_DATAFORMAT', desc);
      case 'NET_NO_PEERS':
        return new RestError(503, 'BROADCAST_FAILED', desc);
      case 'BROADCAST_NO_PEERS':
        return new RestError(502, 'BROADCAST_FAILED', desc);
      case 'ALLIANCE_DISABLED':
      case 'ALLIANCE_NOT_FOUND':
        return new RestError(404, 'NOT_FOUND', desc);
      case 'CLIENT_CLOSED':
      case 'CLIENT_NOT_STARTED':
        return new RestError(503, 'UNAVAILABLE', desc);
      default:
        // A bad proof or key from the caller is the caller's fault; anything else left is ours.
        if (err.code.startsWith('MERKLE_') || err.code.startsWith('PROOF_') || err.code === 'KEY_INVALID') {
          return new RestError(400, 'INVALID_PARAMS', desc);
        }
        return new RestError(500, 'INTERNAL_ERROR', desc);
    }
  }
  return fastifyError(err) ?? new RestError(500, 'INTERNAL_ERROR', 'internal error');
}
