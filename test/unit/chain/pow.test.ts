import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCompact, encodeCompact } from '../../../src/chain/compact.js';
import { calculateNextBits, permittedDifficultyTransition } from '../../../src/chain/difficulty.js';
import { HEADER_SIZE, headerBits, headerHash, headerTime } from '../../../src/chain/header.js';
import { MAINNET, REGTEST, TESTNET3, TESTNET4 } from '../../../src/chain/params.js';
import { TargetCache, checkProofOfWork, hashMeetsTarget } from '../../../src/chain/pow.js';
import { verifyPowBatch } from '../../../src/chain/powBatch.js';
import { MAX_CHAINWORK, workFromBits, workFromTarget } from '../../../src/chain/work.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import { bigintToBytes32, concatBytes, reversed } from '../../../src/util/bytes.js';
import { FX, readFixture, skipUnlessFixture } from '../../helpers/fixtures.js';

function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(isSpvError(err), 'expected an SpvError');
    assert.equal(err.code, code);
    return true;
  };
}

/** A hash (internal little-endian order) whose integer value is `value`. */
function hashOfValue(value: bigint): Uint8Array {
  return reversed(bigintToBytes32(value));
}

function at(file: Uint8Array, index: number): Uint8Array {
  return file.subarray(index * HEADER_SIZE, (index + 1) * HEADER_SIZE);
}

describe('CalculateNextWorkRequired: Core pow_tests vectors (mainnet)', () => {
  it('get_next_work: 32255 (1262152739, 0x1d00ffff), first 1261130161 -> 0x1d00d86a', () => {
    assert.equal(calculateNextBits(MAINNET, 0x1d00ffff, 1261130161, 1262152739), 0x1d00d86a);
  });

  it('get_next_work_pow_limit: 2015 (1233061996, 0x1d00ffff), first 1231006505 -> 0x1d00ffff (capped)', () => {
    assert.equal(calculateNextBits(MAINNET, 0x1d00ffff, 1231006505, 1233061996), 0x1d00ffff);
  });

  it('get_next_work_lower_limit_actual: 68543 (1279297671, 0x1c05a3f4), first 1279008237 -> 0x1c0168fd (1/4 clamp)', () => {
    assert.equal(calculateNextBits(MAINNET, 0x1c05a3f4, 1279008237, 1279297671), 0x1c0168fd);
    // Any span below the clamp gives the same result.
    assert.equal(calculateNextBits(MAINNET, 0x1c05a3f4, 1279008237, 1279008237), 0x1c0168fd);
  });

  it('get_next_work_upper_limit_actual: 46367 (1269211443, 0x1c387f6f), first 1263163443 -> 0x1d00e1fd (4x clamp)', () => {
    assert.equal(calculateNextBits(MAINNET, 0x1c387f6f, 1263163443, 1269211443), 0x1d00e1fd);
    assert.equal(calculateNextBits(MAINNET, 0x1c387f6f, 0, 1269211443), 0x1d00e1fd);
  });

  it('an exact 14-day span keeps the target; regtest never retargets', () => {
    assert.equal(calculateNextBits(MAINNET, 0x1b0404cb, 1_000_000, 1_000_000 + 1_209_600), 0x1b0404cb);
    assert.equal(calculateNextBits(REGTEST, 0x207fffff, 0, 1), 0x207fffff);
    assert.equal(calculateNextBits(REGTEST, 0x1d00ffff, 0, 10_000_000), 0x1d00ffff);
  });

  it(
    'get_next_work recomputes from the real headers 30240 and 32255; the result is the bits of 32256',
    { skip: skipUnlessFixture(FX.mainnet30000) },
    () => {
      const file = readFixture(FX.mainnet30000);
      const first = at(file, 30240 - 30000);
      const last = at(file, 32255 - 30000);
      assert.equal(headerTime(first), 1261130161);
      assert.equal(headerTime(last), 1262152739);
      assert.equal(headerBits(last), 0x1d00ffff);
      const next = calculateNextBits(MAINNET, headerBits(last), headerTime(first), headerTime(last));
      assert.equal(next, 0x1d00d86a);
      assert.equal(headerBits(at(file, 32256 - 30000)), next);
    },
  );

  it(
    'get_next_work_pow_limit recomputes from the real genesis and header 2015',
    { skip: skipUnlessFixture(FX.mainnet0) },
    () => {
      const file = readFixture(FX.mainnet0);
      assert.equal(headerTime(at(file, 0)), 1231006505);
      assert.equal(headerTime(at(file, 2015)), 1233061996);
      assert.equal(calculateNextBits(MAINNET, headerBits(at(file, 2015)), 1231006505, 1233061996), 0x1d00ffff);
      assert.equal(headerBits(at(file, 2016)), 0x1d00ffff);
    },
  );
});

describe('PermittedDifficultyTransition (Core presync check)', () => {
  it('lower_limit_actual: expected 0x1c0168fd permitted, expected - 1 not', () => {
    assert.equal(permittedDifficultyTransition(MAINNET, 68544, 0x1c05a3f4, 0x1c0168fd), true);
    assert.equal(permittedDifficultyTransition(MAINNET, 68544, 0x1c05a3f4, 0x1c0168fd - 1), false);
  });

  it('upper_limit_actual: expected 0x1d00e1fd permitted, expected + 1 not', () => {
    assert.equal(permittedDifficultyTransition(MAINNET, 46368, 0x1c387f6f, 0x1d00e1fd), true);
    assert.equal(permittedDifficultyTransition(MAINNET, 46368, 0x1c387f6f, 0x1d00e1fd + 1), false);
  });

  it('get_next_work and pow_limit results are permitted; anything between the limits is', () => {
    assert.equal(permittedDifficultyTransition(MAINNET, 32256, 0x1d00ffff, 0x1d00d86a), true);
    assert.equal(permittedDifficultyTransition(MAINNET, 2016, 0x1d00ffff, 0x1d00ffff), true);
    assert.equal(permittedDifficultyTransition(MAINNET, 68544, 0x1c05a3f4, 0x1c05a3f4), true);
    // Above powLimit is never permitted (the largest is capped).
    assert.equal(permittedDifficultyTransition(MAINNET, 2016, 0x1d00ffff, 0x1d010000), false);
  });

  it('outside a retarget height only the same bits are permitted; min-difficulty networks permit anything', () => {
    assert.equal(permittedDifficultyTransition(MAINNET, 32257, 0x1d00d86a, 0x1d00d86a), true);
    assert.equal(permittedDifficultyTransition(MAINNET, 32257, 0x1d00d86a, 0x1d00d86b), false);
    assert.equal(permittedDifficultyTransition(MAINNET, 32257, 0x1d00d86a, 0x1d00ffff), false);
    assert.equal(permittedDifficultyTransition(TESTNET3, 4033, 0x1c3fffc0, 0x1d00ffff), true);
    assert.equal(permittedDifficultyTransition(TESTNET4, 4033, 0x1c3fffc0, 0x1d00ffff), true);
  });
});

describe('CheckProofOfWork / TargetCache', () => {
  const cache = new TargetCache(MAINNET.powLimit);
  const anyHash = new Uint8Array(32);

  it('rejects a negative target (powLimit compact with the sign bit) with HEADER_BAD_TARGET', () => {
    const bits = (MAINNET.powLimitBits | 0x00800000) >>> 0;
    assert.equal(bits, 0x1d80ffff);
    assert.throws(() => checkProofOfWork(anyHash, bits, cache), hasCode('HEADER_BAD_TARGET'));
  });

  it('rejects an overflowing target (bits = ~0x00800000) with HEADER_BAD_TARGET', () => {
    const bits = ~0x00800000 >>> 0;
    assert.equal(bits, 0xff7fffff);
    assert.throws(() => checkProofOfWork(anyHash, bits, cache), hasCode('HEADER_BAD_TARGET'));
  });

  it('rejects a target above powLimit (powLimit x 2) with HEADER_BAD_TARGET', () => {
    const bits = encodeCompact(MAINNET.powLimit * 2n);
    assert.throws(() => checkProofOfWork(anyHash, bits, cache), hasCode('HEADER_BAD_TARGET'));
  });

  it('rejects a zero target with HEADER_BAD_TARGET', () => {
    assert.throws(() => checkProofOfWork(anyHash, 0, cache), hasCode('HEADER_BAD_TARGET'));
    assert.throws(() => checkProofOfWork(anyHash, 0x01003456, cache), hasCode('HEADER_BAD_TARGET'));
  });

  it('rejects a hash above the target with HEADER_BAD_POW; hash == target passes', () => {
    assert.throws(
      () => checkProofOfWork(hashOfValue(MAINNET.powLimit + 1n), MAINNET.powLimitBits, cache),
      hasCode('HEADER_BAD_POW'),
    );
    const t = checkProofOfWork(hashOfValue(MAINNET.powLimit), MAINNET.powLimitBits, cache);
    assert.equal(t.target, MAINNET.powLimit);
    assert.equal(t.work, 0x100010001n);
    assert.equal(checkProofOfWork(hashOfValue(0n), MAINNET.powLimitBits, cache).bits, MAINNET.powLimitBits);
  });

  it('the genesis headers of every network pass their own PoW', () => {
    for (const p of [MAINNET, TESTNET3, TESTNET4, REGTEST]) {
      const t = checkProofOfWork(headerHash(p.genesisHeader), headerBits(p.genesisHeader), new TargetCache(p.powLimit));
      assert.equal(t.bits, p.powLimitBits, p.name);
    }
  });

  it('TargetCache.get returns the error (not throws) and caches verdicts by bits', () => {
    const c = new TargetCache(MAINNET.powLimit);
    const bad = c.get(0x1d80ffff);
    assert.ok(isSpvError(bad));
    assert.equal(bad.code, 'HEADER_BAD_TARGET');
    assert.equal(c.get(0x1d80ffff), bad);
    const good = c.get(0x1b0404cb);
    assert.ok(!isSpvError(good));
    assert.equal(good.target, decodeCompact(0x1b0404cb).target);
    assert.deepEqual(good.targetBE, bigintToBytes32(good.target));
    assert.equal(good.work, workFromTarget(good.target));
  });

  it('hashMeetsTarget compares as 256-bit integers (little-endian hash, big-endian target)', () => {
    const target = bigintToBytes32(0x00000000ffff0000n << 192n);
    assert.equal(hashMeetsTarget(hashOfValue(0x00000000ffff0000n << 192n), target), true);
    assert.equal(hashMeetsTarget(hashOfValue((0x00000000ffff0000n << 192n) + 1n), target), false);
    assert.equal(hashMeetsTarget(hashOfValue((0x00000000ffff0000n << 192n) - 1n), target), true);
    assert.equal(hashMeetsTarget(hashOfValue(1n << 255n), target), false);
  });
});

describe('work', () => {
  it('genesis work = 0x100010001 (2^256 / (target + 1))', () => {
    assert.equal(workFromBits(0x1d00ffff), 0x100010001n);
    assert.equal(workFromBits(headerBits(MAINNET.genesisHeader)), 0x100010001n);
  });

  it('matches Core GetBlockProof (~target / (target + 1) + 1) on real bits', () => {
    const mask = (1n << 256n) - 1n;
    for (const bits of [0x1d00ffff, 0x1d00d86a, 0x1c0168fd, 0x1b0404cb, 0x17038c12, 0x207fffff]) {
      const t = decodeCompact(bits).target;
      assert.equal(workFromBits(bits), (~t & mask) / (t + 1n) + 1n, `0x${bits.toString(16)}`);
    }
  });

  it('is 0 for targets that cannot be valid (negative, overflow, zero)', () => {
    assert.equal(workFromBits(0x1d80ffff), 0n);
    assert.equal(workFromBits(0xff7fffff), 0n);
    assert.equal(workFromBits(0), 0n);
  });

  it('chainwork is 256-bit: a 12-byte field would overflow, the maximum is 2^256 - 1', () => {
    assert.equal(MAX_CHAINWORK, (1n << 256n) - 1n);
    assert.equal(workFromTarget(0n), 1n << 256n);
    // Mainnet's chainwork passed 2^95 (bitcoinj's 12-byte signed field) in 2024: still far below the limit.
    assert.ok(0x6cba5548513889a0030bd7b4n < 1n << 96n);
  });
});

describe('verifyPowBatch', () => {
  const g = MAINNET.genesisHeader;

  function withNonce(raw: Uint8Array, nonce: number): Uint8Array {
    const copy = new Uint8Array(raw);
    new DataView(copy.buffer).setUint32(76, nonce, true);
    return copy;
  }

  function withBits(raw: Uint8Array, bits: number): Uint8Array {
    const copy = new Uint8Array(raw);
    new DataView(copy.buffer).setUint32(72, bits, true);
    return copy;
  }

  it('returns per-index failures without failing the rest of the batch', () => {
    const batch = concatBytes(
      g,
      withNonce(g, 0), // BAD_POW
      TESTNET3.genesisHeader,
      withBits(g, 0x1d80ffff), // negative: BAD_TARGET
      withBits(g, 0x1d01fffe), // above powLimit: BAD_TARGET
      withNonce(g, 1), // BAD_POW
      g,
    );
    const r = verifyPowBatch(batch, MAINNET.powLimit);
    assert.equal(r.hashes.length, 7 * 32);
    for (let i = 0; i < 7; i++) {
      assert.deepEqual(r.hashes.subarray(i * 32, i * 32 + 32), headerHash(batch.subarray(i * 80, i * 80 + 80)));
    }
    const got = r.failures.map((f) => [f.index, f.error.code]);
    assert.deepEqual(got, [
      [1, 'HEADER_BAD_POW'],
      [3, 'HEADER_BAD_TARGET'],
      [4, 'HEADER_BAD_TARGET'],
      [5, 'HEADER_BAD_POW'],
    ]);
  });

  it('an all-valid batch has no failures; a batch with a partial header is HEADER_BAD_LENGTH', () => {
    assert.deepEqual(verifyPowBatch(concatBytes(g, g, g), MAINNET.powLimit).failures, []);
    assert.deepEqual(verifyPowBatch(new Uint8Array(0), MAINNET.powLimit).failures, []);
    assert.throws(() => verifyPowBatch(new Uint8Array(81), MAINNET.powLimit), hasCode('HEADER_BAD_LENGTH'));
  });

  it('judges targets against the powLimit given (regtest genesis fails mainnet powLimit)', () => {
    const r = verifyPowBatch(REGTEST.genesisHeader, MAINNET.powLimit);
    assert.deepEqual(
      r.failures.map((f) => f.error.code),
      ['HEADER_BAD_TARGET'],
    );
    assert.deepEqual(verifyPowBatch(REGTEST.genesisHeader, REGTEST.powLimit).failures, []);
  });

  it(
    'the real mainnet 0-9999 and testnet3 0-9999 files have no failures; a nonce flip in each is found',
    { skip: skipUnlessFixture(FX.mainnet0, FX.testnet3) },
    () => {
      for (const rel of [FX.mainnet0, FX.testnet3]) {
        const file = new Uint8Array(readFixture(rel));
        assert.deepEqual(verifyPowBatch(file, MAINNET.powLimit).failures, [], rel);
        const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
        for (const i of [17, 4100, 9999]) dv.setUint32(i * 80 + 76, dv.getUint32(i * 80 + 76, true) ^ 1, true);
        const r = verifyPowBatch(file, MAINNET.powLimit);
        assert.deepEqual(
          r.failures.map((f) => [f.index, f.error.code]),
          [
            [17, 'HEADER_BAD_POW'],
            [4100, 'HEADER_BAD_POW'],
            [9999, 'HEADER_BAD_POW'],
          ],
          rel,
        );
      }
    },
  );
});
