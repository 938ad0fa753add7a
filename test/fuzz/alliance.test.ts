import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkDepositTx } from '../../src/alliance/deposit/checkDepositTx.js';
import { readMultisigRedeem } from '../../src/alliance/multisigScript.js';
import {
  decodeBtcProof,
  decodeMultiSignParam,
  decodeNativeInvoke,
  decodeNeoBigInt,
  decodeSignedTx,
  decodeVoteParam,
  encodeBtcProof,
  encodeMultiSignParam,
  encodeNativeInvoke,
  encodeSignedTx,
  encodeUnsignedTx,
  encodeVoteParam,
  parseOpReturnArgs,
  parseSerializedPublicKey,
  parseWalletFile,
  polyAddressFromBase58,
} from '../../src/alliance/poly/index.js';
import { MAX_SCRYPT_MEMORY } from '../../src/alliance/poly/wallet.js';
import type { BtcProofEncoding, OpReturnLayout } from '../../src/alliance/poly/index.js';
import { CCM_ADDRESS_ERA_A, PolyRpcClient, decodeBlockEvents } from '../../src/alliance/rpc/index.js';
import { decodeUnsignedTx } from '../../src/alliance/signer/decodeUnsignedTx.js';
import { isErrorCode } from '../../src/errors/codes.js';
import { concatBytes, fromHex, toHex } from '../../src/util/bytes.js';
import { a3Payload, a4Payload, depositTx, opReturn, policy, scriptFor } from '../unit/alliance/deposit/depositTestUtil.js';
import { ok, startScripted } from '../unit/alliance/rpc/scriptedServer.js';
import { arrayBufferBytes, assertTypedError, check, compactSize, hostileBytes, FUZZ_TIMEOUT_MS } from './fuzzUtil.js';

/**
 * fast-check over every decoder of alliance-chain input (what a relayer or the alliance node can put in front of
 * us): BtcProof (E1/E0) and NeoBigInt, OP_RETURN Args in every layout, getsmartcodeevent results, Poly tx and
 * native-call params, addresses, keys, wallet.dat, the deposit tx check and the withdrawal tx decoder.
 */
const deposit = depositTx();
const PROOF = { tx: deposit.raw, proof: fromHex('00'.repeat(80) + '01000000' + '01' + 'bb'.repeat(32) + '01' + '01'), height: 1151182, blocksToWait: 6n };
const BTCPROOF: Record<BtcProofEncoding, Uint8Array> = { E1: encodeBtcProof(PROOF, 'E1'), E0: encodeBtcProof(PROOF, 'E0') };
const ADDRESS20 = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);
const OPRETURN_SCRIPTS = [
  opReturn(a3Payload(2n, 1000n)),
  opReturn(a4Payload(2n, 5n, Uint8Array.of(1, 2, 3), ADDRESS20), 'PUSHDATA1'),
  concatBytes(Uint8Array.of(0x6a, 37, 0x66), new Uint8Array(8), new Uint8Array(8), ADDRESS20),
];
const INVOKE = encodeNativeInvoke(new Uint8Array(20).fill(3), 'Vote', Uint8Array.of(1, 2, 3));
const VOTE = encodeVoteParam({ fromChainId: 1n, address: 'AXmQDzzvpEtPkNwBEFsREzApTTDZFW6frD', txid: new Uint8Array(32).fill(9) });
const MULTISIGN_A = encodeMultiSignParam({ chainId: 1n, txHash: new Uint8Array(32), address: 'mvT', sigs: [Uint8Array.of(0x30, 1, 2), Uint8Array.of(0x30)] }, 'A');
const MULTISIGN_C = encodeMultiSignParam({ chainId: 1n, redeemKey: Uint8Array.of(5, 6), txHash: new Uint8Array(32), address: 'mvT', sigs: [Uint8Array.of(0x30)] }, 'C');
const UNSIGNED_A = encodeUnsignedTx({ era: 'A', nonce: 7, chainId: 0n, payload: INVOKE });
const UNSIGNED_C = encodeUnsignedTx({ era: 'C', nonce: 7, chainId: 0n, payload: INVOKE, gasLimit: 20000n, gasPrice: 0n });
const SIGNED_A = encodeSignedTx(UNSIGNED_A, new Uint8Array(65).fill(1), Uint8Array.of(0x12, 0x02, ...new Uint8Array(32).fill(4)));
const SIGNED_C = encodeSignedTx(UNSIGNED_C, new Uint8Array(65).fill(1), Uint8Array.of(0x12, 0x02, ...new Uint8Array(32).fill(4)));

describe('fuzz: alliance byte decoders', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('decodeBtcProof (E1, E0): a BtcProof or BTCPROOF_*', () => {
    check(
      'decodeBtcProof',
      fc.property(fc.constantFrom<BtcProofEncoding>('E1', 'E0'), hostileBytes([BTCPROOF.E1, BTCPROOF.E0], 400), (enc, raw) => {
        try {
          const p = decodeBtcProof(raw, enc);
          // Decoded fields re-encode to exactly the input (no lenient reading that a re-encoder would normalise).
          assert.equal(toHex(encodeBtcProof(p, enc)), toHex(raw));
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, ['BTCPROOF_']);
        }
      }),
      3000,
    );
  });

  it('decodeNeoBigInt: any bytes are a minimal value or BTCPROOF_MALFORMED', () => {
    check(
      'decodeNeoBigInt',
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        try {
          decodeNeoBigInt(b);
        } catch (err) {
          assertTypedError(err, ['BTCPROOF_MALFORMED']);
        }
      }),
      2000,
    );
  });

  it('parseOpReturnArgs (A3, A4, BE; trailing allowed or not): Args or OPRETURN_*', () => {
    check(
      'parseOpReturnArgs',
      fc.property(fc.constantFrom<OpReturnLayout>('A3', 'A4', 'BE'), fc.boolean(), hostileBytes(OPRETURN_SCRIPTS, 200), (layout, allowTrailing, script) => {
        try {
          const a = parseOpReturnArgs(script, layout, { allowTrailing });
          if (!allowTrailing) assert.equal(a.trailing.length, 0);
          assert.ok(a.address.length <= script.length);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, ['OPRETURN_']);
        }
      }),
      3000,
    );
  });

  it('Poly tx, native invoke, Vote and MultiSign params: decoded or POLY_PARAM_MALFORMED', () => {
    const cases = [
      { name: 'invoke', valid: [INVOKE], run: (b: Uint8Array) => decodeNativeInvoke(b) },
      { name: 'vote', valid: [VOTE], run: (b: Uint8Array) => decodeVoteParam(b) },
      { name: 'multisign A', valid: [MULTISIGN_A], run: (b: Uint8Array) => decodeMultiSignParam(b, 'A') },
      { name: 'multisign C', valid: [MULTISIGN_C], run: (b: Uint8Array) => decodeMultiSignParam(b, 'C') },
      { name: 'signed tx A', valid: [SIGNED_A], run: (b: Uint8Array) => decodeSignedTx(b, 'A') },
      { name: 'signed tx C', valid: [SIGNED_C], run: (b: Uint8Array) => decodeSignedTx(b, 'C') },
    ];
    check(
      'poly params',
      fc.property(fc.constantFrom(...cases).chain((c) => fc.tuple(fc.constant(c), hostileBytes(c.valid, 300))), ([c, raw]) => {
        try {
          c.run(raw);
        } catch (err) {
          assertTypedError(err, ['POLY_PARAM_MALFORMED'], c.name);
        }
      }),
      4000,
    );
  });

  it('Poly addresses and serialized public keys: decoded or POLY_ADDRESS_INVALID / POLY_KEY_INVALID', () => {
    const b58 = fc.string({ unit: fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/ '.split('')), maxLength: 60 });
    check(
      'poly address',
      fc.property(fc.oneof(b58, fc.string({ maxLength: 40 }), fc.constant('AXmQDzzvpEtPkNwBEFsREzApTTDZFW6frD')), (text) => {
        try {
          assert.equal(polyAddressFromBase58(text).length, 20);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, ['POLY_ADDRESS_INVALID']);
        }
      }),
      2000,
    );
    check(
      'poly public key',
      fc.property(hostileBytes([Uint8Array.of(0x12, 0x02, ...new Uint8Array(32).fill(4))], 80), (b) => {
        try {
          parseSerializedPublicKey(b);
        } catch (err) {
          assertTypedError(err, ['POLY_KEY_INVALID']);
        }
      }),
      2000,
    );
  });

  it('deposit tx check and withdrawal tx decoder: a verdict or their own code, never a throw of anything else', () => {
    const p = policy();
    check(
      'checkDepositTx / decodeUnsignedTx / readMultisigRedeem',
      fc.property(hostileBytes([deposit.raw], 400), (raw) => {
        const r = checkDepositTx(deposit.txid, raw, p);
        if (!r.ok) assert.ok(isErrorCode(r.code) && (r.code.startsWith('DEPOSIT_') || r.code.startsWith('OPRETURN_')), r.code);
        try {
          decodeUnsignedTx(raw);
        } catch (err) {
          assertTypedError(err, ['SIGNER_TX_MALFORMED']);
        }
        assert.equal(typeof readMultisigRedeem(raw).ok, 'boolean');
      }),
      700,
    );
    check(
      'readMultisigRedeem',
      fc.property(hostileBytes([scriptFor('bare')], 200), (script) => {
        assert.equal(typeof readMultisigRedeem(script).ok, 'boolean');
      }),
      2000,
    );
  });

  it('length prefixes: tiny inputs claiming huge lengths or counts fail with their code, nothing allocated', () => {
    const before = arrayBufferBytes();
    check(
      'alliance huge lengths',
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 32 }), (n, tail) => {
        const len = compactSize(n);
        const inputs: Array<[string, () => unknown, string]> = [
          ['btcproof tx', () => decodeBtcProof(concatBytes(len, tail), 'E1'), 'BTCPROOF_MALFORMED'],
          ['btcproof proof', () => decodeBtcProof(concatBytes(Uint8Array.of(0), len, tail), 'E0'), 'BTCPROOF_MALFORMED'],
          ['invoke method', () => decodeNativeInvoke(concatBytes(new Uint8Array(21), len, tail)), 'POLY_PARAM_MALFORMED'],
          ['vote address', () => decodeVoteParam(concatBytes(new Uint8Array(8), len, tail)), 'POLY_PARAM_MALFORMED'],
          ['signed tx payload', () => decodeSignedTx(concatBytes(Uint8Array.of(0, 0xd1), new Uint8Array(12), len, tail), 'A'), 'POLY_PARAM_MALFORMED'],
          ['A4 contract', () => parseOpReturnArgs(opReturn(concatBytes(Uint8Array.of(0x66), new Uint8Array(16), len, tail), 'PUSHDATA1'), 'A4'), 'OPRETURN_ARGS_MALFORMED'],
        ];
        for (const [name, run, code] of inputs) {
          if (n <= tail.length) continue;
          // Refused at the length prefix for the whole claim (ByteReader.varBytes: max, then remaining), not later.
          assert.throws(run, (e: unknown) => assertTypedError(e, [code], name) !== undefined && (n > 0x02000000 || (e as { details: Record<string, unknown> }).details['need'] === n || (e as { details: Record<string, unknown> }).details['length'] === n), name);
        }
        // MultiSign's signature count is a u64, not a CompactSize: checked against the remaining bytes too.
        if (n === 0) return;
        const count = new Uint8Array(8);
        new DataView(count.buffer).setBigUint64(0, BigInt(n) * 0x10001n, true);
        assert.throws(
          () => decodeMultiSignParam(concatBytes(new Uint8Array(8), Uint8Array.of(0), Uint8Array.of(0), count, tail.subarray(0, 1)), 'A'),
          (e: unknown) => assertTypedError(e, ['POLY_PARAM_MALFORMED']) !== undefined,
        );
      }),
      1500,
    );
    const grown = arrayBufferBytes() - before;
    console.log(`alliance huge lengths: array buffers grew by ${grown} bytes`);
    assert.ok(grown < 16 * 1024 * 1024);
  });
});

/** A getsmartcodeevent result: well-formed events, broken ones, and arbitrary JSON in every slot. */
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 2 }));
const maybe = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: junk });
const statesArb = fc.oneof(
  fc.tuple(fc.constant('notifyBtcProof'), maybe(hex64), maybe(fc.oneof(fc.constant(toHex(BTCPROOF.E1)), fc.constant(toHex(BTCPROOF.E0)), hostileBytes([BTCPROOF.E1], 300).map(toHex)))),
  fc.tuple(fc.constant('makeBtcTx'), maybe(fc.constant(toHex(deposit.raw))), maybe(fc.constant(toHex(scriptFor('bare'))))),
  fc.tuple(fc.constant('btcTxToRelay'), maybe(fc.constant(toHex(deposit.raw)))),
  fc.tuple(fc.constant('btcTxToRelay'), fc.integer(), fc.integer(), maybe(fc.constant(toHex(deposit.raw))), hex64),
  fc.array(junk, { maxLength: 5 }),
);
const notifyArb = fc.record(
  { ContractAddress: maybe(fc.constantFrom(CCM_ADDRESS_ERA_A, CCM_ADDRESS_ERA_A.toUpperCase(), '0700000000000000000000000000000000000000')), States: maybe(statesArb) },
  { requiredKeys: [] },
);
const eventArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ TxHash: maybe(hex64), State: maybe(fc.constantFrom(0, 1, 1, 2)), GasConsumed: fc.nat(), Notify: maybe(fc.array(maybe(notifyArb), { maxLength: 4 })) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: junk },
);
const blockArb = fc.oneof({ weight: 6, arbitrary: fc.array(eventArb, { maxLength: 6 }) }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.anything() });

describe('fuzz: alliance JSON decoders', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('decodeBlockEvents never throws on any result; every skip carries a known code; accepted items are well-formed', () => {
    let deposits = 0;
    let skipped = 0;
    check(
      'decodeBlockEvents',
      fc.property(blockArb, fc.constantFrom<BtcProofEncoding>('E1', 'E0'), (raw, proofEncoding) => {
        const r = decodeBlockEvents(raw, { ccmAddressHex: CCM_ADDRESS_ERA_A, proofEncoding });
        for (const s of r.skipped) assert.ok(isErrorCode(s.reason), s.reason);
        for (const d of r.deposits) {
          assert.match(d.btcTxidHex, /^[0-9a-f]{64}$/);
          assert.match(d.polyTxHash, /^[0-9a-f]{64}$/);
        }
        for (const w of r.withdrawals) assert.ok(w.unsignedTx.length > 0 && w.redeemScript.length > 0);
        deposits += r.deposits.length;
        skipped += r.skipped.length;
      }),
      3000,
    );
    console.log(`decodeBlockEvents: ${deposits} deposits read, ${skipped} entries skipped with a code`);
    assert.ok(deposits > 0 && skipped > 0);
  });

  it('parseWalletFile: any JSON (text or value) is a wallet or WALLET_*', () => {
    const account = { address: 'AXmQDzzvpEtPkNwBEFsREzApTTDZFW6frD', 'enc-alg': 'aes-256-gcm', key: 'a2V5', salt: 'c2FsdA==', publicKey: '12', algorithm: 'ECDSA', parameters: { curve: 'P-256' }, isDefault: true };
    const wallet = { scrypt: { n: 16384, r: 8, p: 8, dkLen: 64 }, accounts: [account] };
    const mutateJson = fc.tuple(fc.constantFrom('scrypt', 'accounts', 'n', 'key', 'salt', 'enc-alg', 'parameters', 'publicKey', 'isDefault'), junk).map(([key, value]) => {
      const w = structuredClone(wallet) as Record<string, unknown>;
      const a = (w['accounts'] as Record<string, unknown>[])[0]!;
      if (key in w) w[key] = value;
      else if (key === 'n') (w['scrypt'] as Record<string, unknown>)['n'] = value;
      else a[key] = value;
      return w;
    });
    check(
      'parseWalletFile',
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), mutateJson, mutateJson.map((w) => JSON.stringify(w))), (input) => {
        try {
          const w = parseWalletFile(input);
          // What opening it will cost: scrypt allocates 128 * N * r bytes.
          assert.ok(128 * w.scrypt.n * w.scrypt.r <= MAX_SCRYPT_MEMORY, JSON.stringify(w.scrypt));
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, ['WALLET_']);
        }
      }),
      2000,
    );
  });

  it('a wallet.dat whose scrypt parameters would need more than 256 MiB is WALLET_UNSUPPORTED before any scrypt runs', () => {
    const account = { address: 'AXmQDzzvpEtPkNwBEFsREzApTTDZFW6frD', 'enc-alg': 'aes-256-gcm', key: Buffer.alloc(48, 1).toString('base64'), salt: Buffer.alloc(16, 2).toString('base64'), publicKey: '12', parameters: { curve: 'P-256' } };
    check(
      'wallet scrypt memory',
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (log2n, r, p) => {
        const scrypt = { n: 2 ** log2n, r, p, dkLen: 64 };
        const need = 128 * scrypt.n * r;
        try {
          parseWalletFile({ scrypt, accounts: [account] });
          assert.ok(need <= MAX_SCRYPT_MEMORY, `accepted ${need} bytes of scrypt memory`);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertTypedError(err, ['WALLET_UNSUPPORTED']);
          assert.ok(need > MAX_SCRYPT_MEMORY, `refused ${JSON.stringify(scrypt)}`);
        }
      }),
      500,
    );
    // The worst the old bounds allowed: N = 2^20, r = 64 (8 GiB).
    assert.throws(() => parseWalletFile({ scrypt: { n: 1 << 20, r: 64, p: 1, dkLen: 64 }, accounts: [account] }), (e: unknown) => assertTypedError(e, ['WALLET_UNSUPPORTED']) !== undefined);
  });
});

/** Replies of the alliance node: the right shape, wrong types, wrong ids, errors, non-JSON, HTTP statuses. */
const replyArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ok' as const), result: fc.oneof(junk, fc.constantFrom(42, 1, 0, -5, 2 ** 53, 'ab'.repeat(32), 'AB'.repeat(32), null, [], {}, { State: 1, Notify: [] }, { State: '1' })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('envelope' as const), envelope: fc.dictionary(fc.constantFrom('error', 'desc', 'id', 'result', 'jsonrpc', 'x'), junk) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), raw: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('', 'null', '[]', '{', '{"error":0', '"x"', '1e999')) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(204, 301, 400, 404, 418, 500, 502, 503) }) },
);

describe('fuzz: alliance node replies through PolyRpcClient (real HTTP on loopback)', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('every typed call returns its type or a POLY_RPC_* SpvError, whatever the node answers', async () => {
    let reply: { kind: string; result?: unknown; envelope?: Record<string, unknown>; raw?: string; status?: number } = { kind: 'ok' };
    const server = await startScripted((req) => {
      switch (reply.kind) {
        case 'ok':
          return ok(req, reply.result);
        case 'envelope':
          return { json: { id: req['id'], ...reply.envelope } };
        case 'raw':
          return { raw: reply.raw ?? '' };
        default:
          return { status: reply.status ?? 500, raw: '{}' };
      }
    });
    const client = new PolyRpcClient({ url: server.url, retries: 0, backoffMs: 0, timeoutMs: 5_000 });
    const calls: Array<[string, () => Promise<unknown>, (v: unknown) => boolean]> = [
      ['blockHeight', () => client.blockHeight(), (v) => Number.isSafeInteger(v) && (v as number) >= 0],
      ['eventsAtHeight', () => client.eventsAtHeight(7), (v) => Array.isArray(v)],
      ['txEvent', () => client.txEvent('ab'.repeat(32)), (v) => v === null || (typeof v === 'object' && typeof (v as { state: unknown }).state === 'number')],
      ['sendRawTransaction', () => client.sendRawTransaction('00'), (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)],
      ['getStorage', () => client.getStorage(CCM_ADDRESS_ERA_A, 'ab'), (v) => v === null || (typeof v === 'string' && /^[0-9a-f]*$/.test(v))],
    ];
    try {
      await check(
        'poly rpc replies',
        fc.asyncProperty(replyArb, fc.nat({ max: calls.length - 1 }), async (r, which) => {
          reply = r;
          const [name, call, shape] = calls[which]!;
          try {
            const v = await call();
            assert.ok(shape(v), `${name} returned ${JSON.stringify(v)} for ${JSON.stringify(r)}`);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertTypedError(err, ['POLY_RPC_'], `${name} ${JSON.stringify(r)}`);
          }
        }),
        250,
      );
    } finally {
      await server.close();
    }
  });
});
