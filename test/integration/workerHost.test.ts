import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import type { ManagedApi } from '../../src/supervisor/workerHost.js';
import { WorkerHost } from '../../src/supervisor/workerHost.js';
import { hasCode } from '../helpers/assertions.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

interface FlakyApi extends ManagedApi {
  ready(): Promise<{ spawn: number }>;
}

describe('WorkerHost: a worker that dies while starting', () => {
  const dir = tempDir('spv-host-');
  after(() => dir.cleanup());

  function host(failures: number, name: string): WorkerHost<FlakyApi> {
    const counter = join(dir.path, name);
    writeFileSync(counter, '0');
    return new WorkerHost<FlakyApi>({
      name,
      url: pathToFileURL(join(REPO_ROOT, 'test', 'helpers', 'flakyWorker.mjs')),
      spawnData: () => ({ workerData: { counter, failures } }),
      log: silentLogger(),
      restartDelaysMs: [20],
    });
  }

  it('is restarted and start() succeeds when it comes up within two restarts', async () => {
    const h = host(2, 'twice');
    try {
      assert.deepEqual(await h.start(), { spawn: 2 });
      assert.equal(h.restartCount, 2);
      assert.equal(h.running, true);
    } finally {
      await h.stop();
    }
  });

  it('start() fails with WORKER_CRASHED (exit code in the details) when it keeps dying', async () => {
    const h = host(10, 'always');
    try {
      await assert.rejects(h.start(), (err: unknown) => {
        hasCode('WORKER_CRASHED')(err);
        assert.equal((err as { details: { exitCode: number } }).details.exitCode, 3);
        return true;
      });
    } finally {
      await h.stop();
    }
  });
});
