import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HEADER_SIZE } from '../../../src/chain/header.js';
import { cryptoHeaderHasher, hashHeaders, headerHasher, wasmHeaderHasher } from '../../../src/chain/headerHasher.js';
import type { HeaderHasher } from '../../../src/chain/headerHasher.js';
import { emitSha256dModule } from '../../../src/chain/sha256Wasm.js';
import { isSpvError } from '../../../src/errors/spvError.js';
import { FX, readFixture, skipUnlessFixture } from '../../helpers/fixtures.js';
import { mulberry32 } from '../../helpers/random.js';

/** The reference: node:crypto sha256d of each header, one call pair per header. */
function reference(headers: Uint8Array): Uint8Array {
  const n = headers.length / HEADER_SIZE;
  const out = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const first = createHash('sha256').update(headers.subarray(i * 80, i * 80 + 80)).digest();
    out.set(createHash('sha256').update(first).digest(), i * 32);
  }
  return out;
}

function randomHeaders(n: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  const out = new Uint8Array(n * HEADER_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}

function run(h: HeaderHasher, headers: Uint8Array): Uint8Array {
  const out = new Uint8Array((headers.length / HEADER_SIZE) * 32);
  h.hashHeaders(headers, out);
  return out;
}

const wasm = wasmHeaderHasher();

describe('wasm SIMD sha256d of 80-byte headers', () => {
  it('the emitted module validates and this Node has WebAssembly SIMD (the fast path is what runs)', () => {
    const bytes = emitSha256dModule();
    assert.equal(bytes.subarray(0, 4).toString(), [0x00, 0x61, 0x73, 0x6d].toString());
    const api = (globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly;
    assert.ok(api !== undefined && api.validate(bytes));
    assert.ok(wasm !== null);
    assert.equal(headerHasher().kind, 'wasm-simd');
  });

  it('equals node:crypto sha256d on real mainnet headers 0-9999 (and their known block hashes)', { skip: skipUnlessFixture(FX.mainnet0) }, () => {
    assert.ok(wasm !== null);
    const file = readFixture(FX.mainnet0);
    const got = run(wasm, file);
    assert.deepEqual(got, reference(file));
    // Genesis and block 1 hashes as everyone knows them (display order).
    const hex = (i: number): string => Buffer.from(got.subarray(i * 32, i * 32 + 32)).reverse().toString('hex');
    assert.equal(hex(0), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    assert.equal(hex(1), '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048');
  });

  it('equals node:crypto on real headers from 2019 and 2024 (varied versions, bits and nonces)', { skip: skipUnlessFixture(FX.mainnet586657, FX.mainnet822528) }, () => {
    assert.ok(wasm !== null);
    for (const rel of [FX.mainnet586657, FX.mainnet822528]) {
      const file = readFixture(rel);
      assert.deepEqual(run(wasm, file), reference(file));
    }
  });

  it('equals node:crypto for every batch size 0..41 and across the 4096-header chunk boundary (tails of 1-3)', () => {
    assert.ok(wasm !== null);
    for (let n = 0; n <= 41; n++) {
      const h = randomHeaders(n, 1000 + n);
      assert.deepEqual(run(wasm, h), reference(h), `n = ${n}`);
    }
    for (const n of [4095, 4096, 4097, 8191, 8195]) {
      const h = randomHeaders(n, n);
      assert.deepEqual(run(wasm, h), reference(h), `n = ${n}`);
    }
  });

  it('equals node:crypto on random headers, including all-zero and all-0xff bytes (fast-check)', () => {
    assert.ok(wasm !== null);
    const header = fc.uint8Array({ minLength: 80, maxLength: 80 });
    fc.assert(
      fc.property(fc.array(header, { minLength: 1, maxLength: 13 }), (list) => {
        const batch = new Uint8Array(list.length * 80);
        list.forEach((h, i) => batch.set(h, i * 80));
        assert.deepEqual(run(wasm, batch), reference(batch));
      }),
      { numRuns: 200, examples: [[[new Uint8Array(80)]], [[new Uint8Array(80).fill(0xff)]]] },
    );
  });

  it('reads a header batch that is a view into a larger buffer, and leaves the input unchanged', () => {
    assert.ok(wasm !== null);
    const big = randomHeaders(20, 7);
    const view = big.subarray(3 * 80, 12 * 80);
    const before = new Uint8Array(big);
    assert.deepEqual(run(wasm, view), reference(view));
    assert.deepEqual(big, before);
  });

  it('a flipped bit anywhere in a header changes only that header\'s hash', () => {
    assert.ok(wasm !== null);
    const h = randomHeaders(5, 99);
    const base = run(wasm, h);
    const rnd = mulberry32(5);
    for (let k = 0; k < 40; k++) {
      const copy = new Uint8Array(h);
      const bit = Math.floor(rnd() * 5 * 640);
      copy[bit >> 3]! ^= 1 << (bit & 7);
      const got = run(wasm, copy);
      const which = Math.floor(bit / 640);
      for (let i = 0; i < 5; i++) {
        const same = Buffer.compare(got.subarray(i * 32, i * 32 + 32), base.subarray(i * 32, i * 32 + 32)) === 0;
        assert.equal(same, i !== which, `bit ${bit}, header ${i}`);
      }
      assert.deepEqual(got, reference(copy));
    }
  });
});

describe('header hasher API', () => {
  it('the node:crypto fallback gives the same hashes as the wasm path', () => {
    const h = randomHeaders(37, 3);
    assert.deepEqual(run(cryptoHeaderHasher(), h), reference(h));
    assert.deepEqual(hashHeaders(h), reference(h));
  });

  it('rejects a batch that is not whole 80-byte headers with HEADER_BAD_LENGTH, and a short output', () => {
    for (const h of [wasm, cryptoHeaderHasher()]) {
      assert.ok(h !== null);
      assert.throws(
        () => h.hashHeaders(new Uint8Array(81), new Uint8Array(64)),
        (err: unknown) => isSpvError(err) && err.code === 'HEADER_BAD_LENGTH',
      );
      assert.throws(() => h.hashHeaders(new Uint8Array(160), new Uint8Array(63)), RangeError);
    }
  });
});
