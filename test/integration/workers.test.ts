import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { REGTEST } from '../../src/chain/params.js';
import { SpvError } from '../../src/errors/spvError.js';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import { transferBytes } from '../../src/supervisor/transfer.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { tempDir } from '../helpers/tmp.js';

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<SpvError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SpvError, `expected SpvError, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected rejection with ${code}`);
}

describe('chain worker behind the supervisor (real threads, real LevelDB)', () => {
  const dir = tempDir();
  const chain = new ChainBuilder(REGTEST);
  const blocks = chain.extend(6000);
  let sup: Supervisor;

  before(async () => {
    sup = await startSupervisor({ dataDir: dir.path, restartDelaysMs: [50] });
  });
  after(async () => {
    await sup.shutdown();
    dir.cleanup();
  });

  it('an error thrown in the chain worker arrives in the main thread with its code', async () => {
    const err = await rejectsWithCode(sup.chain.connectHeaders(new Uint8Array(79)), 'HEADER_BAD_LENGTH');
    assert.equal(err.details.length, 79);
  });

  it('validates batches on the pow pool and commits them in order with several in flight', async () => {
    const results = await Promise.all(
      [0, 1, 2].map((i) => sup.chain.connectHeaders(transferBytes(blocks.raw.subarray(i * 2000 * 80, (i + 1) * 2000 * 80)))),
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['extended', 'extended', 'extended'],
    );
    const tip = await sup.chain.tip();
    assert.equal(tip.height, 6000);
    assert.equal(tip.hashHex, blocks.headers[5999]!.hashHex);
  });

  it('reports a bad proof of work found by the pool per header, with its index', async () => {
    const next = chain.next();
    const bad = new Uint8Array(next.raw);
    bad[72] = 0xff; // bits 0x207fffff -> 0x207fffff with a lowered mantissa byte changed: still valid target
    bad[75] = 0x03; // exponent 3: a tiny target that the hash cannot meet
    const r = await sup.chain.connectHeaders(bad);
    assert.equal(r.outcome, 'invalid');
    assert.equal(r.rejected?.code, 'HEADER_BAD_POW');
    assert.equal(r.rejected?.index, 0);
    assert.equal(r.rejected?.height, 6001);
    const ok = await sup.chain.connectHeaders(next.raw);
    assert.equal(ok.outcome, 'extended');
  });

  it('restarts a crashed chain worker with backoff; acknowledged headers survive', async () => {
    const restarted = once(sup.chainHost, 'restarted');
    await sup.chainHost.crashForTest();
    await rejectsWithCode(sup.chain.tip(), 'WORKER_UNAVAILABLE');
    await restarted;
    assert.equal(sup.chainHost.restartCount, 1);
    const tip = await sup.chain.tip();
    assert.equal(tip.height, 6001);
    const audit = await sup.chain.audit();
    assert.deepEqual(audit.problems, []);
  });

  it('a call in flight when the worker dies fails with WORKER_CRASHED instead of hanging', async () => {
    const more = chain.extend(2000);
    const restarted = once(sup.chainHost, 'restarted');
    const pending = sup.chain.audit();
    await sup.chainHost.crashForTest();
    await rejectsWithCode(pending, 'WORKER_CRASHED');
    await restarted;
    const r = await sup.chain.connectHeaders(more.raw);
    assert.equal(r.outcome, 'extended');
  });
});

describe('chain worker start-up errors reach the caller typed', () => {
  it('STORE_LOCKED when the store is already open elsewhere', async () => {
    const dir = tempDir();
    const first = await startSupervisor({ dataDir: dir.path });
    try {
      await rejectsWithCode(startSupervisor({ dataDir: dir.path }), 'STORE_LOCKED');
    } finally {
      await first.shutdown();
      dir.cleanup();
    }
  });

  it('STORE_WRONG_NETWORK when the data belongs to another network', async () => {
    const dir = tempDir();
    const first = await startSupervisor({ dataDir: dir.path, network: 'regtest' });
    await first.shutdown();
    try {
      // Same path, other network: force it by pointing testnet4 at the regtest folder.
      const { renameSync } = await import('node:fs');
      const { join } = await import('node:path');
      renameSync(join(dir.path, 'data', 'regtest'), join(dir.path, 'data', 'testnet4'));
      await rejectsWithCode(startSupervisor({ dataDir: dir.path, network: 'testnet4' }), 'STORE_WRONG_NETWORK');
    } finally {
      dir.cleanup();
    }
  });

  it('ANCHOR_INVALID for an anchor that is not at a retarget height', async () => {
    const dir = tempDir();
    try {
      const b = new ChainBuilder(REGTEST);
      const h = b.extend(5).headers[4]!;
      await rejectsWithCode(
        startSupervisor({ dataDir: dir.path, start: { kind: 'anchor', height: 5, header: h.raw, chainwork: 12n } }),
        'ANCHOR_INVALID',
      );
    } finally {
      dir.cleanup();
    }
  });
});
