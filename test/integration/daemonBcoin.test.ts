import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BcoinNode, stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { exitOf, spawnCli, waitForLine } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

interface Envelope<T> {
  action: string;
  desc: string;
  error: number;
  result: T;
}

/** The product end to end: the built daemon syncing from a real node, answering REST, broadcasting. */
describe('daemon + REST against a real Bitcoin node (bcoin regtest)', () => {
  const dir = tempDir('spv-daemon-');
  let node: BcoinNode;
  before(async () => {
    node = await BcoinNode.start();
    await node.mine(2_500);
  });
  after(async () => {
    await node.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  it('syncs, serves the tip over REST, broadcasts through REST, stops cleanly on SIGTERM', async () => {
    const tokenFile = join(dir.path, 'token');
    writeFileSync(tokenFile, 'test-token-0123456789abcdef\n');
    const conf = join(dir.path, 'conf.json');
    writeFileSync(
      conf,
      JSON.stringify({
        network: 'regtest',
        dataDir: 'data',
        peers: { connect: [`127.0.0.1:${node.p2pPort}`] },
        rest: { port: 0, tokenFile: 'token' },
      }),
    );
    const child = spawnCli(['--config', conf, '--loglevel', '2']);
    try {
      const line = await waitForLine(child, /"msg":"rest listening"/);
      const port = (JSON.parse(line) as { port: number }).port;
      const base = `http://127.0.0.1:${port}`;
      const best = await node.bestHash();
      type Tip = { height: number; hash: string; synced: boolean };
      let tip = null as Tip | null;
      for (let i = 0; i < 200 && tip?.hash !== best; i++) {
        const r = (await (await fetch(`${base}/api/v1/tip`)).json()) as Envelope<Tip>;
        tip = r.result;
        if (tip?.hash !== best) await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(tip?.hash, best, "REST tip equals bcoin's getbestblockhash");
      assert.equal(tip?.height, 2_500);

      const h = (await (await fetch(`${base}/api/v1/getcurrentheight`)).json()) as Envelope<{ height: number }>;
      assert.deepEqual([h.error, h.result.height], [0, 2_500]);

      const spend = await node.makeSpend();
      const unauth = await fetch(`${base}/api/v1/broadcasttx`, { method: 'POST', body: JSON.stringify({ tx: spend.hex }) });
      assert.equal(unauth.status, 401);
      const res = await fetch(`${base}/api/v1/broadcasttx`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token-0123456789abcdef', 'content-type': 'application/json' },
        body: JSON.stringify({ tx: spend.hex }),
      });
      const body = (await res.json()) as Envelope<{ txid: string; peers: number }>;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.result, { txid: spend.txid, peers: 1 });
      await node.waitForMempool(spend.txid);

      // The net worker's counters reach /metrics across the thread boundary: one connection, to bcoin.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^spv_net\{counter="connectionsOpened"\} 1$/m);
      assert.match(metrics, /^spv_net\{counter="readyPeers"\} 1$/m);

      child.kill('SIGTERM');
      const { code } = await exitOf(child);
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
