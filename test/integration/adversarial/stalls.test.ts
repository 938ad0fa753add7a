/**
 * Adversarial peers that stall, lie or churn: a frame streamed one header per second, a height it never backs,
 * silence after the TCP connect, a handshake kept alive without verack, and a peer that drops every connection
 * right after the handshake. Each next to an honest peer, against an in-process node.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { REGTEST } from '../../../src/chain/params.js';
import { TestNode, sleep, until } from '../../helpers/peerHarness.js';
import { headersPayload, rawFrame } from '../../helpers/abusiveFrames.js';
import { HeaderChain } from '../../helpers/headerChain.js';
import { ScriptedPeer } from '../../helpers/scriptedPeer.js';
import { behaviour, reportCoverage } from './behaviours.js';
import { afterHandshake, expectDroppedNotBanned, honestSide, nextToHonest } from './scenario.js';

reportCoverage('stalls');

describe('adversarial peers: stalls, lies and churn (in-process node)', () => {
  const side = honestSide();
  const { raw: honestRaw, tipHex: honestTip } = side;

  behaviour('slow-stream', 'dropped at the headers timeout (PEER_STALLED), not banned, only what arrived is buffered', async () => {
    // A full answer (2000 headers), written one header (81 bytes) per second.
    const frame = rawFrame(REGTEST.magic, 'headers', headersPayload(honestRaw.subarray(0, 2_000 * 80)));
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 9_000 },
      onGetHeaders: (_req, conn) => {
        conn.sendRaw(frame.subarray(0, 24 + 3));
        let at = 24 + 3;
        const timer = setInterval(() => {
          if (conn.closed || at >= frame.length) clearInterval(timer);
          else conn.sendRaw(frame.subarray(at, (at += 81)));
        }, 1_000);
        return 'ignore';
      },
    });
    let held = 0;
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: { minPeersForSync: 2 } }, async (node) => {
      await until('part of the frame buffered', () => (held = Math.max(held, node.counters().receiveBufferedBytes)) > 0, 5_000);
      await expectDroppedNotBanned(node, adversary);
    });
    assert.ok(held < 1_000, `buffered ${held} B of a 162 KB frame`);
  });

  behaviour('height-lie', 'dropped when it says "that is all" below its claim, not banned; its claim stops counting (synced)', async () => {
    const adversary = await ScriptedPeer.start({ chain: new HeaderChain(honestRaw), handshake: { startHeight: 1_000_000 } });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: { minPeersForSync: 2 } }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
      await node.waitForTip(honestTip);
      // It is redialled and claims 1,000,000 again: a claim it failed to back does not hold "synced" down.
      await until('it is back', () => adversary.connections.length >= 2, 10_000);
      await until('synced', async () => (await node.net.syncStatus()).synced, 10_000);
      assert.equal((await node.net.syncStatus()).targetHeight, 2_100);
    });
  });

  behaviour('silent-after-connect', 'dropped at the handshake timeout (PEER_HANDSHAKE_TIMEOUT), not banned', async () => {
    const adversary = await ScriptedPeer.start({ handshake: false });
    const began = Date.now();
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
      assert.ok(Date.now() - began < 5_000, 'within about the 1 s handshake timeout');
    });
    assert.equal(adversary.connections[0]!.received, 1, 'it got our version and answered nothing');
  });

  behaviour('handshake-keepalive', 'pings do not extend the handshake: dropped at the timeout, not banned', async () => {
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 9_000, sendVerack: false },
      onConnection: (conn) => {
        let n = 0;
        const timer = setInterval(() => {
          if (conn.closed || ++n > 200) clearInterval(timer);
          else conn.send({ command: 'ping', nonce: BigInt(n) });
        }, 50);
      },
    });
    const began = Date.now();
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
      assert.ok(Date.now() - began < 5_000, 'within about the 1 s handshake timeout');
      assert.ok((await node.net.peers()).every((p) => p.address !== `127.0.0.1:${adversary.port}` || p.state !== 'ready'));
    });
  });

  behaviour('reconnect-storm', 'our redials back off (1, 2, 4 s...), bookkeeping bounded, sync unaffected', async () => {
    // Accepts, completes the handshake, and drops the connection at once, every time.
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 0 },
      maxConnections: 100,
      onMessage: afterHandshake((conn) => conn.close()),
    });
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await sleep(8_000);
      const c = node.counters();
      assert.ok(adversary.connections.length >= 2, 'it is redialled');
      // A redial every second would be 8 or more connections in 8 s.
      assert.ok(adversary.connections.length <= 4, `${adversary.connections.length} connections in 8 s`);
      assert.equal(c.ownNonces, c.peers, 'no version nonce left behind by a closed connection');
      assert.equal(await node.banOf(adversary.port), undefined);
    });
    assert.ok(counters.connectionsOpened <= 6, `connections opened: ${counters.connectionsOpened}`);
  });

  behaviour('one-ip-many-ports', 'one outbound slot for that IP at a time (net-group diversity), sync from the honest peer', async () => {
    // Twelve peers on 127.0.0.2 (one host, many ports), advertised by a peer on 127.0.0.3; the node knows only
    // the honest peer and the advertiser, and fills its 8 outbound slots from the address manager.
    const storm: ScriptedPeer[] = [];
    for (let i = 0; i < 12; i++) storm.push(await ScriptedPeer.start({ host: '127.0.0.2', handshake: { startHeight: 0 } }));
    const advertiser = await ScriptedPeer.start({
      host: '127.0.0.3',
      handshake: { startHeight: 0 },
      onMessage: afterHandshake((conn) =>
        conn.send({
          command: 'addr',
          addresses: storm.map((p) => ({
            time: Math.floor(Date.now() / 1000),
            services: 1n,
            ip: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2]),
            port: p.port,
          })),
        }),
      ),
    });
    const node = await TestNode.start({
      peers: [],
      net: { dnsSeeds: false, maxOutbound: 8 },
      knownAddresses: [
        { host: '127.0.0.1', port: side.peer.port },
        { host: '127.0.0.3', port: advertiser.port },
      ],
    });
    try {
      await until('the storm addresses learned', () => node.counters().addrCacheSize >= 14, 5_000);
      let most = 0;
      const until3s = Date.now() + 3_000;
      while (Date.now() < until3s) {
        most = Math.max(most, storm.reduce((n, p) => n + p.open.length, 0));
        await sleep(50);
      }
      assert.equal(most, 1, 'one connection to 127.0.0.2, not seven');
      await node.waitForTip(honestTip, 20_000);
    } finally {
      await node.close();
      await advertiser.close();
      for (const p of storm) await p.close();
    }
  });
});
