import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import { BcoinNode, stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Socks5Server } from '../helpers/socks5Server.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { tempDir } from '../helpers/tmp.js';

/** Polls `fn` every 50 ms until it returns true or `timeoutMs` passes (bounded in time and count). */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const began = Date.now();
  for (let i = 0; i < Math.ceil(timeoutMs / 50) + 1; i++) {
    if (await fn()) return Date.now() - began;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('header sync from a real Bitcoin node (bcoin regtest on 127.0.0.1)', () => {
  const dir = tempDir('spv-sync-');
  let a: BcoinNode;
  let b: BcoinNode | null = null;
  let sup: Supervisor | null = null;
  const peersOf = (...nodes: BcoinNode[]) => ({
    peers: { connect: nodes.map((n) => `127.0.0.1:${n.p2pPort}`), handshakeTimeoutMs: 5_000 },
    sync: { headersTimeoutMs: 5_000, broadcastWaitMs: 1_500 },
  });
  const tipIs = (s: Supervisor, hashHex: string) => async () => (await s.chain.tip()).hashHex === hashHex;

  before(async () => {
    a = await BcoinNode.start();
    await a.mine(2_600);
  });
  after(async () => {
    await sup?.shutdown();
    await b?.stop();
    await a.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  it('initial sync of 2,600 blocks (two getheaders rounds) ends at bcoin\'s best block', async () => {
    sup = await startSupervisor({ dataDir: dir.path, net: peersOf(a) });
    const best = await a.bestHash();
    await until('initial sync', tipIs(sup, best), 30_000);
    const tip = await sup.chain.tip();
    assert.equal(tip.height, 2_600);
    const status = await sup.net.syncStatus();
    assert.equal(status.peers, 1);
    await until('synced flag', async () => (await sup!.net.syncStatus()).synced, 5_000);
    const peers = await sup.net.peers();
    assert.equal(peers.length, 1);
    assert.match(peers[0]!.userAgent, /bcoin/);
    assert.equal(peers[0]!.state, 'ready');
  });

  it('new blocks mined while connected arrive passively within 2 s', async () => {
    assert.ok(sup !== null);
    for (let round = 0; round < 3; round++) {
      await a.mine(1);
      const ms = await until('announced block', tipIs(sup, await a.bestHash()), 2_000);
      assert.ok(ms <= 2_000);
    }
    await a.mine(5);
    await until('five more blocks', tipIs(sup, await a.bestHash()), 2_000);
  });

  it('follows a reorg (invalidateblock, then a longer branch): bcoin announces only the new tip', async () => {
    assert.ok(sup !== null);
    const height = await a.height();
    await a.invalidateBlock(await a.blockHash(height - 5));
    await a.mine(12);
    const best = await a.bestHash();
    await until('reorg to bcoin\'s new best', tipIs(sup, best), 10_000);
    const status = await sup.net.syncStatus();
    assert.ok(status.reorgs >= 1, 'the reorg was counted');
    const audit = await sup.chain.audit();
    assert.deepEqual(audit.problems, []);
  });

  it('broadcasts a signed transaction that bcoin accepts into its mempool', async () => {
    assert.ok(sup !== null);
    const spend = await a.makeSpend();
    await until('tip after maturing coinbases', tipIs(sup, await a.bestHash()), 10_000);
    const r = await sup.net.broadcastTx(spend.raw);
    assert.equal(r.txid, spend.txid);
    assert.equal(r.peers, 1);
    await until('tx in bcoin mempool', async () => (await a.mempool()).includes(spend.txid), 5_000);
  });

  it('a restart resumes from the store and catches up on what was mined meanwhile', async () => {
    assert.ok(sup !== null);
    const before = await sup.chain.stats();
    await sup.shutdown();
    sup = null;
    await a.mine(30);
    sup = await startSupervisor({ dataDir: dir.path, net: peersOf(a) });
    assert.equal(sup.initialStats.tip.height, before.tip.height, 'the store kept its tip');
    await until('catch up after restart', tipIs(sup, await a.bestHash()), 10_000);
    const after = await sup.chain.stats();
    assert.equal(after.headerCount, before.headerCount + 30, 'only the 30 new headers were stored');
  });

  it('connects through a SOCKS5 proxy, sending host names unresolved (Tor-style)', async () => {
    const proxy = await Socks5Server.start();
    const other = tempDir('spv-socks-');
    try {
      const viaProxy = await startSupervisor({
        dataDir: other.path,
        net: {
          peers: { connect: [`localhost:${a.p2pPort}`], proxy: `socks5://127.0.0.1:${proxy.port}` },
          sync: { headersTimeoutMs: 5_000 },
        },
      });
      try {
        await until('sync through the proxy', tipIs(viaProxy, await a.bestHash()), 20_000);
        assert.deepEqual(proxy.requests[0], { host: 'localhost', port: a.p2pPort, addressType: 'domain' });
      } finally {
        await viaProxy.shutdown();
      }
    } finally {
      await proxy.close();
      other.cleanup();
    }
  });

  it('a second node with a competing, longer branch connected later wins by most work', async () => {
    assert.ok(sup !== null);
    b = await BcoinNode.start();
    await b.connectTo(a);
    await b.waitForTipOf(a, { timeoutMs: 20_000 });
    await b.disconnectFrom(a);
    await a.mine(3);
    await b.mine(8);
    const bBest = await b.bestHash();
    await until('a\'s 3 new blocks', tipIs(sup, await a.bestHash()), 5_000);
    await sup.shutdown();
    sup = await startSupervisor({ dataDir: dir.path, net: peersOf(a, b) });
    await until('b\'s longer branch', tipIs(sup, bBest), 15_000);
    const audit = await sup.chain.audit();
    assert.deepEqual(audit.problems, []);
    assert.equal((await sup.net.peers()).length, 2);
  });
});
