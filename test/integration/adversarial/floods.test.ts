/**
 * Adversarial peers that flood: unconnected or duplicate headers, inv, addr, pings, unknown commands, empty
 * answers, unconnecting announcements. Each runs next to an honest peer against an in-process node; memory is
 * shown bounded through the node's own counters (NetService.counters()), never process RSS.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { REGTEST } from '../../../src/chain/params.js';
import { MAX_BATCHES_IN_FLIGHT } from '../../../src/net/headerSync.js';
import { MAX_SEND_BUFFER_BYTES } from '../../../src/net/peer.js';
import type { AddrEntry } from '../../../src/wire/addr.js';
import { MSG_BLOCK, MSG_TX, encodeMessage } from '../../../src/wire/index.js';
import { sleep, until } from '../../helpers/peerHarness.js';
import type { TestNode } from '../../helpers/peerHarness.js';
import { rawFrame, unconnectedHeadersFlood } from '../../helpers/abusiveFrames.js';
import { ScriptedPeer } from '../../helpers/scriptedPeer.js';
import type { WireConnection } from '../../helpers/wireConnection.js';
import { behaviour, reportCoverage } from './behaviours.js';
import { afterHandshake, expectBanned, expectDroppedNotBanned, honestSide, nextToHonest } from './scenario.js';

reportCoverage('floods');

/** At most this many batches of one peer are ever queued: the limit, plus what one socket chunk completes. */
const BATCH_BOUND = MAX_BATCHES_IN_FLIGHT + 1;

describe('adversarial peers: floods (in-process node)', () => {
  const side = honestSide();
  const { raw: honestRaw, tipHex: honestTip } = side;

  /** A peer that serves the honest chain (so it is a fine sync peer) and floods once we are synced. */
  async function flooderOnceSynced(node: TestNode, adversary: ScriptedPeer): Promise<WireConnection> {
    await node.waitForTip(honestTip);
    await until(
      'the adversary ready',
      async () => (await node.net.peers()).some((p) => p.address === `127.0.0.1:${adversary.port}` && p.state === 'ready'),
      5_000,
    );
    // Our one "what do you have" request to it is answered: every later request is the flood's doing.
    await until('no request outstanding', () => node.counters().requestsOutstanding === 0, 5_000);
    return adversary.open[adversary.open.length - 1]!;
  }

  behaviour('unconnected-flood', 'banned (PEER_UNCONNECTING_FLOOD), nothing stored, queues bounded', async () => {
    const frames = unconnectedHeadersFlood(10_000, 1);
    let sent = 0;
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 100 },
      onMessage: afterHandshake((conn) => {
        for (const f of frames) {
          if (conn.closed) break;
          conn.sendRaw(f);
          sent++;
        }
      }),
      // Silent to our getheaders: an empty answer arriving after a flood message was taken as the reply would count
      // as an unasked empty message, and the other flood rule (PEER_HEADERS_FLOOD) could win the race.
      onGetHeaders: () => 'ignore',
    });
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectBanned(node, adversary, 'PEER_UNCONNECTING_FLOOD');
      assert.equal(node.counters().scores.PEER_UNCONNECTING_FLOOD, 100, 'five times 20: 55 messages were enough');
    });
    assert.equal(sent, 10_000, 'the whole flood went out');
    assert.ok(counters.peakHeaderBatchesPerPeer <= BATCH_BOUND, `batches queued: ${counters.peakHeaderBatchesPerPeer}`);
    assert.equal(counters.unconnectingEntries, 0);
  });

  behaviour('duplicate-flood', 'read with backpressure (batches queued bounded), banned (PEER_HEADERS_FLOOD)', async () => {
    const adversary = await ScriptedPeer.start({ chain: honestRaw, handshake: { startHeight: 2_100 } });
    const batch = encodeMessage(REGTEST.magic, { command: 'headers', count: 2_000, headers: honestRaw.subarray(0, 2_000 * 80) });
    let peak = 0;
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      const conn = await flooderOnceSynced(node, adversary);
      // 100 unasked copies of 2000 headers we already have: 16 MB.
      for (let i = 0; i < 100 && !conn.closed; i++) conn.sendRaw(batch);
      await expectBanned(node, adversary, 'PEER_HEADERS_FLOOD');
      peak = node.counters().peakHeaderBatchesPerPeer;
    });
    assert.ok(peak <= BATCH_BOUND, `batches queued for one peer: ${peak}`);
  });

  behaviour('inv-spam', 'not banned; at most one getheaders per second in answer', async () => {
    const adversary = await ScriptedPeer.start({ chain: honestRaw, handshake: { startHeight: 2_100 } });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      const conn = await flooderOnceSynced(node, adversary);
      const before = conn.all('getheaders').length;
      const began = Date.now();
      for (let i = 0; i < 2_000; i++) {
        const items = Array.from({ length: 50 }, () => ({ type: MSG_BLOCK, hash: randomBytes(32) }));
        conn.send({ command: 'inv', items });
      }
      await sleep(1_500);
      const asked = conn.all('getheaders').length - before;
      const seconds = (Date.now() - began) / 1000;
      assert.ok(asked <= Math.ceil(seconds) + 1, `${asked} getheaders in ${seconds.toFixed(1)} s for 2,000 inv`);
      assert.ok(asked >= 1, 'the announcement is still followed up');
      assert.equal(conn.closed, false, 'a block inv is legal: kept');
      assert.equal(await node.banOf(adversary.port), undefined);
    });
  });

  behaviour('tx-inv-spam', 'disconnected (PEER_PROTOCOL), not banned', async () => {
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 100 },
      onMessage: afterHandshake((conn) => {
        for (let i = 0; i < 100; i++) conn.send({ command: 'inv', items: [{ type: MSG_TX, hash: randomBytes(32) }] });
      }),
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
    });
  });

  behaviour('addr-spam', 'not banned; the address cache takes one getaddr answer (1,000), drops the rest', async () => {
    const addresses = (k: number): AddrEntry[] =>
      Array.from({ length: 1_000 }, (_, i) => ({
        time: Math.floor(Date.now() / 1000),
        services: 1n,
        ip: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, k, i >> 8, i & 0xff]),
        port: 8333,
      }));
    const adversary = await ScriptedPeer.start({
      chain: honestRaw,
      handshake: { startHeight: 2_100 },
      onMessage: afterHandshake((conn) => {
        for (let k = 0; k < 10; k++) conn.send({ command: 'addr', addresses: addresses(k) });
      }),
    });
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      // 1,000 for the getaddr answer, 1 to start with, 0.1/s after that: the other 8,999 are dropped.
      await until('the addr flood read', () => node.counters().addrRateLimited >= 8_990, 5_000);
      assert.equal(await node.banOf(adversary.port), undefined);
    });
    assert.ok(counters.addrCacheSize <= 1_002, `address cache: ${counters.addrCacheSize}`);
    assert.ok(counters.addrCacheSize >= 1_000, 'the getaddr answer itself is taken');
  });

  behaviour('getdata-flood', 'the transaction is sent to it once, not 50,000 times; not banned', async () => {
    const tx = new Transaction();
    tx.addInput(new Uint8Array(32).fill(7), 0);
    tx.addOutput(Uint8Array.from([0x51]), 1_000n);
    const adversary = await ScriptedPeer.start({
      chain: honestRaw,
      handshake: { startHeight: 2_100 },
      onMessage: (msg, conn) => {
        const item = msg.command === 'inv' ? msg.items.find((i) => i.type === MSG_TX) : undefined;
        if (item !== undefined) conn.send({ command: 'getdata', items: Array.from({ length: 50_000 }, () => item) });
      },
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      const conn = await flooderOnceSynced(node, adversary);
      const result = await node.net.broadcastTx(new Uint8Array(tx.toBuffer()));
      assert.equal(result.peers, 1, 'it asked');
      await sleep(200);
      assert.equal(conn.all('tx').length, 1, 'sent once');
      assert.ok(node.counters().peakSendBufferedBytes < 65_536, `send buffer peak ${node.counters().peakSendBufferedBytes} B`);
      assert.equal(await node.banOf(adversary.port), undefined);
    });
  });

  behaviour('ping-flood', 'reading paused at the send limit: our unsent pongs stay bounded; not banned', async () => {
    const ping = encodeMessage(REGTEST.magic, { command: 'ping', nonce: 7n });
    const burst = new Uint8Array(ping.length * 10_000);
    for (let i = 0; i < 10_000; i++) burst.set(ping, i * ping.length);
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 0 },
      onMessage: afterHandshake((conn) => {
        // Never read again, and send 400,000 pings (12.8 MB). The kernel's socket buffers take a few MB of our
        // pongs; without a limit the rest would pile up in our process until the ping timeout (2 x 2 min).
        conn.socket.pause();
        for (let i = 0; i < 40; i++) conn.sendRaw(burst);
      }),
    });
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      const bytesIn = async (): Promise<number> =>
        (await node.net.peers()).find((p) => p.address === `127.0.0.1:${adversary.port}`)?.bytesIn ?? -1;
      await until('reading paused at the send limit', () => node.counters().peakSendBufferedBytes > MAX_SEND_BUFFER_BYTES, 15_000);
      // The kernel may still take some of our pongs (and we read on after each drain); then reading stays stopped.
      let before = -1;
      await until(
        'reading stopped for good',
        async () => {
          before = await bytesIn();
          await sleep(300);
          return before > 0 && (await bytesIn()) === before;
        },
        15_000,
      );
      assert.ok(before < 40 * burst.length, 'most of the flood is left unread');
      assert.equal(await node.banOf(adversary.port), undefined, 'pings are legal: not banned');
    });
    // The limit, plus one pong and our own few small messages (a getheaders, a ping).
    assert.ok(counters.peakSendBufferedBytes <= MAX_SEND_BUFFER_BYTES + 4_096, `send buffer peak ${counters.peakSendBufferedBytes} B`);
  });

  behaviour('unknown-command-spam', 'ignored (Core ignores unknown commands), not banned, one message buffered at a time', async () => {
    const big = rawFrame(REGTEST.magic, 'xyzzy', new Uint8Array(1_000_000).fill(0x55));
    const adversary = await ScriptedPeer.start({
      chain: honestRaw,
      handshake: { startHeight: 2_100 },
      onMessage: afterHandshake((conn) => {
        for (let i = 0; i < 20; i++) conn.sendRaw(big);
      }),
    });
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await until('20 MB read', async () => ((await node.net.peers()).find((p) => p.address === `127.0.0.1:${adversary.port}`)?.bytesIn ?? 0) > 20_000_000, 8_000);
      assert.equal(await node.banOf(adversary.port), undefined);
      assert.equal(adversary.open.length, 1, 'still connected');
    });
    assert.ok(counters.peakReceiveBufferedBytes <= 1_000_024, `receive buffer peak ${counters.peakReceiveBufferedBytes} B`);
  });

  behaviour('empty-headers-forever', 'dropped as sync peer, then banned for the unasked stream (PEER_HEADERS_FLOOD)', async () => {
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 9_000 },
      onGetHeaders: () => new Uint8Array(0),
      onMessage: afterHandshake((conn) => {
        let n = 0;
        const timer = setInterval(() => {
          if (conn.closed || ++n > 2_000) clearInterval(timer);
          else conn.send({ command: 'headers', count: 0, headers: new Uint8Array(0) });
        }, 5);
      }),
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: { minPeersForSync: 2 } }, async (node) => {
      await expectBanned(node, adversary, 'PEER_HEADERS_FLOOD', 8_000);
    });
  });

  behaviour('unconnecting-announcements', 'banned (PEER_UNCONNECTING_FLOOD), nothing stored', async () => {
    const frames = unconnectedHeadersFlood(200, 1);
    const adversary = await ScriptedPeer.start({
      chain: honestRaw,
      handshake: { startHeight: 2_100 },
      onMessage: afterHandshake((conn) => {
        conn.send({ command: 'sendheaders' });
        let i = 0;
        const timer = setInterval(() => {
          if (conn.closed || i >= frames.length) clearInterval(timer);
          else conn.sendRaw(frames[i++]!);
        }, 10);
      }),
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectBanned(node, adversary, 'PEER_UNCONNECTING_FLOOD', 8_000);
      assert.equal((await node.chain.stats()).headerCount, 2_101, 'only the honest chain');
    });
  });
});
