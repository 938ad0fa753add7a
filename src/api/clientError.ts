import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { REST_CODES } from './envelope.js';
import type { RestCodeName } from './envelope.js';

/**
 * Requests node's HTTP parser rejects never reach fastify: answer them with the envelope too (fastify's default
 * handler sends a body without a code), then close the connection.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code: RestCodeName = 'ILLEGAL_DATAFORMAT';
  let desc = 'malformed HTTP request';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    desc = 'request timeout';
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    code = 'PAYLOAD_TOO_LARGE';
    desc = 'request headers too large';
  }
  if (socket.writable) {
    const body = JSON.stringify({ action: '', desc, error: REST_CODES[code], result: null });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
