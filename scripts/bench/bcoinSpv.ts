// Child process of scripts/bench-sync.ts: bcoin's own SPV node (bcoin.SPVNode, the same package as the full node)
// syncing from one loopback bcoin peer, on disk in a temp prefix. Prints ONE JSON line:
// {"height":N,"ms":M,"syncCpuMs":C} where M runs from startSync() until the chain height reaches the target (or the
// timeout) and C is this process's CPU time (user + system) over the same span.
//   node --import tsx scripts/bench/bcoinSpv.ts --peer 127.0.0.1:P --height K --prefix DIR --http-port Q
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

interface SpvNode {
  readonly chain: { readonly height: number };
  ensure(): Promise<void>;
  open(): Promise<void>;
  connect(): Promise<void>;
  startSync(): void;
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): void;
}

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    height: { type: 'string' },
    prefix: { type: 'string' },
    'http-port': { type: 'string' },
    'timeout-ms': { type: 'string' },
  },
});
const target = Number(values.height);
const timeoutMs = Number(values['timeout-ms'] ?? 300_000);
// The parent holds our stdin: when it dies, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const bcoin = createRequire(import.meta.url)('bcoin') as { SPVNode: new (opts: Record<string, unknown>) => SpvNode };
const node = new bcoin.SPVNode({
  network: 'regtest',
  prefix: values.prefix,
  memory: false,
  workers: false,
  only: [values.peer],
  seeds: [],
  maxOutbound: 1,
  logLevel: 'error',
  logFile: false,
  logConsole: false,
  httpHost: '127.0.0.1',
  httpPort: Number(values['http-port']),
  apiKey: 'bench',
});
node.on('error', (err) => console.error(`bcoin spv: ${err.message}`));
await node.ensure();
await node.open();
await node.connect();
const cpuBefore = process.cpuUsage();
const began = performance.now();
node.startSync();
let ms = 0;
// Bounded by the timeout; polled every 5 ms (bcoin connects blocks on this same thread).
for (let round = 0; round < 10_000_000; round++) {
  ms = performance.now() - began;
  if (node.chain.height >= target || ms > timeoutMs) break;
  await new Promise((r) => setTimeout(r, 5));
}
const height = node.chain.height;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ height, ms: Math.round(ms), syncCpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
await Promise.race([node.close(), new Promise((r) => setTimeout(r, 5000))]);
process.exit(0);
