// A worker for WorkerHost tests: it dies during its ready handshake on its first `failures` spawns
// (counted in a file, since each spawn is a fresh thread), then answers ready() normally.
import { readFileSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const spawn = Number(readFileSync(workerData.counter, 'utf8'));
writeFileSync(workerData.counter, String(spawn + 1));
expose(
  {
    async ready() {
      if (spawn < workerData.failures) {
        setTimeout(() => process.exit(3), 10);
        await new Promise(() => undefined); // never answers: the thread dies first
      }
      return { spawn };
    },
    async close() {},
  },
  nodeEndpoint(parentPort),
);
