export { createRestServer } from './server.js';
export type { RestDeps, RestServer } from './server.js';
export { loadRestToken } from './auth.js';
export { REST_CODES } from './envelope.js';
export type { Envelope, RestCodeName } from './envelope.js';
