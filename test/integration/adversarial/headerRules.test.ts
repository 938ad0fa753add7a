/**
 * Adversarial peers that serve consensus-invalid or useless header chains (valid proof of work where it matters),
 * each next to an honest peer, against an in-process node. The adversary claims more headers than the honest peer,
 * so it is picked as sync peer first: what it sends is really processed.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { headerHash, serializeHeader } from '../../../src/chain/header.js';
import type { ChainParams } from '../../../src/chain/params.js';
import { REGTEST } from '../../../src/chain/params.js';
import { workFromBits } from '../../../src/chain/work.js';
import { hashToHex } from '../../../src/util/bytes.js';
import { ChainBuilder } from '../../helpers/chainBuilder.js';
import { until } from '../../helpers/peerHarness.js';
import { HeaderChain } from '../../helpers/headerChain.js';
import { ScriptedPeer } from '../../helpers/scriptedPeer.js';
import { behaviour, reportCoverage } from './behaviours.js';
import { BOTH, expectBanned, expectDroppedNotBanned, honestSide, nextToHonest } from './scenario.js';

reportCoverage('header rules');

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A peer serving `raw` (n * 80 bytes over `base`, default the regtest genesis) and claiming `claim` blocks. */
function serving(raw: Uint8Array, claim = 9_000, base?: Uint8Array): Promise<ScriptedPeer> {
  return ScriptedPeer.start({ chain: new HeaderChain(raw, base), handshake: { startHeight: claim } });
}


describe('adversarial peers: consensus-invalid and useless header chains (in-process node)', () => {
  const side = honestSide();
  const { builder, raw: honestRaw, tipHex: honestTip } = side;

  const upTo = (height: number): Uint8Array => honestRaw.subarray(0, height * 80);

  behaviour('bad-version', 'banned (HEADER_BAD_VERSION), nothing after the bad header stored', async () => {
    // Regtest enforces BIP34/66/65 from height 1: version 1 at height 101 is below the floor of 4.
    const bad = builder.fork(100).next({ version: 1 });
    const adversary = await serving(concat(upTo(100), bad.raw));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'HEADER_BAD_VERSION');
      assert.equal(await node.chain.headerByHash(bad.hashHex), null);
    });
  });

  behaviour('time-not-after-mtp', 'banned (HEADER_TIME_TOO_OLD)', async () => {
    const fork = builder.fork(100);
    // Uniform 600 s spacing: the median of heights 90..100 is the time of height 95.
    const mtp = headerTimeAt(95);
    const bad = fork.next({ time: mtp });
    const adversary = await serving(concat(upTo(100), bad.raw));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'HEADER_TIME_TOO_OLD');
      assert.equal(await node.chain.headerByHash(bad.hashHex), null);
    });
  });

  behaviour('time-too-new', 'not stored, not banned (our clock may lag), dropped as sync peer, sync goes on', async () => {
    const bad = builder.fork(100).next({ time: Math.floor(Date.now() / 1000) + 3 * 3600 });
    let served = 0;
    const chain = new HeaderChain(concat(upTo(100), bad.raw));
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 9_000 },
      onGetHeaders: (req) => {
        served++;
        return chain.answer(req.locator);
      },
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
      assert.equal(await node.chain.headerByHash(bad.hashHex), null);
      assert.equal(node.counters().scores.HEADER_TIME_TOO_NEW, 0, 'refused, scored 0');
    });
    assert.ok(served <= 6, `the adversary was asked ${served} times: no request loop`);
  });

  behaviour('non-continuous', 'scored 20 (HEADER_BAD_PREV), not banned, dropped as sync peer, sync goes on', async () => {
    // Heights 1..100, then a header of another branch: the batch breaks at its 101st entry.
    const other = builder.fork(50).extend(60, { tag: 7 });
    const adversary = await serving(concat(upTo(100), other.raw.subarray(59 * 80)));
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectDroppedNotBanned(node, adversary);
      assert.equal(node.counters().scores.HEADER_BAD_PREV, 20, 'Core: non-continuous headers sequence, Misbehaving(20)');
      assert.ok(await node.chain.headerByHash(hashToHex(builder.hashAt(100))), 'the valid part before the break is kept');
    });
  });

  behaviour('fork-below-anchor', 'nothing of the fork stored; the peer is banned for unconnecting headers', async () => {
    // The node starts from a trusted anchor at 2016; the adversary's longer chain forks at 1000, below it.
    const anchorRaw = honestRaw.subarray(2015 * 80, 2016 * 80);
    const fork = builder.fork(1_000).extend(2_500, { tag: 3 });
    const adversary = await serving(concat(upTo(1_000), fork.raw), 3_500);
    await nextToHonest(
      {
        honest: side.peer,
        tipHex: honestTip,
        adversary,
        net: BOTH,
        start: { kind: 'anchor', height: 2016, header: new Uint8Array(anchorRaw), chainwork: 2017n * workFromBits(REGTEST.powLimitBits) },
      },
      async (node) => {
        await expectBanned(node, adversary, 'PEER_UNCONNECTING_FLOOD');
        assert.equal(await node.chain.headerByHash(fork.headers[0]!.hashHex), null);
        assert.equal((await node.chain.stats()).headerCount <= 2_100 - 2_016 + 1, true, 'only the anchor and honest headers');
      },
    );
  });

  behaviour('other-genesis', 'nothing stored; banned for unconnecting headers within a bounded number of requests', async () => {
    // Same magic, another genesis (different merkle root): valid PoW, links to nothing we have.
    const genesis = serializeHeader({
      version: 1,
      prevHash: new Uint8Array(32),
      merkleRoot: new Uint8Array(32).fill(0x42),
      time: 1296688602,
      bits: REGTEST.powLimitBits,
      nonce: 0,
    });
    const alien = new ChainBuilder(REGTEST, { header: genesis, height: 0 }).extend(2_500);
    let asked = 0;
    const chain = new HeaderChain(alien.raw, headerHash(genesis));
    const adversary = await ScriptedPeer.start({
      handshake: { startHeight: 2_500 },
      onGetHeaders: (req) => {
        asked++;
        return chain.answer(req.locator);
      },
    });
    await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, net: BOTH }, async (node) => {
      await expectBanned(node, adversary, 'PEER_UNCONNECTING_FLOOD');
      assert.equal(await node.chain.headerByHash(alien.headers[0]!.hashHex), null);
    });
    assert.ok(asked <= 60, `asked ${asked} times before the ban`);
  });

  describe('with retargeting (regtest with Core mainnet retarget rules, no min-difficulty exception)', () => {
    const RETARGET: ChainParams = { ...REGTEST, powNoRetargeting: false, powAllowMinDifficultyBlocks: false };
    // 150 s blocks: the retarget at 2016 clamps at 4x harder.
    const fast = new ChainBuilder(RETARGET);
    const fastRaw = fast.extend(2_200, { spacing: 150 }).raw;
    const fastTip = hashToHex(fast.tipHash);
    let fastHonest: ScriptedPeer;
    before(async () => {
      fastHonest = await ScriptedPeer.start({ chain: fastRaw, handshake: { startHeight: 2_200 } });
    });
    after(async () => {
      await fastHonest.close();
    });

    behaviour('bad-diffbits', 'banned (HEADER_BAD_DIFFBITS) at the retarget height', async () => {
      const retargeted = fast.fork(2_015).next({ spacing: 150 });
      assert.notEqual(retargeted.bits, RETARGET.powLimitBits, 'the honest chain retargets at 2016');
      const bad = fast.fork(2_015).next({ spacing: 150, bits: RETARGET.powLimitBits });
      const adversary = await serving(concat(fastRaw.subarray(0, 2_015 * 80), bad.raw));
      await nextToHonest({ honest: fastHonest, tipHex: fastTip, adversary, params: RETARGET, net: BOTH }, async (node) => {
        await expectBanned(node, adversary, 'HEADER_BAD_DIFFBITS');
        assert.equal(await node.chain.headerByHash(bad.hashHex), null);
      });
    });

    behaviour('lower-work-fork', 'the longer fork does not become the tip, the peer is not banned, the node says synced', async () => {
      // Forks at 1000 with 1200 s blocks: its retarget clamps at the easiest target, so its 2,600 headers carry less
      // work than the honest 2,200.
      const slow = fast.fork(1_000);
      const forkRaw = slow.extend(1_600, { spacing: 1_200 }).raw;
      const forkTip = hashToHex(slow.tipHash);
      const adversary = await serving(concat(fastRaw.subarray(0, 1_000 * 80), forkRaw), 2_600);
      await nextToHonest({ honest: fastHonest, tipHex: fastTip, adversary, params: RETARGET, net: BOTH }, async (node) => {
        await until('the honest tip', async () => (await node.tipHashHex()) === fastTip, 10_000);
        const side = await node.chain.headerByHash(forkTip);
        if (side !== null) assert.equal(side.onBestChain, false);
        await until('synced', async () => (await node.net.syncStatus()).synced, 5_000);
        assert.equal(await node.banOf(adversary.port), undefined);
      });
    });
  });

  describe('with a checkpoint (regtest with a checkpoint at height 500 of the honest chain)', () => {
    const CHECKPOINT: ChainParams = { ...REGTEST, checkpoints: new Map([[500, hashToHex(builder.hashAt(500))]]) };

    behaviour('checkpoint-mismatch', 'banned (HEADER_CHECKPOINT_MISMATCH)', async () => {
      const fork = builder.fork(400).extend(2_000, { tag: 5 });
      const adversary = await serving(concat(upTo(400), fork.raw), 2_400);
      await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, params: CHECKPOINT, net: BOTH }, async (node) => {
        await expectBanned(node, adversary, 'HEADER_CHECKPOINT_MISMATCH');
        assert.equal(await node.chain.headerByHash(fork.headers[99]!.hashHex), null, 'the header at 500 was refused');
      });
    });

    behaviour('fork-below-checkpoint', 'banned (HEADER_FORK_TOO_OLD) once we are past the checkpoint', async () => {
      const fork = builder.fork(300).extend(2_000, { tag: 6 });
      const adversary = await ScriptedPeer.start({ handshake: { startHeight: 0 } });
      await nextToHonest({ honest: side.peer, tipHex: honestTip, adversary, params: CHECKPOINT }, async (node) => {
        await node.waitForTip(honestTip);
        // Announced unasked, once we are past the checkpoint: it forks at 300 < 500.
        const conn = await adversary.waitForConnection(1);
        adversary.sendHeaders(fork.raw.subarray(0, 2_000 * 80), conn);
        await expectBanned(node, adversary, 'HEADER_FORK_TOO_OLD');
        assert.equal(await node.chain.headerByHash(fork.headers[0]!.hashHex), null);
      });
    });
  });

  function headerTimeAt(height: number): number {
    return new DataView(honestRaw.buffer, honestRaw.byteOffset + (height - 1) * 80).getUint32(68, true);
  }
});
