import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { parseOpReturnArgs, readOpReturnPush } from '../../../src/alliance/poly/index.js';
import { ByteWriter } from '../../../src/util/byteWriter.js';
import { concatBytes, fromHex, toHex } from '../../../src/util/bytes.js';
import { hasCode } from '../../helpers/assertions.js';
import { polyVectors, skipPoly } from './polyVectors.js';

/** flag ‖ u64 LE chain ‖ i64 LE fee ‖ var-bytes address (A3 payload). */
function a3Payload(chain: bigint, fee: bigint, address: Uint8Array): Uint8Array {
  return new ByteWriter().u8(0x66).u64le(chain).i64le(fee).varBytes(address).finish();
}

function pushScript(payload: Uint8Array, opcode: 'direct' | 'PUSHDATA1' | 'PUSHDATA2' | 'PUSHDATA4'): Uint8Array {
  const w = new ByteWriter().u8(0x6a);
  if (opcode === 'direct') w.u8(payload.length);
  else if (opcode === 'PUSHDATA1') w.u8(0x4c).u8(payload.length);
  else if (opcode === 'PUSHDATA2') w.u8(0x4d).u16le(payload.length);
  else w.u8(0x4e).u32le(payload.length);
  return w.bytes(payload).finish();
}

function bp1OpReturn(): Uint8Array {
  const bp1 = polyVectors().found.btcproof_bp1;
  const tx = Transaction.fromHex(bp1.rawTx);
  const script = new Uint8Array(tx.outs[1]!.script);
  assert.equal(toHex(script), bp1.derived.outputs[1]!.script);
  return script;
}

describe('OP_RETURN Args', () => {
  it('Bp1 reads as the oldest big-endian layout', { skip: skipPoly }, () => {
    const exp = polyVectors().found.btcproof_bp1.derived.opReturnOldBigEndian;
    const a = parseOpReturnArgs(bp1OpReturn(), 'BE');
    assert.equal(a.toChainId, BigInt(exp.toChainIdBE));
    assert.equal(a.fee, BigInt(exp.feeBE));
    assert.equal(toHex(a.address), exp.address20);
  });

  it('Bp1 as A3: rejected by default (trailing bytes), original behaviour with allowTrailing (pitfall §9.10)', { skip: skipPoly }, () => {
    const exp = polyVectors().found.btcproof_bp1.derived.opReturnReadAsEraA3FieldLE;
    const script = bp1OpReturn();
    assert.throws(() => parseOpReturnArgs(script, 'A3'), hasCode('OPRETURN_ARGS_MALFORMED'));
    const a = parseOpReturnArgs(script, 'A3', { allowTrailing: true });
    assert.equal(a.toChainId, BigInt(exp.toChainId));
    assert.equal(a.fee, BigInt(exp.fee));
    assert.equal(toHex(a.address), exp.address);
    assert.equal(toHex(a.trailing), exp.trailingBytesIgnored);
  });

  it('Bp1 as A4 fails (second length 0xbb past the end)', { skip: skipPoly }, () => {
    const script = bp1OpReturn();
    assert.throws(() => parseOpReturnArgs(script, 'A4'), hasCode('OPRETURN_ARGS_MALFORMED'));
    assert.throws(() => parseOpReturnArgs(script, 'A4', { allowTrailing: true }), hasCode('OPRETURN_ARGS_MALFORMED'));
  });

  it('era-A LE example reads as A3', { skip: skipPoly }, () => {
    const script = fromHex(polyVectors().computed_not_node_confirmed.opreturn_eraA_LE_example.script);
    const a = parseOpReturnArgs(script, 'A3');
    assert.equal(a.toChainId, 2n);
    assert.equal(a.fee, 0n);
    assert.equal(toHex(a.address), '0a7714eb5a0b4f369bd080bb4cd30e2d4d35f44c');
    assert.equal(a.trailing.length, 0);
    assert.throws(() => parseOpReturnArgs(script, 'BE'), hasCode('OPRETURN_ARGS_MALFORMED'));
  });

  it('A4 layout and negative fee', () => {
    const payload = new ByteWriter().u8(0x66).u64le(3n).i64le(-1n).varBytes(new Uint8Array(20).fill(1)).varBytes(new Uint8Array(20).fill(2)).finish();
    const a = parseOpReturnArgs(pushScript(payload, 'direct'), 'A4');
    assert.equal(a.toChainId, 3n);
    assert.equal(a.fee, -1n);
    assert.deepEqual(a.toContractAddress, new Uint8Array(20).fill(1));
    assert.deepEqual(a.address, new Uint8Array(20).fill(2));
  });

  it('payloads > 75 bytes via OP_PUSHDATA1 (which the original rejected) and PUSHDATA2/4 work', () => {
    const addr = new Uint8Array(70).fill(7);
    const payload = a3Payload(2n, 1000n, addr);
    assert.ok(payload.length > 75);
    for (const op of ['PUSHDATA1', 'PUSHDATA2', 'PUSHDATA4'] as const) {
      const a = parseOpReturnArgs(pushScript(payload, op), 'A3');
      assert.equal(a.toChainId, 2n);
      assert.equal(a.fee, 1000n);
      assert.deepEqual(a.address, addr);
    }
    // a short payload pushed with PUSHDATA1 is also accepted by the tokenizer (not the BE layout)
    const small = a3Payload(2n, 0n, new Uint8Array(20));
    assert.equal(parseOpReturnArgs(pushScript(small, 'PUSHDATA1'), 'A3').toChainId, 2n);
  });

  it('bare OP_RETURN, short scripts and non-push scripts are OPRETURN_NOT_FOUND, never a crash', () => {
    const nf = hasCode('OPRETURN_NOT_FOUND');
    for (const hex of ['', '6a', '00', '6a01', '6a4c', '6a4d01', '6a4e010000', '6a00', '6a51', '6a0266', '6a016601', '76a914', '6a4c0366']) {
      assert.throws(() => readOpReturnPush(fromHex(hex)), nf, hex);
      assert.throws(() => parseOpReturnArgs(fromHex(hex), 'A3'), nf, hex);
    }
  });

  it('wrong or missing flag is OPRETURN_BAD_FLAG', () => {
    const payload = a3Payload(2n, 0n, new Uint8Array(20));
    payload[0] = 0x65;
    assert.throws(() => parseOpReturnArgs(pushScript(payload, 'direct'), 'A3'), hasCode('OPRETURN_BAD_FLAG'));
    assert.throws(() => parseOpReturnArgs(fromHex('6a4c00'), 'A3'), hasCode('OPRETURN_BAD_FLAG'));
  });

  it('truncated Args are OPRETURN_ARGS_MALFORMED in every layout', () => {
    const bad = hasCode('OPRETURN_ARGS_MALFORMED');
    const payload = a3Payload(2n, 0n, new Uint8Array(20));
    for (let n = 1; n < payload.length; n++) {
      const script = pushScript(payload.subarray(0, n), 'direct');
      assert.throws(() => parseOpReturnArgs(script, 'A3'), bad);
      assert.throws(() => parseOpReturnArgs(script, 'A4'), bad);
      if (n !== 37) assert.throws(() => parseOpReturnArgs(script, 'BE'), bad); // 37 bytes is a valid BE payload
    }
    // BE requires script[1] == 37: a PUSHDATA1 of the same 37 bytes is rejected
    const be = concatBytes(Uint8Array.of(0x66), new Uint8Array(36));
    assert.equal(parseOpReturnArgs(pushScript(be, 'direct'), 'BE').toChainId, 0n);
    assert.throws(() => parseOpReturnArgs(pushScript(be, 'PUSHDATA1'), 'BE'), bad);
  });
});
