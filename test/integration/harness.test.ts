/**
 * Proves the integration-test helpers: a real bcoin regtest node (test/helpers/bcoinNode.ts), the scripted peer
 * (test/helpers/scriptedPeer.ts) and free ports (test/helpers/ports.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { headerHash } from '../../src/chain/header.js';
import { REGTEST } from '../../src/chain/params.js';
import { SpvError } from '../../src/errors/spvError.js';
import { bytesEqual, hashToHex } from '../../src/util/bytes.js';
import type { HeadersMessage } from '../../src/wire/index.js';
import { BcoinNode, runningBcoinNodes, stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { ChainBuilder } from '../helpers/chainBuilder.js';
import { freePort, freePorts, isPortOpen } from '../helpers/ports.js';
import { HeaderChain } from '../helpers/headerChain.js';
import { ScriptedPeer } from '../helpers/scriptedPeer.js';
import { WireConnection } from '../helpers/wireConnection.js';

const GENESIS_HASH = headerHash(REGTEST.genesisHeader);

/** Asserts that the headers link to each other and to `parent`; returns the hash of the last one. */
function assertLinked(parent: Uint8Array, msg: HeadersMessage): Uint8Array {
  let prev = parent;
  for (let i = 0; i < msg.count; i++) {
    const raw = msg.headers.subarray(i * 80, (i + 1) * 80);
    assert.ok(bytesEqual(raw.subarray(4, 36), prev), `header ${i} does not link to its predecessor`);
    prev = headerHash(raw);
  }
  return prev;
}

function spvCode(err: unknown): string {
  assert.ok(err instanceof SpvError, `expected an SpvError, got ${String(err)}`);
  return err.code;
}

describe('ports', () => {
  it('freePort / freePorts give distinct bindable ports, never 48444', async () => {
    const one = await freePort();
    const many = await freePorts(5);
    assert.equal(new Set(many).size, 5);
    for (const p of [one, ...many]) {
      assert.ok(p > 0 && p < 65536 && p !== 48444);
      assert.equal(await isPortOpen(p), false);
    }
  });
});

describe('bcoin node (child process)', { timeout: 60_000 }, () => {
  let node: BcoinNode;

  before(async () => {
    node = await BcoinNode.start();
  });
  after(async () => {
    await stopAllBcoinNodes();
  });

  it('mines 2,500 blocks', async () => {
    const t0 = Date.now();
    const hashes = await node.mine(2500);
    console.log(`# mined 2500 blocks in ${Date.now() - t0} ms`);
    assert.equal(hashes.length, 2500);
    assert.equal(await node.height(), 2500);
    assert.equal(await node.bestHash(), hashes[2499]);
    assert.equal(await node.blockHash(2500), hashes[2499]);
    assert.equal(hashToHex(headerHash(await node.blockHeader(2500))), hashes[2499]);
  });

  it('serves 2000 + 500 linked headers to a raw P2P client after version/verack', async () => {
    const conn = await WireConnection.connect(node.p2pPort);
    try {
      const theirs = await conn.handshake({ services: 0n, relay: false, startHeight: 0 });
      assert.match(theirs.userAgent, /bcoin/);
      assert.ok(theirs.version >= 70001);
      assert.equal(theirs.startHeight, 2500);

      const t0 = Date.now();
      const first = await conn.getHeaders([GENESIS_HASH]);
      assert.equal(first.count, 2000);
      const hash2000 = assertLinked(GENESIS_HASH, first);
      assert.equal(hashToHex(hash2000), await node.blockHash(2000));

      const second = await conn.getHeaders([hash2000, GENESIS_HASH]);
      assert.equal(second.count, 500);
      const tip = assertLinked(hash2000, second);
      console.log(`# 2500 headers over P2P in ${Date.now() - t0} ms`);
      assert.equal(hashToHex(tip), await node.blockHash(2500));
      assert.equal(conn.failure, null);
    } finally {
      conn.close();
    }
  });

  it('makeSpend gives a signed transaction bcoin accepts into its mempool', async () => {
    const spend = await node.makeSpend();
    assert.match(spend.txid, /^[0-9a-f]{64}$/);
    assert.equal(await node.sendRawTransaction(spend.raw), spend.txid);
    assert.ok((await node.mempool()).includes(spend.txid));
    // Each call spends another coinbase, so both can sit in the mempool.
    const again = await node.makeSpend();
    assert.notEqual(again.txid, spend.txid);
    assert.equal(await node.sendRawTransaction(again.hex), again.txid);
    assert.deepEqual(new Set(await node.mempool()), new Set([spend.txid, again.txid]));
    // bcoin's sendrawtransaction never reports a rejection; the helper notices the mempool lacks it.
    const forged = (await node.makeSpend()).raw.slice();
    forged[60] = forged[60]! ^ 0x01; // inside the input's DER signature
    await assert.rejects(node.sendRawTransaction(forged, { timeoutMs: 300 }), /not in bcoin's mempool/);
  });

  it('reports RPC errors with their message', async () => {
    await assert.rejects(node.rpc('getblockhash', [999_999]), /out of range/);
    await assert.rejects(node.rpc('nosuchmethod'), /Method not found/);
  });

  it('stop() ends the process, closes its ports and removes its data dir', async () => {
    const pid = node.pid;
    assert.ok(pid !== undefined);
    assert.equal(await node.p2pPortOpen(), true);
    const t0 = Date.now();
    await node.stop();
    console.log(`# bcoin stopped in ${Date.now() - t0} ms`);
    assert.equal(node.exited, true);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.equal(await isPortOpen(node.p2pPort), false);
    assert.equal(await isPortOpen(node.rpcPort), false);
    assert.equal(existsSync(node.prefix), false);
    assert.equal(runningBcoinNodes(), 0);
    await node.stop(); // idempotent
  });
});

describe('ScriptedPeer', () => {
  const builder = new ChainBuilder(REGTEST);
  const chain = builder.extend(2100).raw;
  const peers: ScriptedPeer[] = [];
  const start = async (...args: Parameters<typeof ScriptedPeer.start>): Promise<ScriptedPeer> => {
    const p = await ScriptedPeer.start(...args);
    peers.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
  });

  it('serves a 2,100-header chain like a node: 2000, then 100, then none', async () => {
    const peer = await start({ chain });
    const conn = await WireConnection.connect(peer.port);
    try {
      const theirs = await conn.handshake();
      assert.equal(theirs.startHeight, 2100);
      const first = await conn.getHeaders([GENESIS_HASH]);
      assert.equal(first.count, 2000);
      assert.ok(bytesEqual(first.headers, chain.subarray(0, 2000 * 80)));
      const h2000 = assertLinked(GENESIS_HASH, first);
      // An unknown hash first in the locator is skipped, as a node does.
      const second = await conn.getHeaders([new Uint8Array(32).fill(7), h2000, GENESIS_HASH]);
      assert.equal(second.count, 100);
      assert.ok(bytesEqual(assertLinked(h2000, second), builder.tipHash));
      assert.equal((await conn.getHeaders([builder.tipHash])).count, 0);
      // The stop hash ends the answer early.
      assert.equal((await conn.getHeaders([GENESIS_HASH], { stopHash: builder.hashAt(10) })).count, 10);

      const server = await peer.waitForConnection(1);
      const got = peer.messagesReceived[0]!.map((m) => m.command);
      assert.deepEqual(got, ['version', 'verack', 'getheaders', 'getheaders', 'getheaders', 'getheaders']);
      assert.equal(server.all('getheaders').length, 4);
    } finally {
      conn.close();
    }
  });

  it('a bad-checksum frame reaches the client as PEER_BAD_CHECKSUM from FrameDecoder', async () => {
    const peer = await start({ chain });
    const conn = await WireConnection.connect(peer.port);
    await conn.handshake();
    peer.sendBadChecksum();
    assert.equal(spvCode(await conn.waitForFailure()), 'PEER_BAD_CHECKSUM');
    assert.equal(await conn.waitClosed(), true);
  });

  it('wrong magic, oversized length, >2000 headers each fail the client with their code', async () => {
    const cases: Array<[string, (p: ScriptedPeer) => void]> = [
      ['PEER_BAD_MAGIC', (p) => p.sendWrongMagic()],
      ['PEER_OVERSIZED', (p) => p.sendOversized('headers')],
      ['PEER_TOO_MANY_ITEMS', (p) => p.sendTooManyHeaders()],
    ];
    const peer = await start({ chain });
    for (const [code, misbehave] of cases) {
      const accepted = peer.connections.length;
      const conn = await WireConnection.connect(peer.port);
      const server = await peer.waitForConnection(accepted + 1);
      await conn.handshake();
      misbehave(peer);
      assert.equal(spvCode(await conn.waitForFailure()), code);
      server.close();
    }
  });

  it('floods headers that never connect; hooks can ignore getheaders or skip the handshake', async () => {
    const peer = await start({ chain, onGetHeaders: () => 'ignore' });
    const conn = await WireConnection.connect(peer.port);
    await conn.handshake();
    peer.floodUnconnectedHeaders(12, 3);
    const known = new HeaderChain(chain);
    for (let i = 0; i < 12; i++) {
      const msg = await conn.next('headers');
      assert.equal(msg.count, 3);
      assert.equal(known.startFor([msg.headers.subarray(4, 36)]), 0, 'flood header connects to the chain');
      assertLinked(msg.headers.subarray(4, 36), msg);
    }
    await assert.rejects(conn.getHeaders([GENESIS_HASH], { timeoutMs: 200 }), /no 'headers' message/);
    conn.close();

    const silent = await start({ handshake: false });
    const c2 = await WireConnection.connect(silent.port);
    await assert.rejects(c2.handshake({ timeoutMs: 200 }), /no 'version' message/);
    c2.close();
  });
});
