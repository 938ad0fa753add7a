// A bare getheaders client (our wire codec, nothing else): version/verack, then getheaders from the last hash of
// each full answer, the next request sent as soon as an answer arrives (as spvclient's sync pipelines). It neither
// validates nor stores, so its rate is the peer's own getheaders serving rate over one loopback connection.
import { headerHash } from '../../src/chain/header.js';
import { MAX_HEADERS_RESULTS } from '../../src/wire/index.js';
import { DEFAULT_PROTOCOL_VERSION, WireConnection } from '../../test/helpers/wireConnection.js';

export interface ServingRate {
  readonly headers: number;
  readonly ms: number;
  readonly perSecond: number;
}

export async function measureGetheaders(opts: {
  port: number;
  magic: Uint8Array;
  /** Hash (internal order) the chain starts from, e.g. the genesis. */
  fromHash: Uint8Array;
  /** Stop after this many headers (or at the peer's tip). */
  target: number;
  timeoutMs: number;
}): Promise<ServingRate> {
  const conn = await WireConnection.connect(opts.port, { magic: opts.magic, maxStoredMessages: 64 });
  try {
    await conn.handshake({ startHeight: 0, relay: false, timeoutMs: 10_000 });
    let total = 0;
    let began = 0;
    const ask = (hash: Uint8Array): void =>
      conn.send({ command: 'getheaders', version: DEFAULT_PROTOCOL_VERSION, locator: [hash], stopHash: new Uint8Array(32) });
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`getheaders: ${total} of ${opts.target} headers after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      conn.onMessage((m) => {
        if (m.command !== 'headers') return;
        total += m.count;
        if (m.count === MAX_HEADERS_RESULTS && total < opts.target) {
          ask(headerHash(m.headers.subarray((m.count - 1) * 80)));
          return;
        }
        clearTimeout(timer);
        resolve(performance.now());
      });
      conn.socket.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`getheaders: connection closed after ${total} headers`));
      });
    });
    began = performance.now();
    ask(opts.fromHash);
    const ended = await done;
    const ms = ended - began;
    return { headers: total, ms: Math.round(ms), perSecond: Math.round((total / ms) * 1000) };
  } finally {
    conn.close();
  }
}
