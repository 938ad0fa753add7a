import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpvClient, SpvError, isDust } from 'spvclient';
import type { TipEvent } from 'spvclient';
import { BcoinNode, stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Block } from 'bitcoinjs-lib';
import { REPO_ROOT, readFixture, skipUnlessFixture } from '../helpers/fixtures.js';

const FX_PROOF = 'mainnet/merkle/txoutproof-0830000-0.bin';
import { tempDir } from '../helpers/tmp.js';

/**
 * The package as a consumer sees it: imported by its name (the built output, through package.json
 * "exports"), against a real bcoin regtest node. The README's example is run as its own process and must
 * exit by itself: no handle left open.
 */
describe('spvclient as a library (imported by package name)', () => {
  const dir = tempDir('spv-lib-');
  let node: BcoinNode;
  before(async () => {
    node = await BcoinNode.start();
    await node.mine(300);
  });
  after(async () => {
    await node.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  it('the README example syncs, reads the tip, broadcasts, closes and exits on its own', async () => {
    const spend = await node.makeSpend();
    const best = await node.bestHash();
    const height = await node.height();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'examples', 'library.mjs')], {
      cwd: REPO_ROOT,
      env: { ...process.env, SPV_PEER: `127.0.0.1:${node.p2pPort}`, SPV_TX: spend.hex, SPV_DATADIR: join(dir.path, 'example') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(-1);
      }, 30_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `the example must exit by itself (no open handle); output:\n${out}`);
    assert.match(out, new RegExp(`synced at ${height} ${best} \\(tbtc\\)`));
    assert.match(out, new RegExp(`broadcast ${spend.txid} to 1 peer\\(s\\)`));
    await node.waitForMempool(spend.txid);
  });

  it('create/start/events/queries/close through the public API, with typed errors', async () => {
    await assert.rejects(SpvClient.create({ network: 'litecoin' as never }), (e: unknown): boolean => e instanceof SpvError && e.code === 'CONFIG_INVALID');
    const client = await SpvClient.create({
      network: 'regtest',
      dataDir: join(dir.path, 'api'),
      peers: { connect: [`127.0.0.1:${node.p2pPort}`] },
    });
    await assert.rejects(client.chainTip(), (e: unknown): boolean => e instanceof SpvError && e.code === 'CLIENT_NOT_STARTED');
    assert.equal(client.currencyCode(), 'tbtc');
    assert.equal(client.params.name, 'regtest');
    assert.equal(isDust(545), true);
    assert.equal(client.isDust(546), false);

    try {
    const tips: TipEvent[] = [];
    client.on('tip', (t) => tips.push(t));
    const synced = new Promise((resolve) => client.once('synced', resolve));
    await client.start();
    await synced;
    const tip = await client.chainTip();
    assert.equal(tip.hash, await node.bestHash());
    assert.ok(tips.length > 0 && tips[tips.length - 1]!.hash === tip.hash, 'tip events arrived');

    // A new block: the async iterator sees it.
    const iter = client.events('tip');
    await node.mine(1);
    const next = await iter.next();
    assert.equal(next.done, false);
    assert.equal(next.value?.hash, await node.bestHash());

    const h = await client.headerByHeight(tip.height);
    assert.equal(h?.hashHex, tip.hash);
    assert.equal(await client.confirmations(tip.hash), 2);
    // A real mainnet proof: valid on its own, but for a block this (regtest) store does not have.
    const mainnetProof = skipUnlessFixture(FX_PROOF) === false ? readFixture(FX_PROOF) : null;
    if (mainnetProof !== null) {
      const block = Block.fromBuffer(Buffer.from(readFixture('mainnet/blocks/mainnet-block-830000.bin')));
      const coinbase = block.transactions![0]!.toBuffer();
      await assert.rejects(
        client.verifyProof(Uint8Array.from(coinbase), mainnetProof),
        (e: unknown): boolean => e instanceof SpvError && e.code === 'PROOF_BLOCK_UNKNOWN',
      );
    }
    assert.equal((await client.headerByHash(tip.hash))?.height, tip.height);
    assert.equal((await client.peers()).length, 1);

    // verifyProof: a real gettxoutproof of a mined transaction, checked against OUR best chain.
    const spend = await node.makeSpend();
    await node.sendRawTransaction(spend.raw);
    const [blockHash] = await node.mine(1);
    for (let i = 0; i < 100 && (await client.chainTip()).hash !== blockHash; i++) await new Promise((r) => setTimeout(r, 50));
    const proofHex = await node.rpc<string>('gettxoutproof', [[spend.txid], blockHash]);
    const proof = Uint8Array.from(Buffer.from(proofHex, 'hex'));
    const verified = await client.verifyProof(spend.raw, proof);
    assert.equal(verified.txid, spend.txid);
    assert.equal(verified.blockHash, blockHash);
    assert.equal(verified.confirmations, 1);
    await assert.rejects(client.verifyProof(spend.raw.subarray(0, 20), proof), (e: unknown): boolean => e instanceof SpvError && e.code === 'TX_INVALID');
    const other = await node.makeSpend();
    await assert.rejects(client.verifyProof(other.raw, proof), (e: unknown): boolean => e instanceof SpvError && e.code === 'MERKLE_TX_NOT_IN_PROOF');
    // Its block leaves the best chain (invalidateblock + a longer branch): the same proof is refused.
    await node.invalidateBlock(blockHash!);
    await node.mine(2);
    const newBest = await node.bestHash();
    for (let i = 0; i < 100 && (await client.chainTip()).hash !== newBest; i++) await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(client.verifyProof(spend.raw, proof), (e: unknown): boolean => e instanceof SpvError && e.code === 'PROOF_NOT_ON_BEST_CHAIN');

    // A rollback, then sync again: the tip comes back.
    const back = await client.resyncFrom(new Date((tip.time - 600) * 1000));
    assert.ok(back.disconnected.length > 0);
    assert.equal(back.resynced, true);
    const best = await node.bestHash();
    for (let i = 0; i < 100 && (await client.chainTip()).hash !== best; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await client.chainTip()).hash, best);

    await client.close();
    await client.close(); // idempotent
    // Events queued before close are still delivered, then the iterator ends (bounded drain).
    let ended = false;
    for (let i = 0; i < 1_000 && !ended; i++) ended = (await iter.next()).done === true;
    assert.equal(ended, true, 'iterators end when the client closes');
    await assert.rejects(client.chainTip(), (e: unknown): boolean => e instanceof SpvError && e.code === 'CLIENT_CLOSED');
    } finally {
      await client.close();
    }
  });
});
