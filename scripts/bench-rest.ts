// REST throughput and latency on loopback: the real daemon (`node dist/main.js`) over a real store holding N
// imported synthetic regtest headers, loaded with autocannon on GET /api/v1/getcurrentheight and
// POST /api/v1/queryheaderbyheight (random heights of the best chain). autocannon runs in this process, so on a
// small machine the load generator and the server share the cores: the figures are a floor.
// Prints human lines, then ONE JSON line last. Never asserts.
//   npm run bench:rest -- --headers 10000 --seconds 5 --connections 32
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REGTEST } from '../src/chain/params.js';
import { ChainBuilder } from '../test/helpers/chainBuilder.js';
import { Daemon, MAIN_JS } from './bench/daemon.js';
import type { LoadResult, RequestSpec } from './bench/load.js';
import { load } from './bench/load.js';
import { machine, numberFlag } from './bench/measure.js';

const { values } = parseArgs({
  options: {
    headers: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    gomaxprocs: { type: 'string' },
    'cpu-prof': { type: 'boolean' },
  },
});
const headers = Math.floor(numberFlag(values.headers, 10_000, 'headers'));
const seconds = numberFlag(values.seconds, 5, 'seconds');
const connections = Math.floor(numberFlag(values.connections, 32, 'connections'));
const gomaxprocs = Math.floor(numberFlag(values.gomaxprocs, 2, 'gomaxprocs'));
const dir = mkdtempSync(join(tmpdir(), 'spv-bench-rest-'));

function describe(name: string, r: LoadResult): void {
  console.log(
    `${name}: ${r.requestsPerSecond} req/s, latency avg ${r.latencyMs.avg} ms p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms max ${r.latencyMs.max} ms` +
      ` (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`,
  );
}

let daemon: Daemon | null = null;
try {
  const file = join(dir, 'headers.bin');
  const chain = new ChainBuilder(REGTEST).extend(headers, { spacing: 120 });
  writeFileSync(file, Buffer.concat([Buffer.from(REGTEST.genesisHeader), Buffer.from(chain.raw)]));
  const imp = spawnSync(
    process.execPath,
    [MAIN_JS, 'import', file, '--json', '--network', 'regtest', '--datadir', join(dir, 'data'), '--loglevel', '6'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (imp.status !== 0) throw new Error(`import failed (${imp.status}): ${imp.stderr}`);
  console.log(`store: ${headers} headers imported`);

  const profDir = join(process.cwd(), 'bench-profiles');
  daemon = await Daemon.start({
    dir,
    network: 'regtest',
    gomaxprocs,
    nodeFlags: values['cpu-prof'] === true ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  });
  const tip = await daemon.waitTip((t) => t.height === headers, { timeoutMs: 30_000 });
  if (tip?.height !== headers) throw new Error(`daemon tip ${tip?.height ?? 'none'}, expected ${headers}`);

  const url = daemon.url;
  // A short warm-up so the JIT and the connection pools have settled before the measured runs.
  await load({ url: `${url}/api/v1/getcurrentheight`, connections, seconds: 1 });
  const height = await load({ url: `${url}/api/v1/getcurrentheight`, connections, seconds });
  describe('GET  /api/v1/getcurrentheight', height);
  let seed = 1;
  const randomHeights = [
    {
      method: 'POST',
      path: '/api/v1/queryheaderbyheight',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req: RequestSpec): RequestSpec => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return { ...req, body: JSON.stringify({ height: seed % (headers + 1) }) };
      },
    },
  ];
  // Warm-up as above. The server keeps up to 16,384 best-chain headers on the main thread (src/api/chainReads.ts),
  // so with a store of that size or less this measures the cached path; a miss costs one chain-worker round trip.
  await load({ url, connections, seconds: 1, requests: randomHeights });
  const byHeight = await load({ url, connections, seconds, requests: randomHeights });
  describe('POST /api/v1/queryheaderbyheight', byHeight);
  await daemon.stop();
  if (values['cpu-prof'] === true) console.log(`daemon CPU profile written to ${profDir}`);
  console.log(
    JSON.stringify({
      bench: 'rest',
      ...machine(),
      headers,
      seconds,
      connections,
      getcurrentheight: height,
      queryheaderbyheight: byHeight,
    }),
  );
} finally {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
}
