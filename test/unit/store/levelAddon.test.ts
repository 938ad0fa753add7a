import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { tempDir } from '../../helpers/tmp.js';

const WORKER = new URL('../../helpers/levelWorker.mjs', import.meta.url);

/** Whether classic-level's addon is mapped in this process now (Linux: /proc/self/maps). */
const addonMapped = (): boolean => readFileSync('/proc/self/maps', 'utf8').includes('classic-level');

/** Runs the worker to its end (store opened, compacted, closed) and returns what it posted. */
async function runWorker(path: string, pin: boolean): Promise<{ pinned: string | null }> {
  const w = new Worker(WORKER, { workerData: { path, pin } });
  const posted = new Promise<{ pinned: string | null }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const exited = new Promise<number>((resolve) => w.once('exit', resolve));
  const result = await posted;
  assert.equal(await exited, 0);
  return result;
}

// This file must not load `level` on the main thread: the control below relies on the worker being its only user.
describe('pinLevelAddon keeps LevelDB mapped after a worker that used it ends', { skip: process.platform !== 'linux' && 'Linux only (/proc/self/maps)' }, () => {
  test('control: without it, the addon is unloaded when the worker ends; with it, it stays mapped', async () => {
    const dir = tempDir();
    try {
      assert.equal(addonMapped(), false, 'the main thread never loaded the addon');
      await runWorker(`${dir.path}/a`, false);
      assert.equal(addonMapped(), false, 'Node unloaded the addon with the worker (the crash window)');
      const { pinned } = await runWorker(`${dir.path}/b`, true);
      assert.match(pinned ?? '', /classic-level.*\.node$/);
      assert.equal(addonMapped(), true, 'still mapped after the pinned worker ended');
    } finally {
      dir.cleanup();
    }
  });
});
