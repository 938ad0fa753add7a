import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BENCHNET, MAINNET } from '../../../src/chain/params.js';
import { TargetCache, hashMeetsTarget, hashMeetsTargetAt } from '../../../src/chain/pow.js';
import type { TargetInfo } from '../../../src/chain/pow.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { bigintToBytes32, reversed } from '../../../src/util/bytes.js';
import { mulberry32 } from '../../helpers/random.js';

function info(cache: TargetCache, bits: number): TargetInfo {
  const t = cache.get(bits);
  assert.ok(!(t instanceof SpvError));
  return t;
}

/** Hashes (internal order) packed 32 bytes each, viewed as words the way verifyPowBatch reads them. */
function pack(values: bigint[]): { bytes: Uint8Array; words: Uint32Array } {
  const bytes = new Uint8Array(values.length * 32);
  values.forEach((v, i) => bytes.set(reversed(bigintToBytes32(v)), i * 32));
  return { bytes, words: new Uint32Array(bytes.buffer) };
}

describe('hashMeetsTargetAt (word-wise target test used by verifyPowBatch)', () => {
  it('agrees with hashMeetsTarget at target - 1, target, target + 1 and at word boundaries', () => {
    for (const [limit, bitsList] of [
      [MAINNET.powLimit, [0x1d00ffff, 0x17053894, 0x1b0404cb]],
      [BENCHNET.powLimit, [0x207fffff, 0x1f7fffff, 0x200fffff]],
    ] as const) {
      const cache = new TargetCache(limit);
      for (const bits of bitsList) {
        const t = info(cache, bits);
        const probes = [0n, 1n, t.target - 1n, t.target, t.target + 1n, t.target + (1n << 32n), t.target - (1n << 64n)];
        for (let w = 0; w < 8; w++) probes.push(t.target ^ (1n << BigInt(32 * w)), (1n << BigInt(32 * w + 31)) - 1n);
        const ok = probes.filter((v) => v >= 0n && v < 1n << 256n);
        const { bytes, words } = pack(ok);
        ok.forEach((v, i) => {
          const expected = hashMeetsTarget(bytes.subarray(i * 32, i * 32 + 32), t.targetBE);
          assert.equal(expected, v <= t.target);
          assert.equal(hashMeetsTargetAt(words, i * 8, t), expected, `bits ${bits.toString(16)} value ${v.toString(16)}`);
        });
      }
    }
  });

  it('agrees with hashMeetsTarget on random hashes near random targets', () => {
    const rnd = mulberry32(42);
    const cache = new TargetCache(BENCHNET.powLimit);
    for (let k = 0; k < 200; k++) {
      const exp = 0x18 + Math.floor(rnd() * 9);
      const bits = ((exp << 24) | (0x010000 + Math.floor(rnd() * 0x7effff))) >>> 0;
      const t = cache.get(bits);
      if (t instanceof SpvError) continue;
      const delta = BigInt(Math.floor(rnd() * 2 ** 32)) << BigInt(Math.floor(rnd() * 200));
      const values = [t.target + delta, t.target - delta].filter((v) => v >= 0n && v < 1n << 256n);
      const { bytes, words } = pack(values);
      values.forEach((v, i) => {
        assert.equal(hashMeetsTargetAt(words, i * 8, t), hashMeetsTarget(bytes.subarray(i * 32, i * 32 + 32), t.targetBE));
      });
    }
  });
});
