import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SpvError } from '../errors/spvError.js';
import { RestError } from './envelope.js';

/** Tokens are compared as sha256 digests: equal length whatever the input, so the compare is constant-time. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * A token must be usable in a header and not trivially passed: printable ASCII without spaces, non-empty.
 * Checked before the server starts.
 */
export function checkToken(token: string | null): void {
  if (token !== null && !/^[\x21-\x7e]+$/.test(token)) {
    throw new SpvError('CONFIG_INVALID', 'the REST token must be non-empty printable ASCII without spaces', {
      key: 'rest.tokenFile',
    });
  }
}

/**
 * The guard of state-changing endpoints: with a token configured, `Authorization: Bearer <token>` is required.
 * Runs before the body is read, so an unauthenticated client cannot make the server parse anything.
 */
export function bearerGuard(token: string | null): (authorization: string | undefined) => void {
  if (token === null) return () => undefined;
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = match?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new RestError(401, 'UNAUTHORIZED', 'a valid bearer token is required', null, {
        'www-authenticate': 'Bearer realm="spvclient"',
      });
    }
  };
}

/** Reads rest.tokenFile (main thread, at start): the token is the file's content without surrounding whitespace. */
export async function loadRestToken(tokenFile: string | null): Promise<string | null> {
  if (tokenFile === null) return null;
  let text: string;
  try {
    text = await readFile(tokenFile, 'utf8');
  } catch (err) {
    throw new SpvError('CONFIG_INVALID', 'the REST token file cannot be read', { key: 'rest.tokenFile' }, { cause: err });
  }
  const token = text.trim();
  checkToken(token);
  return token;
}
