/**
 * Adversarial peers that abuse the wire codec (valid framing around invalid payloads, invalid framing, protocol
 * misuse), each next to an honest peer, against an in-process node. Codec abuse costs a ban at once (Core:
 * Misbehaving(100)); a frame that never completes only costs the connection.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { REGTEST } from '../../../src/chain/params.js';
import { until } from '../../helpers/peerHarness.js';
import { headersPayload, rawFrame } from '../../helpers/abusiveFrames.js';
import { ScriptedPeer } from '../../helpers/scriptedPeer.js';
import { versionMessage } from '../../helpers/wireConnection.js';
import { behaviour, reportCoverage } from './behaviours.js';
import { BOTH, afterHandshake, expectBanned, honestSide, nextToHonest } from './scenario.js';

reportCoverage('framing');

describe('adversarial peers: codec abuse (in-process node)', () => {
  const side = honestSide();
  const { raw: honestRaw, tipHex: honestTip } = side;

  /** A peer claiming more than the honest one that answers our first getheaders with `frame` (raw bytes). */
  function answering(frame: Uint8Array): Promise<ScriptedPeer> {
    return ScriptedPeer.start({
      handshake: { startHeight: 9_000 },
      onGetHeaders: (_req, conn) => {
        conn.sendRaw(frame);
        return 'ignore';
      },
    });
  }

  behaviour('truncated-message', 'banned (PEER_TRUNCATED)', async () => {
    // count = 3 but two entries, with a checksum that matches the short payload.
    const payload = headersPayload(honestRaw.subarray(0, 3 * 80)).subarray(0, 1 + 2 * 81);
    const adversary = await answering(rawFrame(REGTEST.magic, 'headers', payload));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'PEER_TRUNCATED');
    });
  });

  behaviour('trailing-garbage', 'banned (PEER_MALFORMED), none of its headers taken', async () => {
    const valid = headersPayload(honestRaw.subarray(0, 100 * 80));
    const payload = new Uint8Array(valid.length + 7);
    payload.set(valid);
    payload.set([0xde, 0xad, 0xbe, 0xef, 1, 2, 3], valid.length);
    const adversary = await answering(rawFrame(REGTEST.magic, 'headers', payload));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'PEER_MALFORMED');
      assert.equal(node.counters().scores.PEER_MALFORMED, 100);
    });
  });

  behaviour('nonzero-tx-count', 'banned (PEER_MALFORMED)', async () => {
    const payload = headersPayload(honestRaw.subarray(0, 10 * 80));
    payload[1 + 80] = 1; // the first entry claims one transaction
    const adversary = await answering(rawFrame(REGTEST.magic, 'headers', payload));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'PEER_MALFORMED');
    });
  });

  behaviour('bad-command', 'banned (PEER_BAD_COMMAND)', async () => {
    let peer: ScriptedPeer | null = null;
    peer = await ScriptedPeer.start({
      handshake: { startHeight: 100 },
      onMessage: afterHandshake((conn) => conn.sendRaw(rawFrame(REGTEST.magic, 'head\x07rs', new Uint8Array(1)))),
    });
    const adversary = peer;
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectBanned(node, adversary, 'PEER_BAD_COMMAND');
    });
  });

  behaviour('duplicate-version', 'banned (PEER_PROTOCOL)', async () => {
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 100 },
      onMessage: afterHandshake((conn) => conn.send(versionMessage({ startHeight: 100 }))),
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary }, async (node) => {
      await expectBanned(node, adversary, 'PEER_PROTOCOL');
    });
  });

  behaviour('stuck-partial-frame', 'dropped when its pong cannot arrive (PEER_STALLED), not banned, buffer bounded', async () => {
    // Once we are synced: a headers frame declaring 100,000 bytes, 10,000 of them sent, then nothing.
    const partial = rawFrame(REGTEST.magic, 'headers', new Uint8Array(10_000), { length: 100_000 });
    const adversary = await ScriptedPeer.start({ handshake: { startHeight: 100 } });
    let held = 0;
    const counters = await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: { pingIntervalMs: 1_000 } }, async (node) => {
      await node.waitForTip(honestTip);
      // (It may have been dropped once already as a sync peer that had nothing: use the connection that is up.)
      await until('the adversary ready', async () => (await node.net.peers()).some((p) => p.address === `127.0.0.1:${adversary.port}` && p.state === 'ready'), 5_000);
      const conn = adversary.open[adversary.open.length - 1]!;
      conn.sendRaw(partial);
      await until('the partial frame buffered', () => (held = node.counters().receiveBufferedBytes) >= 10_000, 5_000);
      assert.equal(await conn.waitClosed({ timeoutMs: 6_000 }), true, 'dropped');
      assert.equal(await node.banOf(adversary.port), undefined, 'not banned');
    });
    // What arrived (header, 10,000 bytes, perhaps a pong swallowed into the payload), not the declared 100,000.
    assert.ok(held <= 24 + 10_000 + 64, `held ${held} B`);
    assert.equal(counters.receiveBufferedBytes, 0, 'released with the connection');
  });
});
