import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import type { DepositTxCheck, DepositTxOk } from '../../../../src/alliance/deposit/index.js';
import { MAX_MONEY, checkDepositTx } from '../../../../src/alliance/deposit/index.js';
import type { ErrorCode } from '../../../../src/errors/codes.js';
import { verifyTxInProof } from '../../../../src/merkle/index.js';
import { ByteWriter } from '../../../../src/util/byteWriter.js';
import { concatBytes, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { readFixture, skipUnlessFixture } from '../../../helpers/fixtures.js';
import { mulberry32 } from '../../../helpers/random.js';
import { FXM, fixtureBlock } from '../../merkle/merkleTestUtil.js';
import {
  ADDRESS20,
  DEFAULT_VALUE,
  REDEEM,
  a3Payload,
  a4Payload,
  coinbaseTx,
  defaultOutputs,
  depositTx,
  multisig,
  opReturn,
  policy,
  scriptFor,
  testPubkey,
} from './depositTestUtil.js';
import type { TxOut } from './depositTestUtil.js';

function ok(r: DepositTxCheck): DepositTxOk {
  assert.ok(r.ok, r.ok ? '' : `expected ok, got ${r.code}: ${r.message}`);
  return r;
}

function rejects(r: DepositTxCheck, code: ErrorCode, what = ''): void {
  assert.equal(r.ok, false, `${what}: expected ${code}, got ok`);
  if (!r.ok) assert.equal(r.code, code, `${what}: ${r.message}`);
}

/** checkDepositTx of a deposit tx with these outputs (txid taken from the tx itself). */
function checkOutputs(outputs: readonly TxOut[], p = policy()): DepositTxCheck {
  const t = depositTx({ outputs });
  return checkDepositTx(t.txid, t.raw, p);
}

const withOpReturn = (script: Uint8Array): TxOut[] => [defaultOutputs()[0]!, { script, value: 0n }];

/** Offset of output 0's value in a depositTx with one input and an empty scriptSig. */
const OUT0_VALUE_AT = 4 + 1 + 41 + 1;

function setValue(raw: Uint8Array, at: number, value: bigint): Uint8Array {
  const out = new Uint8Array(raw);
  new DataView(out.buffer).setBigInt64(at, value, true);
  return out;
}

function idOf(raw: Uint8Array): string {
  return Transaction.fromBuffer(raw).getId();
}

describe('checkDepositTx: accepted deposits', () => {
  it('pays the redeem as bare multisig, P2SH or P2WSH; Args read in the A3 layout', () => {
    for (const kind of ['bare', 'p2sh', 'p2wsh'] as const) {
      const t = depositTx({ outputs: defaultOutputs(scriptFor(kind)), witness: kind === 'p2wsh' });
      const r = ok(checkDepositTx(t.txid, t.raw, policy()));
      assert.equal(r.txid, t.txid);
      assert.equal(r.scriptKind, kind);
      assert.equal(r.value, DEFAULT_VALUE);
      assert.equal(r.args.toChainId, 2n);
      assert.equal(r.args.fee, 1_000n);
      assert.equal(toHex(r.args.address), toHex(ADDRESS20));
      assert.equal(r.isCoinbase, false);
    }
  });

  it('a witness-serialized tx is identified by its txid, not its wtxid', () => {
    const t = depositTx({ witness: true });
    const tx = Transaction.fromBuffer(t.raw);
    assert.ok(tx.hasWitnesses());
    const wtxid = toHex(tx.getHash(true).reverse());
    assert.notEqual(wtxid, t.txid);
    ok(checkDepositTx(t.txid, t.raw, policy()));
    rejects(checkDepositTx(wtxid, t.raw, policy()), 'DEPOSIT_TXID_MISMATCH', 'wtxid');
  });

  it('the notified txid may be upper case', () => {
    const t = depositTx();
    ok(checkDepositTx(t.txid.toUpperCase(), t.raw, policy()));
  });

  it('more than two outputs are fine (change after the OP_RETURN)', () => {
    ok(checkOutputs([...defaultOutputs(), { script: scriptFor('p2wsh'), value: 7n }]));
  });

  it('fee equal to the value, and fee 0, are accepted', () => {
    ok(checkOutputs(withOpReturn(opReturn(a3Payload(2n, DEFAULT_VALUE)))));
    ok(checkOutputs(withOpReturn(opReturn(a3Payload(2n, 0n)))));
  });

  it('OP_PUSHDATA1 payloads (> 75 bytes) are accepted: A4 with a long contract, A3 with a long address', () => {
    const contract = Uint8Array.from({ length: 40 }, (_, i) => i);
    const a4 = a4Payload(7n, 10n, contract, ADDRESS20);
    assert.ok(a4.length > 75);
    const r4 = ok(checkOutputs(withOpReturn(opReturn(a4, 'PUSHDATA1')), policy({ argsLayout: 'A4' })));
    assert.equal(toHex(r4.args.toContractAddress!), toHex(contract));
    assert.equal(toHex(r4.args.address), toHex(ADDRESS20));
    assert.equal(r4.args.toChainId, 7n);

    const longAddress = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    const a3 = a3Payload(3n, 5n, longAddress);
    assert.ok(a3.length > 75);
    const r3 = ok(checkOutputs(withOpReturn(opReturn(a3, 'PUSHDATA1'))));
    assert.equal(toHex(r3.args.address), toHex(longAddress));
  });

  it('the oldest big-endian layout (BE: script[1] == 37)', () => {
    const payload = new ByteWriter().u8(0x66).u32le(0).u32le(0x02000000).u64le(0n).bytes(ADDRESS20).finish();
    assert.equal(payload.length, 37);
    const r = ok(checkOutputs(withOpReturn(opReturn(payload)), policy({ argsLayout: 'BE' })));
    assert.equal(r.args.toChainId, 2n);
    assert.equal(r.args.fee, 0n);
  });

  it('trailing Args bytes are accepted only with allowTrailingArgs', () => {
    const script = opReturn(concatBytes(a3Payload(2n, 1n), Uint8Array.of(1, 2, 3)));
    rejects(checkOutputs(withOpReturn(script)), 'OPRETURN_ARGS_MALFORMED');
    const r = ok(checkOutputs(withOpReturn(script), policy({ allowTrailingArgs: true })));
    assert.equal(toHex(r.args.trailing), '010203');
  });

  it('a coinbase deposit is recognised (verifyDeposit then waits for maturity)', () => {
    const raw = coinbaseTx(500, defaultOutputs());
    const r = ok(checkDepositTx(idOf(raw), raw, policy()));
    assert.equal(r.isCoinbase, true);
  });
});

describe('checkDepositTx: rejections', () => {
  it('output 0 pays another redeem, or our redeem is paid in output 1 only: DEPOSIT_WRONG_SCRIPT', () => {
    const other = multisig(2, [testPubkey(4), testPubkey(5), testPubkey(6)]);
    for (const kind of ['bare', 'p2sh', 'p2wsh'] as const) {
      rejects(checkOutputs(defaultOutputs(scriptFor(kind, other))), 'DEPOSIT_WRONG_SCRIPT', kind);
    }
    // The same tx is fine for a policy with the other redeem.
    ok(checkOutputs(defaultOutputs(scriptFor('p2sh', other)), policy({ redeemScript: other })));
    const swapped = defaultOutputs().reverse();
    rejects(checkOutputs(swapped), 'DEPOSIT_WRONG_SCRIPT', 'swapped');
  });

  it('value 0: DEPOSIT_ZERO_VALUE', () => {
    rejects(checkOutputs([{ script: scriptFor('p2sh'), value: 0n }, defaultOutputs()[1]!]), 'DEPOSIT_ZERO_VALUE');
  });

  it('one output: DEPOSIT_TOO_FEW_OUTPUTS', () => {
    rejects(checkOutputs(defaultOutputs().slice(0, 1)), 'DEPOSIT_TOO_FEW_OUTPUTS');
  });

  it('output 1 is not OP_RETURN + one push: OPRETURN_NOT_FOUND (short scripts never crash: §8 item 6)', () => {
    const p2pkh = concatBytes(Uint8Array.of(0x76, 0xa9, 20), ADDRESS20, Uint8Array.of(0x88, 0xac));
    const payload = a3Payload(2n, 1n);
    const cases: Array<[string, Uint8Array]> = [
      ['P2PKH', p2pkh],
      ['empty script', new Uint8Array(0)],
      ['bare OP_RETURN (NullData with no push)', Uint8Array.of(0x6a)],
      ['OP_RETURN OP_1', Uint8Array.of(0x6a, 0x51)],
      ['two pushes', concatBytes(opReturn(payload), Uint8Array.of(1, 0x66))],
      ['direct push longer than the script', opReturn(payload).subarray(0, 20)],
      ['truncated OP_PUSHDATA1 length', Uint8Array.of(0x6a, 0x4c)],
      ['OP_PUSHDATA1 payload truncated', opReturn(a3Payload(2n, 1n, new Uint8Array(64)), 'PUSHDATA1').subarray(0, 60)],
      ['our redeem again', scriptFor('p2sh')],
    ];
    for (const [name, script] of cases) rejects(checkOutputs(withOpReturn(script)), 'OPRETURN_NOT_FOUND', name);
  });

  it('wrong or missing flag: OPRETURN_BAD_FLAG', () => {
    const payload = a3Payload(2n, 1n);
    const wrong = new Uint8Array(payload);
    wrong[0] = 0x65;
    rejects(checkOutputs(withOpReturn(opReturn(wrong))), 'OPRETURN_BAD_FLAG', 'flag 0x65');
    // Push of zero bytes (OP_PUSHDATA1 0): no flag at all.
    rejects(checkOutputs(withOpReturn(Uint8Array.of(0x6a, 0x4c, 0x00))), 'OPRETURN_BAD_FLAG', 'empty push');
  });

  it('Args too short, truncated inside a PUSHDATA1 payload, or with trailing bytes: OPRETURN_ARGS_MALFORMED', () => {
    const payload = a3Payload(2n, 1n);
    rejects(checkOutputs(withOpReturn(opReturn(Uint8Array.of(0x66)))), 'OPRETURN_ARGS_MALFORMED', 'flag only');
    rejects(checkOutputs(withOpReturn(opReturn(payload.subarray(0, 12)))), 'OPRETURN_ARGS_MALFORMED', 'short chain id');
    rejects(checkOutputs(withOpReturn(opReturn(payload.subarray(0, payload.length - 1)))), 'OPRETURN_ARGS_MALFORMED', 'short address');
    // The push is complete, but the address length inside says more bytes than the payload holds.
    const long = a3Payload(2n, 1n, new Uint8Array(64));
    rejects(checkOutputs(withOpReturn(opReturn(long.subarray(0, 80), 'PUSHDATA1'))), 'OPRETURN_ARGS_MALFORMED', 'PUSHDATA1 inner');
    rejects(checkOutputs(withOpReturn(opReturn(concatBytes(payload, Uint8Array.of(0))))), 'OPRETURN_ARGS_MALFORMED', 'trailing');
    // A3 bytes read as A4: the second var-bytes runs past the end.
    rejects(checkOutputs(withOpReturn(opReturn(payload)), policy({ argsLayout: 'A4' })), 'OPRETURN_ARGS_MALFORMED', 'A3 as A4');
  });

  it('fee above the value, or negative: DEPOSIT_BAD_FEE', () => {
    rejects(checkOutputs(withOpReturn(opReturn(a3Payload(2n, DEFAULT_VALUE + 1n)))), 'DEPOSIT_BAD_FEE', 'fee > value');
    rejects(checkOutputs(withOpReturn(opReturn(a3Payload(2n, -1n)))), 'DEPOSIT_BAD_FEE', 'fee -1');
    rejects(checkOutputs(withOpReturn(opReturn(a3Payload(2n, -(1n << 63n))))), 'DEPOSIT_BAD_FEE', 'fee i64 min');
  });

  it('the notified txid is another one, or not a hash: DEPOSIT_TXID_MISMATCH', () => {
    const t = depositTx();
    const other = depositTx({ salt: 1 });
    rejects(checkDepositTx(other.txid, t.raw, policy()), 'DEPOSIT_TXID_MISMATCH', 'other tx');
    rejects(checkDepositTx(toHex(t.hash), t.raw, policy()), 'DEPOSIT_TXID_MISMATCH', 'internal byte order');
    rejects(checkDepositTx('', t.raw, policy()), 'DEPOSIT_TXID_MISMATCH', 'empty');
    rejects(checkDepositTx(`${t.txid}00`, t.raw, policy()), 'DEPOSIT_TXID_MISMATCH', 'too long');
  });

  it('bytes that are not exactly one canonical tx: DEPOSIT_TX_MALFORMED', () => {
    const t = depositTx();
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['truncated', t.raw.subarray(0, t.raw.length - 1)],
      ['trailing byte', concatBytes(t.raw, Uint8Array.of(0))],
      // vin count 1 as 0xfd 0x01 0x00: bitcoinjs-lib decodes it; Core rejects non-canonical CompactSize.
      ['non-canonical CompactSize', concatBytes(t.raw.subarray(0, 4), Uint8Array.of(0xfd, 1, 0), t.raw.subarray(5))],
    ];
    for (const [name, raw] of cases) rejects(checkDepositTx(t.txid, raw, policy()), 'DEPOSIT_TX_MALFORMED', name);
  });

  it('no inputs: DEPOSIT_TX_MALFORMED (Core: bad-txns-vin-empty)', () => {
    const tx = new Transaction();
    for (const o of defaultOutputs()) tx.addOutput(o.script, o.value);
    const raw = tx.toBuffer();
    rejects(checkDepositTx(tx.getId(), raw, policy()), 'DEPOSIT_TX_MALFORMED');
  });

  it('values out of range: DEPOSIT_TX_MALFORMED (Core: bad-txns-vout-negative / -toolarge / txouttotal-toolarge)', () => {
    const t = depositTx();
    assert.equal(new DataView(t.raw.buffer, t.raw.byteOffset).getBigInt64(OUT0_VALUE_AT, true), DEFAULT_VALUE);
    const atMax = setValue(t.raw, OUT0_VALUE_AT, MAX_MONEY);
    ok(checkDepositTx(idOf(atMax), atMax, policy()));
    for (const v of [MAX_MONEY + 1n, -1n, -(1n << 63n)]) {
      const raw = setValue(t.raw, OUT0_VALUE_AT, v);
      rejects(checkDepositTx(idOf(raw), raw, policy()), 'DEPOSIT_TX_MALFORMED', `value ${v}`);
    }
    // Each output within range, the sum above MAX_MONEY.
    const change = depositTx({ outputs: [...defaultOutputs(), { script: scriptFor('bare'), value: 1n }] });
    const lastValueAt = change.raw.length - 4 - (1 + REDEEM.length) - 8;
    const big = setValue(setValue(change.raw, OUT0_VALUE_AT, MAX_MONEY), lastValueAt, 1n);
    rejects(checkDepositTx(idOf(big), big, policy()), 'DEPOSIT_TX_MALFORMED', 'total');
  });

  it('random garbage and random corruption never throw, only typed rejections or ok', () => {
    const rand = mulberry32(0xdec0_5173);
    const t = depositTx({ witness: true });
    for (let i = 0; i < 400; i++) {
      let raw: Uint8Array;
      if (i % 2 === 0) {
        raw = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      } else {
        raw = new Uint8Array(t.raw);
        raw[Math.floor(rand() * raw.length)] = Math.floor(rand() * 256);
      }
      let id = t.txid;
      try {
        id = idOf(raw);
      } catch {
        // keep the original txid
      }
      const r = checkDepositTx(id, raw, policy());
      if (!r.ok) assert.ok(r.code.startsWith('DEPOSIT_') || r.code.startsWith('OPRETURN_'), r.code);
    }
  });

  it('an unusable policy throws CONFIG_INVALID (our fault, never a rejection of the deposit)', () => {
    const t = depositTx();
    assert.throws(() => checkDepositTx(t.txid, t.raw, policy({ redeemScript: new Uint8Array(0) })), hasCode('CONFIG_INVALID'));
    assert.throws(() => checkDepositTx(t.txid, t.raw, policy({ minConfirmations: -1 })), hasCode('CONFIG_INVALID'));
    assert.throws(() => checkDepositTx(t.txid, t.raw, policy({ minConfirmations: 1.5 })), hasCode('CONFIG_INVALID'));
  });
});

/**
 * The block's transactions as the bytes in the block file (not bitcoinjs re-serializations), located by walking
 * the block: header, CompactSize count, then each tx's full (witness) serialization back to back.
 */
function rawTxsOf(rel: string): Uint8Array[] {
  const block = fixtureBlock(rel);
  const first = block.raw[80]!;
  let off = 80 + (first < 0xfd ? 1 : first === 0xfd ? 3 : first === 0xfe ? 5 : 9);
  return block.txs.map((tx) => {
    const raw = block.raw.subarray(off, off + tx.byteLength());
    off += tx.byteLength();
    return raw;
  });
}

/** Single-tx txoutproofs: [proof, block, index of the proven tx]. */
const REAL_PROOFS: ReadonlyArray<readonly [proof: string, block: string, index: number]> = [
  ...[0, 1, 10, 100, 1000, 1850].map((n) => [FXM.proof830000(n), FXM.block830000, n] as const),
  ...[0, 1, 15, 20].map((n) => [FXM.proof831332(String(n)), FXM.block831332, n] as const),
];

describe('checkDepositTx: real mainnet transactions', () => {
  const skipReal = skipUnlessFixture(...REAL_PROOFS.flatMap(([p, b]) => [p, b]));

  it('txs proven by real txoutproofs parse and are refused for not paying our redeem', { skip: skipReal }, () => {
    let segwit = 0;
    for (const [proofRel, blockRel, index] of REAL_PROOFS) {
      const tx = fixtureBlock(blockRel).txs[index]!;
      const raw = rawTxsOf(blockRel)[index]!;
      const proof = readFixture(proofRel);
      if (tx.hasWitnesses()) segwit++;
      const proven = verifyTxInProof(raw, proof);
      const r = checkDepositTx(proven.txidHex, raw, policy());
      const expected: ErrorCode = tx.outs.length >= 2 ? 'DEPOSIT_WRONG_SCRIPT' : 'DEPOSIT_TOO_FEW_OUTPUTS';
      rejects(r, expected, `${proofRel} (tx ${index}, ${tx.outs.length} outputs)`);
    }
    assert.ok(segwit > 0, 'at least one proven tx is segwit');
  });

  it('every tx of blocks 482683 and 830000, as raw block bytes, passes the canonical and txid checks', {
    skip: skipUnlessFixture(FXM.block482683, FXM.block830000),
  }, () => {
    for (const rel of [FXM.block482683, FXM.block830000]) {
      const block = fixtureBlock(rel);
      const raws = rawTxsOf(rel);
      for (const [i, tx] of block.txs.entries()) {
        const r = checkDepositTx(tx.getId(), raws[i]!, policy());
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.ok(r.code === 'DEPOSIT_WRONG_SCRIPT' || r.code === 'DEPOSIT_TOO_FEW_OUTPUTS', `${rel} tx ${i}: ${r.code}`);
        }
      }
    }
  });
});
