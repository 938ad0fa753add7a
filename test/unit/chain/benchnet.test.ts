import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { HEADER_SIZE, headerBits, headerHashHex, parseHeader, serializeHeader } from '../../../src/chain/header.js';
import { hashHeaders } from '../../../src/chain/headerHasher.js';
import { BENCHNET, BENCHNET_GENESIS_TEXT, MAINNET, NETWORK_NAMES, isNetworkName, paramsFor } from '../../../src/chain/params.js';
import { TargetCache, hashMeetsTarget } from '../../../src/chain/pow.js';
import { parseConfig } from '../../../src/config/loadConfig.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { generateChain } from '../../../scripts/gen-chain.js';
import { openTempStore } from '../../helpers/tempStore.js';

function sha256d(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

function meets(raw: Uint8Array): boolean {
  const t = new TargetCache(BENCHNET.powLimit).get(headerBits(raw));
  assert.ok(!(t instanceof SpvError));
  return hashMeetsTarget(sha256d(raw), t.targetBE);
}

/** Sets the nonce to the first from 0 meeting the header's own bits (benchnet targets are easy). */
function remine(raw: Uint8Array): Uint8Array {
  const h = parseHeader(raw);
  for (let nonce = 0; nonce < 1_000_000; nonce++) {
    const out = serializeHeader({ ...h, nonce });
    if (meets(out)) return out;
  }
  throw new Error('no nonce found');
}

describe('benchnet network profile', () => {
  it('genesis re-derives: merkle root = sha256d(text), time 1e9, bits 0x207fffff, nonce = the smallest that meets the target', () => {
    const g = parseHeader(BENCHNET.genesisHeader);
    assert.equal(g.version, 1);
    assert.deepEqual(g.prevHash, new Uint8Array(32));
    assert.deepEqual(g.merkleRoot, new Uint8Array(sha256d(new TextEncoder().encode(BENCHNET_GENESIS_TEXT))));
    assert.equal(g.time, 1_000_000_000);
    assert.equal(g.bits, 0x207fffff);
    for (let nonce = 0; nonce < g.nonce; nonce++) assert.equal(meets(serializeHeader({ ...g, nonce })), false);
    assert.ok(meets(BENCHNET.genesisHeader));
    assert.equal(headerHashHex(BENCHNET.genesisHeader), BENCHNET.genesisHashHex);
  });

  it('keeps every header rule on (retargeting, no min-difficulty), is local-only and distinct from other networks', () => {
    assert.equal(BENCHNET.powNoRetargeting, false);
    assert.equal(BENCHNET.powAllowMinDifficultyBlocks, false);
    assert.equal(BENCHNET.powLimitBits, 0x207fffff);
    assert.deepEqual(BENCHNET.dnsSeeds, []);
    assert.equal(BENCHNET.anchor, null);
    for (const name of NETWORK_NAMES) {
      if (name === 'benchnet') continue;
      const p = paramsFor(name);
      assert.notDeepEqual(p.magic, BENCHNET.magic, name);
      assert.notEqual(p.defaultPort, BENCHNET.defaultPort, name);
      assert.notEqual(p.genesisHashHex, BENCHNET.genesisHashHex, name);
    }
    assert.ok(isNetworkName('benchnet'));
    assert.equal(paramsFor('benchnet'), BENCHNET);
    assert.equal(parseConfig({ network: 'benchnet' }, '/tmp').network, 'benchnet');
  });
});

describe('gen-chain (scripts/gen-chain.ts)', () => {
  const opts = { headers: 4500, seed: 'unit', forks: 2, forkLength: 30 };
  const chain = generateChain(opts);

  it('is deterministic from the seed, and another seed gives another chain', () => {
    assert.deepEqual(generateChain(opts).bytes, chain.bytes);
    const other = generateChain({ ...opts, seed: 'unit2' });
    assert.notDeepEqual(other.bytes.subarray(80, 160), chain.bytes.subarray(80, 160));
    assert.equal(chain.bytes.length, (4500 + 2 * 30) * HEADER_SIZE);
    assert.deepEqual(chain.bytes.subarray(0, 80), BENCHNET.genesisHeader);
  });

  it('every header meets its PoW; retargets change bits; some times go backwards', () => {
    const n = chain.bytes.length / HEADER_SIZE;
    const hashes = hashHeaders(chain.bytes);
    const cache = new TargetCache(BENCHNET.powLimit);
    let backwards = 0;
    for (let i = 0; i < n; i++) {
      const raw = chain.bytes.subarray(i * 80, i * 80 + 80);
      const t = cache.get(headerBits(raw));
      assert.ok(!(t instanceof SpvError));
      assert.ok(hashMeetsTarget(hashes.subarray(i * 32, i * 32 + 32), t.targetBE), `header ${i}`);
      if (i > 0 && i < opts.headers && parseHeader(raw).time < parseHeader(chain.bytes.subarray(i * 80 - 80, i * 80)).time) backwards++;
    }
    assert.ok(backwards > 10, `backwards ${backwards}`);
    const bitsAt = (h: number): number => headerBits(chain.bytes.subarray(h * 80, h * 80 + 80));
    assert.notEqual(bitsAt(2016), bitsAt(2015));
    assert.notEqual(bitsAt(4032), bitsAt(4031));
    assert.equal(bitsAt(2017), bitsAt(2016));
    assert.ok(chain.distinctBits >= 3);
  });

  it('passes full validation in the real header store: main chain, then both forks as side branches', async () => {
    const s = await openTempStore(BENCHNET);
    try {
      const raw = chain.bytes;
      // The main chain in batches of 2000 (as import and sync do), then each fork as one batch.
      for (let i = 0; i < opts.headers; i += 2000) {
        const r = await s.store.connectHeaders(raw.slice(i * 80, Math.min(opts.headers, i + 2000) * 80));
        assert.equal(r.rejected, null, JSON.stringify(r.rejected));
      }
      assert.equal(s.store.tip().height, opts.headers - 1);
      assert.equal(s.store.tip().hashHex, chain.tipHashHex);
      for (let f = 0; f < opts.forks; f++) {
        const start = opts.headers + f * opts.forkLength;
        const r = await s.store.connectHeaders(raw.slice(start * 80, (start + opts.forkLength) * 80));
        assert.equal(r.rejected, null, JSON.stringify(r.rejected));
        assert.equal(r.outcome, 'side');
        assert.equal(r.stored, opts.forkLength);
        assert.equal(r.lastHeight, chain.forkPoints[f]! + opts.forkLength);
      }
      assert.equal(s.store.stats().headerCount, opts.headers + opts.forks * opts.forkLength);
    } finally {
      await s.close();
    }
  });

  it('the rules are really on: wrong bits at a retarget and a time at the median time past are rejected', async () => {
    const s = await openTempStore(BENCHNET);
    try {
      const raw = chain.bytes;
      const r1 = await s.store.connectHeaders(raw.slice(0, 2016 * 80));
      assert.equal(r1.rejected, null);
      // Header 2016 with its parent's bits (regtest-style "no retarget"), re-mined so its PoW is valid.
      const h2016 = parseHeader(raw.subarray(2016 * 80, 2017 * 80));
      const keepBits = remine(serializeHeader({ ...h2016, bits: headerBits(raw.subarray(2015 * 80, 2016 * 80)) }));
      const bad = await s.store.connectHeaders(keepBits);
      assert.equal(bad.rejected?.code, 'HEADER_BAD_DIFFBITS');
      // Header 2016 stamped at the median of the previous 11.
      const times = Array.from({ length: 11 }, (_, k) => parseHeader(raw.subarray((2005 + k) * 80, (2006 + k) * 80)).time);
      const mtp = [...times].sort((a, b) => a - b)[5]!;
      const old = remine(serializeHeader({ ...h2016, time: mtp }));
      const r2 = await s.store.connectHeaders(old);
      // Bits depend on the period's last time, not this one, so only the time rule can fail.
      assert.equal(r2.rejected?.code, 'HEADER_TIME_TOO_OLD');
      // The genuine header 2016 still connects after both rejections.
      const good = await s.store.connectHeaders(raw.slice(2016 * 80, 2017 * 80));
      assert.equal(good.rejected, null);
      assert.equal(s.store.tip().height, 2016);
    } finally {
      await s.close();
    }
  });

  it('mainnet powLimit is far harder than benchnet (benchnet mining is cheap)', () => {
    // 2^255-ish vs 2^224-ish: about 2^31 times fewer tries per header.
    assert.ok(BENCHNET.powLimit > MAINNET.powLimit << 30n);
  });
});
