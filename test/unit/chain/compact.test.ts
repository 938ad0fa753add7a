import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCompact, encodeCompact, targetFromBits } from '../../../src/chain/compact.js';
import { MAINNET, REGTEST, SIGNET } from '../../../src/chain/params.js';
import type { BoundaryRow } from '../../helpers/fixtures.js';
import { FX, readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';

/** Core arith_uint256_tests.cpp, SetCompact / GetCompact (fixtures README §6). */
describe('compact encoding: Core arith_uint256 SetCompact / GetCompact vectors', () => {
  it('every zero-mantissa vector decodes to 0, not negative, not overflowing; GetCompact(0) = 0', () => {
    const zeros = [
      0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x00923456, 0x01803456, 0x02800056, 0x03800000,
      0x04800000,
    ];
    for (const bits of zeros) {
      const d = decodeCompact(bits);
      assert.equal(d.target, 0n, `0x${bits.toString(16)}`);
      assert.equal(d.negative, false, `0x${bits.toString(16)} negative`);
      assert.equal(d.overflow, false, `0x${bits.toString(16)} overflow`);
      assert.equal(encodeCompact(d.target), 0, `GetCompact of 0x${bits.toString(16)}`);
    }
  });

  it('0x01123456 -> 0x12, GetCompact 0x01120000', () => {
    const d = decodeCompact(0x01123456);
    assert.equal(d.target, 0x12n);
    assert.equal(d.negative, false);
    assert.equal(d.overflow, false);
    assert.equal(encodeCompact(d.target), 0x01120000);
  });

  it('the value 0x80 -> GetCompact 0x02008000 (mantissa top bit moved down a byte)', () => {
    assert.equal(encodeCompact(0x80n), 0x02008000);
    assert.equal(decodeCompact(0x02008000).target, 0x80n);
  });

  it('0x01fedcba -> -0x7e, negative; GetCompact 0x01fe0000 (sign applied to the magnitude)', () => {
    const d = decodeCompact(0x01fedcba);
    assert.equal(d.target, 0x7en);
    assert.equal(d.negative, true);
    assert.equal(d.overflow, false);
    // encodeCompact encodes magnitudes only; Core's negative GetCompact is that with the sign bit set.
    assert.equal((encodeCompact(d.target) | 0x00800000) >>> 0, 0x01fe0000);
    assert.throws(() => encodeCompact(-0x7en), RangeError);
  });

  it('0x02123456 -> 0x1234 (GetCompact 0x02123400)', () => {
    const d = decodeCompact(0x02123456);
    assert.equal(d.target, 0x1234n);
    assert.equal(d.negative, false);
    assert.equal(d.overflow, false);
    assert.equal(encodeCompact(d.target), 0x02123400);
  });

  it('0x03123456 -> 0x123456 (GetCompact 0x03123456)', () => {
    const d = decodeCompact(0x03123456);
    assert.equal(d.target, 0x123456n);
    assert.equal(d.negative, false);
    assert.equal(encodeCompact(d.target), 0x03123456);
  });

  it('0x04123456 -> 0x12345600 (GetCompact 0x04123456)', () => {
    const d = decodeCompact(0x04123456);
    assert.equal(d.target, 0x12345600n);
    assert.equal(d.negative, false);
    assert.equal(encodeCompact(d.target), 0x04123456);
  });

  it('0x04923456 -> -0x12345600, negative (GetCompact 0x04923456)', () => {
    const d = decodeCompact(0x04923456);
    assert.equal(d.target, 0x12345600n);
    assert.equal(d.negative, true);
    assert.equal(d.overflow, false);
    assert.equal((encodeCompact(d.target) | 0x00800000) >>> 0, 0x04923456);
  });

  it('0x05009234 -> 0x92340000 (GetCompact 0x05009234)', () => {
    const d = decodeCompact(0x05009234);
    assert.equal(d.target, 0x92340000n);
    assert.equal(d.negative, false);
    assert.equal(d.overflow, false);
    assert.equal(encodeCompact(d.target), 0x05009234);
  });

  it('0x20123456 -> 0x123456 followed by 29 zero bytes (GetCompact 0x20123456)', () => {
    const d = decodeCompact(0x20123456);
    assert.equal(d.target, 0x123456n << (29n * 8n));
    assert.equal(d.target.toString(16), '123456' + '00'.repeat(29));
    assert.equal(d.negative, false);
    assert.equal(d.overflow, false);
    assert.equal(encodeCompact(d.target), 0x20123456);
  });

  it('0xff123456 overflows', () => {
    const d = decodeCompact(0xff123456);
    assert.equal(d.overflow, true);
    assert.equal(d.negative, false);
  });

  it('overflow boundaries: exponent 34 with 1-byte mantissa, 33 with 2-byte, 32 with 3-byte are the largest fitting', () => {
    assert.equal(decodeCompact(0x220000ff).overflow, false); // 0xff << 248
    assert.equal(decodeCompact(0x230000ff).overflow, true);
    assert.equal(decodeCompact(0x2100ffff).overflow, false); // 0xffff << 240
    assert.equal(decodeCompact(0x22000100).overflow, true);
    assert.equal(decodeCompact(0x207fffff).overflow, false);
    assert.equal(decodeCompact(0x21010000).overflow, true);
    // A zero mantissa never overflows, whatever the exponent.
    assert.equal(decodeCompact(0xff000000).overflow, false);
    assert.equal(decodeCompact(0xff000000).target, 0n);
  });
});

describe('compact encoding: round trips', () => {
  it('canonical compact values survive decode -> encode', () => {
    const samples = [0x1d00ffff, 0x1b0404cb, 0x1c05a3f4, 0x207fffff, 0x1e0377ae, 0x17038c12, 0x03008000, 0x04008000];
    // Deterministic pseudo-random canonical values: exponent 4..32, mantissa 0x008000..0x7fffff.
    let x = 0x12345678;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const exp = 4 + (x % 29);
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const mant = 0x008000 + (x % (0x800000 - 0x008000));
      samples.push(((exp << 24) | mant) >>> 0);
    }
    for (const bits of samples) {
      const d = decodeCompact(bits);
      assert.equal(d.negative, false);
      assert.equal(d.overflow, false);
      assert.equal(encodeCompact(d.target), bits, `0x${bits.toString(16)}`);
    }
  });

  it('encode keeps 3 significant bytes, truncating: decode(encode(v)) <= v and within one mantissa unit', () => {
    let v = 1n;
    for (let i = 0; i < 250; i++) {
      v = v * 3n + BigInt(i * 7919);
      if (v >= 1n << 256n) break;
      const bits = encodeCompact(v);
      const d = decodeCompact(bits);
      assert.equal(d.negative, false);
      assert.equal(d.overflow, false);
      assert.ok(d.target <= v);
      // One unit of the encoded mantissa (a top bit that would be the sign moves it down a byte).
      const exp = bits >>> 24;
      const unit = exp > 3 ? 1n << BigInt(8 * (exp - 3)) : 1n;
      assert.ok(v - d.target < unit, `truncation of ${v.toString(16)}`);
      assert.equal(encodeCompact(d.target), bits);
    }
  });

  it(
    'every bits value in the mainnet retarget boundaries round-trips',
    { skip: skipUnlessFixture(FX.boundaries) },
    () => {
      const rows = readFixtureJson<BoundaryRow[]>(FX.boundaries);
      assert.equal(rows.length, 827);
      for (const r of rows) {
        const bits = typeof r.bits === 'string' ? parseInt(r.bits, 16) : r.bits;
        assert.equal(encodeCompact(decodeCompact(bits).target), bits, `height ${r.height}`);
      }
    },
  );
});

describe('targetFromBits', () => {
  it('accepts powLimit itself and harder targets below it', () => {
    assert.equal(targetFromBits(0x1d00ffff, MAINNET.powLimit), MAINNET.powLimit);
    assert.equal(MAINNET.powLimit, 0xffffn << 208n);
    assert.equal(targetFromBits(0x1b0404cb, MAINNET.powLimit), 0x0404cbn << 192n);
    assert.equal(targetFromBits(0x207fffff, REGTEST.powLimit), REGTEST.powLimit);
    assert.equal(targetFromBits(0x1e0377ae, SIGNET.powLimit), SIGNET.powLimit);
  });

  it('rejects a negative target (powLimit compact with the sign bit)', () => {
    assert.equal(targetFromBits(0x1d80ffff, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x01fedcba, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x04923456, MAINNET.powLimit), null);
  });

  it('rejects overflowing targets', () => {
    assert.equal(targetFromBits(0xff7fffff, MAINNET.powLimit), null); // ~0x00800000
    assert.equal(targetFromBits(0xff123456, MAINNET.powLimit), null);
  });

  it('rejects zero targets', () => {
    assert.equal(targetFromBits(0, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x00123456, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x04800000, MAINNET.powLimit), null);
  });

  it('rejects targets above powLimit (powLimit x 2, and one mantissa unit above)', () => {
    assert.equal(encodeCompact(MAINNET.powLimit * 2n), 0x1d01fffe);
    assert.equal(targetFromBits(0x1d01fffe, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x1d010000, MAINNET.powLimit), null);
    assert.equal(targetFromBits(0x1e00ffff, MAINNET.powLimit), null);
    // Valid for regtest's easier limit, not for mainnet's.
    assert.notEqual(targetFromBits(0x1d010000, REGTEST.powLimit), null);
    assert.equal(targetFromBits(0x21008000, REGTEST.powLimit), null);
  });
});
