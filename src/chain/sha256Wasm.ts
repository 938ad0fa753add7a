/**
 * A WebAssembly module, emitted here byte by byte at load time (no toolchain, no download), that computes
 * sha256d of 80-byte block headers four at a time with SIMD128: lane k of every i32x4 value belongs to
 * header k of the group. Why hand-written: node:crypto costs ~1 us of per-call overhead per digest, which
 * caps header hashing at ~0.35M/s per core; this does the same work with no per-header call at all
 * (FIPS 180-4 compression, fully unrolled, constants folded; see scripts/bench-validate.ts for the numbers).
 *
 * A header's sha256d is three compressions: the 80 bytes and their padding fill two 64-byte blocks, and
 * the 32-byte digest with its padding fills a third. The padding words are fixed, so they are constants
 * in the code and the message-schedule terms built only from them are computed here, not at run time.
 *
 * Export `sha256d80(in, out, groups)`: hashes `groups` x 4 headers read from `in` (80 bytes each,
 * consecutive) and writes their 32-byte digests to `out` (internal byte order, as node:crypto returns them).
 */

const K: readonly number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];

const IV: readonly number[] = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

// ---------------------------------------------------------------- encoding helpers

function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

const rotr32 = (x: number, n: number): number => ((x >>> n) | (x << (32 - n))) >>> 0;
const bsig0 = (x: number): number => (rotr32(x, 7) ^ rotr32(x, 18) ^ (x >>> 3)) >>> 0;
const bsig1 = (x: number): number => (rotr32(x, 17) ^ rotr32(x, 19) ^ (x >>> 10)) >>> 0;

// ---------------------------------------------------------------- opcodes

const I32 = 0x7f;
const V128 = 0x7b;
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
} as const;
/** SIMD opcodes follow the 0xfd prefix as a LEB128 u32. */
const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
} as const;

/** A message-schedule word: known at emit time (padding) or held in a local. */
type Term = { readonly c: number } | { readonly local: number };

class Emitter {
  readonly code: number[] = [];

  op(...bytes: number[]): void {
    for (const b of bytes) this.code.push(b);
  }

  simd(op: number, ...imm: number[]): void {
    this.op(0xfd, ...uleb(op), ...imm);
  }

  get(l: number): void {
    this.op(OP.localGet, ...uleb(l));
  }

  set(l: number): void {
    this.op(OP.localSet, ...uleb(l));
  }

  i32(v: number): void {
    this.op(OP.i32Const, ...sleb(v));
  }

  /** v128.const with `v` in all four lanes. */
  splat(v: number): void {
    const b: number[] = [];
    for (let i = 0; i < 4; i++) b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    this.simd(SIMD.const, ...b);
  }

  add(): void {
    this.simd(SIMD.i32x4Add);
  }

  xor(): void {
    this.simd(SIMD.xor);
  }

  /** Pushes rotr(local, n) = (x >>> n) | (x << 32 - n): SIMD128 has no lane rotate. */
  rotr(l: number, n: number): void {
    this.get(l);
    this.i32(n);
    this.simd(SIMD.i32x4ShrU);
    this.get(l);
    this.i32(32 - n);
    this.simd(SIMD.i32x4Shl);
    this.simd(SIMD.or);
  }

  shr(l: number, n: number): void {
    this.get(l);
    this.i32(n);
    this.simd(SIMD.i32x4ShrU);
  }

  /** Pushes rotr(x, a) ^ rotr(x, b) ^ rotr(x, c) (Σ0, Σ1). */
  bigSigma(l: number, a: number, b: number, c: number): void {
    this.rotr(l, a);
    this.rotr(l, b);
    this.xor();
    this.rotr(l, c);
    this.xor();
  }

  /** Pushes rotr(x, a) ^ rotr(x, b) ^ (x >>> c) (σ0, σ1). */
  smallSigma(l: number, a: number, b: number, c: number): void {
    this.rotr(l, a);
    this.rotr(l, b);
    this.xor();
    this.shr(l, c);
    this.xor();
  }

  memarg(offset: number): number[] {
    return [0x00, ...uleb(offset)];
  }

  /** i8x16.shuffle of the two v128 on the stack, picking 32-bit words (0-3 first, 4-7 second) byte-swapped. */
  shuffleWordsSwapped(words: readonly [number, number, number, number]): void {
    const lanes: number[] = [];
    for (const w of words) lanes.push(w * 4 + 3, w * 4 + 2, w * 4 + 1, w * 4);
    this.simd(SIMD.shuffle, ...lanes);
  }

  /** i8x16.shuffle picking 32-bit words as they are. */
  shuffleWords(words: readonly [number, number, number, number]): void {
    const lanes: number[] = [];
    for (const w of words) lanes.push(w * 4, w * 4 + 1, w * 4 + 2, w * 4 + 3);
    this.simd(SIMD.shuffle, ...lanes);
  }
}

// Locals: params 0 in, 1 out, 2 groups; then v128 locals.
const P_IN = 0;
const P_OUT = 1;
const P_GROUPS = 2;
const L_S = 3; // 8 working variables (names rotate each round)
const L_H = L_S + 8; // 8 chaining values
const L_W = L_H + 8; // 16 schedule words (a ring)
const L_T = L_W + 16; // round temporary T1
const L_R = L_T + 1; // 4 transpose rows
const L_C = L_R + 4; // 4 transpose temporaries
const V128_LOCALS = L_C + 4 - L_S;

/**
 * A 4x4 transpose of 32-bit lanes with each word byte-swapped, from the four vectors in locals `rows..rows+3`.
 * Column j is handed to `sink(j, push)`, where `push()` leaves it on the stack (the caller stores it in a local
 * or in memory). Byte swaps are folded into the first round of shuffles.
 */
function transposeSwapped(e: Emitter, rows: number, sink: (j: number, push: () => void) => void): void {
  // C0 = r0w0 r1w0 r0w1 r1w1, C1 = r0w2 r1w2 r0w3 r1w3, C2/C3 the same for rows 2 and 3, byte-swapped.
  const pairs: ReadonlyArray<readonly [number, number, number]> = [
    [0, 0, 1],
    [1, 0, 1],
    [2, 2, 3],
    [3, 2, 3],
  ];
  for (const [c, r0, r1] of pairs) {
    e.get(rows + r0);
    e.get(rows + r1);
    e.shuffleWordsSwapped(c % 2 === 0 ? [0, 4, 1, 5] : [2, 6, 3, 7]);
    e.set(L_C + c);
  }
  // Column j: low or high halves of C0/C2 (j = 0, 1) and C1/C3 (j = 2, 3).
  const outs: ReadonlyArray<readonly [number, number, readonly [number, number, number, number]]> = [
    [0, 2, [0, 1, 4, 5]],
    [0, 2, [2, 3, 6, 7]],
    [1, 3, [0, 1, 4, 5]],
    [1, 3, [2, 3, 6, 7]],
  ];
  outs.forEach(([a, b, words], j) =>
    sink(j, () => {
      e.get(L_C + a);
      e.get(L_C + b);
      e.shuffleWords(words);
    }),
  );
}

/**
 * Loads 16 bytes at `offset` from each of the 4 headers of the group and leaves in W locals
 * `dst..dst+3` the big-endian words across lanes.
 */
function loadTransposed(e: Emitter, offset: number, dst: number): void {
  for (let k = 0; k < 4; k++) {
    e.get(P_IN);
    e.simd(SIMD.load, ...e.memarg(k * 80 + offset));
    e.set(L_R + k);
  }
  transposeSwapped(e, L_R, (j, push) => {
    push();
    e.set(dst + j);
  });
}

/** The inverse of loadTransposed for the 8 chaining values: 32 digest bytes per header at `out`. */
function storeDigests(e: Emitter): void {
  for (let half = 0; half < 2; half++) {
    transposeSwapped(e, L_H + half * 4, (k, push) => {
      e.get(P_OUT);
      push();
      e.simd(SIMD.store, ...e.memarg(k * 32 + half * 16));
    });
  }
}

/** Pushes the sum of the locals and the constant (constants are folded at emit time into one v128.const). */
function pushSum(e: Emitter, locals: readonly number[], constant: number): void {
  let pushed = 0;
  for (const l of locals) {
    e.get(l);
    if (pushed++ > 0) e.add();
  }
  if (constant !== 0 || pushed === 0) {
    e.splat(constant >>> 0);
    if (pushed > 0) e.add();
  }
}

/**
 * One compression (FIPS 180-4 6.2.2) of the block whose 16 words are `w` (constants or W locals) into the
 * chaining values: `init` 'iv' starts from the initial hash value, 'h' from the current H locals.
 */
function compress(e: Emitter, w0: readonly Term[], init: 'iv' | 'h'): void {
  const w: Term[] = [...w0];
  for (let i = 0; i < 8; i++) {
    if (init === 'iv') e.splat(IV[i]!);
    else e.get(L_H + i);
    e.set(L_S + i);
  }
  const slot = (t: number, k: number): number => L_S + ((((k - t) % 8) + 8) % 8);
  for (let t = 0; t < 64; t++) {
    if (t >= 16) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], into the ring slot of W[t-16].
      const terms = [w[t - 2]!, w[t - 7]!, w[t - 15]!, w[t - 16]!];
      const fns = [bsig1, (x: number) => x, bsig0, (x: number) => x];
      let constant = 0;
      let pushed = 0;
      terms.forEach((term, i) => {
        if ('c' in term) {
          constant = (constant + fns[i]!(term.c)) >>> 0;
          return;
        }
        if (i === 0) e.smallSigma(term.local, 17, 19, 10);
        else if (i === 2) e.smallSigma(term.local, 7, 18, 3);
        else e.get(term.local);
        if (pushed++ > 0) e.add();
      });
      if (pushed === 0) {
        w.push({ c: constant });
      } else {
        if (constant !== 0) {
          e.splat(constant);
          e.add();
        }
        const l = L_W + (t % 16);
        e.set(l);
        w.push({ local: l });
      }
    }
    const a = slot(t, 0);
    const b = slot(t, 1);
    const c = slot(t, 2);
    const d = slot(t, 3);
    const ee = slot(t, 4);
    const f = slot(t, 5);
    const g = slot(t, 6);
    const h = slot(t, 7);
    const wt = w[t]!;
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]; Ch = bitselect(f, g, e).
    e.get(h);
    e.bigSigma(ee, 6, 11, 25);
    e.add();
    e.get(f);
    e.get(g);
    e.get(ee);
    e.simd(SIMD.bitselect);
    e.add();
    if ('c' in wt) pushSum(e, [], (K[t]! + wt.c) >>> 0);
    else pushSum(e, [wt.local], K[t]!);
    e.add();
    e.op(OP.localTee, ...uleb(L_T));
    // d += T1
    e.get(d);
    e.add();
    e.set(d);
    // h = T1 + Σ0(a) + Maj(a, b, c); Maj = bitselect(a, b, b ^ c).
    e.get(L_T);
    e.bigSigma(a, 2, 13, 22);
    e.add();
    e.get(a);
    e.get(b);
    e.get(b);
    e.get(c);
    e.xor();
    e.simd(SIMD.bitselect);
    e.add();
    e.set(h);
  }
  // After 64 rounds (a multiple of 8) the names are back in place: S[i] is variable i.
  for (let i = 0; i < 8; i++) {
    e.get(L_S + i);
    if (init === 'iv') e.splat(IV[i]!);
    else e.get(L_H + i);
    e.add();
    e.set(L_H + i);
  }
}

function emitBody(): number[] {
  const e = new Emitter();
  e.op(OP.block, 0x40, OP.loop, 0x40);
  e.get(P_GROUPS);
  e.op(OP.i32Eqz, OP.brIf, 1);

  // Block 1: header bytes 0..63.
  for (let q = 0; q < 4; q++) loadTransposed(e, q * 16, L_W + q * 4);
  const block1: Term[] = [];
  for (let i = 0; i < 16; i++) block1.push({ local: L_W + i });
  compress(e, block1, 'iv');

  // Block 2: bytes 64..79, then 0x80, zeros and the bit length 640.
  loadTransposed(e, 64, L_W);
  const block2: Term[] = [{ local: L_W }, { local: L_W + 1 }, { local: L_W + 2 }, { local: L_W + 3 }, { c: 0x80000000 }];
  for (let i = 5; i < 15; i++) block2.push({ c: 0 });
  block2.push({ c: 640 });
  compress(e, block2, 'h');

  // Block 3: the 32-byte digest (the chaining values, copied out of H before H is reset), 0x80, length 256.
  for (let i = 0; i < 8; i++) {
    e.get(L_H + i);
    e.set(L_W + i);
  }
  const block3: Term[] = [];
  for (let i = 0; i < 8; i++) block3.push({ local: L_W + i });
  block3.push({ c: 0x80000000 });
  for (let i = 9; i < 15; i++) block3.push({ c: 0 });
  block3.push({ c: 256 });
  compress(e, block3, 'iv');

  storeDigests(e);

  // in += 320; out += 128; groups -= 1
  for (const [p, step] of [
    [P_IN, 320],
    [P_OUT, 128],
  ] as const) {
    e.get(p);
    e.i32(step);
    e.op(OP.i32Add);
    e.set(p);
  }
  e.get(P_GROUPS);
  e.i32(1);
  e.op(OP.i32Sub);
  e.set(P_GROUPS);
  e.op(OP.br, 0, OP.end, OP.end, OP.end);

  const locals = [...uleb(1), ...uleb(V128_LOCALS), V128];
  const body = [...locals, ...e.code];
  return [...uleb(body.length), ...body];
}

/** Initial memory pages (64 KiB each); the loader grows it for larger chunks. */
export const INITIAL_PAGES = 8;

/** The module bytes: one memory (exported "mem") and one function (exported "sha256d80"). */
export function emitSha256dModule(): Uint8Array {
  const type = [0x60, ...uleb(3), I32, I32, I32, ...uleb(0)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(1), ...type]),
    ...section(3, [...uleb(1), ...uleb(0)]),
    ...section(5, [...uleb(1), 0x00, ...uleb(INITIAL_PAGES)]),
    ...section(7, [...uleb(2), ...name('mem'), 0x02, ...uleb(0), ...name('sha256d80'), 0x00, ...uleb(0)]),
    ...section(10, [...uleb(1), ...emitBody()]),
  ];
  return new Uint8Array(bytes);
}
