// A worker that opens a LevelDB store, writes enough to start LevelDB's background compaction thread, closes the
// store and ends; with workerData.pin it first calls pinLevelAddon (src/store/levelAddon.ts). For levelAddon.test.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { Level } from 'level';
import { pinLevelAddon } from '../../src/store/levelAddon.js';

const { path, pin } = workerData as { path: string; pin: boolean };
const pinned = pin ? pinLevelAddon() : null;
// A 64 KB write buffer: 2 MB of values flush ~30 memtables, so compactions run on LevelDB's own thread.
const db = new Level<string, Uint8Array>(path, { valueEncoding: 'view', writeBufferSize: 64 * 1024 });
await db.open();
const value = new Uint8Array(4096).fill(7);
for (let batch = 0; batch < 16; batch++) {
  await db.batch(Array.from({ length: 32 }, (_, i) => ({ type: 'put' as const, key: `k${batch}-${i}`, value })));
}
await db.close();
parentPort!.postMessage({ pinned });
