import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { checkWithdrawal } from '../../../../src/alliance/signer/index.js';
import type { SignerPolicy, WithdrawalCheck, WithdrawalPlan } from '../../../../src/alliance/signer/index.js';
import type { ErrorCode } from '../../../../src/errors/codes.js';
import { concatBytes, fromHex, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { mulberry32 } from '../../../helpers/random.js';
import {
  FUNDING,
  FUNDING_TXID,
  KEYS,
  MemoryUtxos,
  P2SH_SCRIPT,
  P2WSH_SCRIPT,
  REDEEM,
  destinations,
  multisigRedeem,
  policy,
  randomBytes,
  unsignedWithdrawal,
} from './signerTestUtil.js';

const D = destinations();
const OP_RETURN = Uint8Array.of(0x6a, 4, 1, 2, 3, 4);

function ok(check: WithdrawalCheck): WithdrawalPlan {
  if (check.kind !== 'ok') assert.fail(`expected ok, got ${check.code}: ${check.message} ${JSON.stringify(check.details)}`);
  return check.plan;
}

function rejected(check: WithdrawalCheck, code: ErrorCode, reason?: string): Record<string, unknown> {
  if (check.kind !== 'reject') assert.fail(`expected ${code}, got ok`);
  assert.equal(check.code, code);
  if (reason !== undefined) assert.equal(check.details.reason, reason);
  // Details are plain data a logger can serialize (amounts as strings, no bigint).
  assert.doesNotThrow(() => JSON.stringify(check.details));
  return check.details;
}

function check(tx: Uint8Array, p: SignerPolicy = policy(), utxos = new MemoryUtxos(), redeem = REDEEM): WithdrawalCheck {
  return checkWithdrawal(tx, redeem, utxos, p);
}

/** 1 BTC P2SH input -> 0.6 BTC P2WPKH + change; 10,000 sat fee. */
const P2SH_SPEND = unsignedWithdrawal({
  inputs: [0],
  outputs: [
    { script: D.p2wpkh, value: 60_000_000n },
    { script: P2SH_SCRIPT, value: 39_990_000n },
  ],
});

describe('checkWithdrawal: accepted withdrawals', () => {
  it('P2SH input, P2WPKH payment and P2SH change', () => {
    const plan = ok(check(P2SH_SPEND));
    assert.equal(plan.id, Transaction.fromBuffer(P2SH_SPEND).getId());
    assert.deepEqual(plan.inputs, [{ txid: FUNDING_TXID, vout: 0, value: 100_000_000n, kind: 'p2sh', committedTo: null }]);
    assert.deepEqual(plan.outputs, [
      { scriptHex: toHex(D.p2wpkh), value: 60_000_000n, change: false },
      { scriptHex: toHex(P2SH_SCRIPT), value: 39_990_000n, change: true },
    ]);
    assert.equal(plan.fee, 10_000n);
    // scriptSig: OP_0 1 + 2 × (1 + 72) + PUSHDATA1 2 + redeem 105 = 254, so its length prefix takes 3 bytes (>= 0xfd).
    // 4 + 1 + (36 + 3 + 254 + 4) + 1 + (8 + 1 + 22) + (8 + 1 + 23) + 4 = 370
    assert.equal(plan.vsize, 370);
    assert.equal(plan.feeRate, 10_000 / 370);
  });

  it('P2WSH input paying P2TR and P2PKH with P2WSH change', () => {
    const tx = unsignedWithdrawal({
      inputs: [1],
      outputs: [
        { script: D.p2tr, value: 50_000_000n },
        { script: D.p2pkh, value: 50_000_000n },
        { script: P2WSH_SCRIPT, value: 99_995_000n },
      ],
    });
    const plan = ok(check(tx));
    assert.equal(plan.inputs[0]!.kind, 'p2wsh');
    assert.deepEqual(
      plan.outputs.map((o) => o.change),
      [false, false, true],
    );
    assert.equal(plan.fee, 5_000n);
    // non-witness 4+1+41+1+(8+1+34)+(8+1+25)+(8+1+34)+4 = 171; witness 2+1+1+146+1+105 = 256; ceil((684+256)/4)
    assert.equal(plan.vsize, 235);
  });

  it('all input kinds and every standard destination, bare change', () => {
    const tx = unsignedWithdrawal({
      inputs: [2, 0, 1, 3],
      outputs: [
        { script: D.p2pkh, value: 10_000_000n },
        { script: D.p2sh, value: 10_000_000n },
        { script: D.p2wpkh, value: 10_000_000n },
        { script: D.p2wsh, value: 10_000_000n },
        { script: D.p2tr, value: 10_000_000n },
        { script: REDEEM, value: 329_900_000n },
      ],
    });
    const plan = ok(check(tx));
    assert.deepEqual(
      plan.inputs.map((u) => u.kind),
      ['bare', 'p2sh', 'p2wsh', 'p2sh'],
    );
    assert.equal(plan.outputs[5]!.change, true);
    assert.equal(plan.fee, 100_000n);
  });

  it('re-signing the withdrawal an input is committed to is fine', () => {
    const id = Transaction.fromBuffer(P2SH_SPEND).getId();
    const utxos = new MemoryUtxos();
    utxos.committed.set(`${FUNDING_TXID}:0`, id);
    assert.equal(ok(check(P2SH_SPEND, policy(), utxos)).inputs[0]!.committedTo, id);
  });
});

describe('checkWithdrawal: refusals', () => {
  it('SIGNER_TX_MALFORMED: garbage, truncated, trailing bytes', () => {
    rejected(check(Uint8Array.of(1, 2, 3)), 'SIGNER_TX_MALFORMED', 'does-not-decode');
    rejected(check(new Uint8Array(0)), 'SIGNER_TX_MALFORMED', 'does-not-decode');
    rejected(check(P2SH_SPEND.subarray(0, P2SH_SPEND.length - 1)), 'SIGNER_TX_MALFORMED', 'does-not-decode');
    rejected(check(concatBytes(P2SH_SPEND, Uint8Array.of(0))), 'SIGNER_TX_MALFORMED', 'does-not-decode');
  });

  it('SIGNER_TX_MALFORMED: no inputs, no outputs', () => {
    const noOutputs = new Transaction();
    noOutputs.addInput(FUNDING.getHash(), 0);
    rejected(check(noOutputs.toBuffer()), 'SIGNER_TX_MALFORMED', 'no-outputs');
    // version ‖ 0 inputs ‖ 1 output ‖ locktime: the 00 01 reads as a segwit marker, so it cannot even decode.
    const noInputs = new Transaction();
    noInputs.addOutput(D.p2pkh, 1000n);
    const r = check(noInputs.toBuffer());
    assert.equal(r.kind === 'reject' && r.code, 'SIGNER_TX_MALFORMED');
  });

  it('SIGNER_TX_MALFORMED: scriptSig or witness already present', () => {
    const withSig = Transaction.fromBuffer(P2SH_SPEND);
    withSig.setInputScript(0, Uint8Array.of(0x00));
    rejected(check(withSig.toBuffer()), 'SIGNER_TX_MALFORMED', 'input-has-scriptsig');
    const withWitness = Transaction.fromBuffer(P2SH_SPEND);
    withWitness.setWitness(0, [Uint8Array.of(1)]);
    rejected(check(withWitness.toBuffer()), 'SIGNER_TX_MALFORMED', 'input-has-witness');
  });

  it('SIGNER_TX_MALFORMED: non-canonical encoding (input count as 0xfd 0x0100)', () => {
    const nonCanonical = concatBytes(P2SH_SPEND.subarray(0, 4), fromHex('fd0100'), P2SH_SPEND.subarray(5));
    rejected(check(nonCanonical), 'SIGNER_TX_MALFORMED');
  });

  it('SIGNER_TX_MALFORMED: the same outpoint twice', () => {
    const tx = unsignedWithdrawal({ inputs: [0, 0], outputs: [{ script: D.p2pkh, value: 1_000_000n }] });
    rejected(check(tx), 'SIGNER_TX_MALFORMED', 'duplicate-input');
  });

  it('SIGNER_REDEEM_MISMATCH: the event carries another redeem script', () => {
    rejected(check(P2SH_SPEND, policy(), new MemoryUtxos(), multisigRedeem(1, KEYS)), 'SIGNER_REDEEM_MISMATCH');
    rejected(check(P2SH_SPEND, policy(), new MemoryUtxos(), concatBytes(REDEEM, Uint8Array.of(0x75))), 'SIGNER_REDEEM_MISMATCH');
    rejected(check(P2SH_SPEND, policy(), new MemoryUtxos(), new Uint8Array(0)), 'SIGNER_REDEEM_MISMATCH');
  });

  it('SIGNER_UNKNOWN_INPUT: an outpoint that is not the multisig\'s', () => {
    const rand = mulberry32(99);
    const tx = Transaction.fromBuffer(P2SH_SPEND);
    tx.addInput(randomBytes(rand, 32), 0);
    const d = rejected(check(tx.toBuffer()), 'SIGNER_UNKNOWN_INPUT');
    assert.equal(d.index, 1);
    const badVout = unsignedWithdrawal({ inputs: [0, 9], outputs: [{ script: D.p2pkh, value: 1_000_000n }] });
    assert.equal(rejected(check(badVout), 'SIGNER_UNKNOWN_INPUT').vout, 9);
  });

  it('SIGNER_INPUT_CONFLICT: an input committed to another withdrawal', () => {
    const utxos = new MemoryUtxos();
    utxos.committed.set(`${FUNDING_TXID}:0`, 'ab'.repeat(32));
    const d = rejected(check(P2SH_SPEND, policy(), utxos), 'SIGNER_INPUT_CONFLICT');
    assert.equal(d.committedTo, 'ab'.repeat(32));
  });

  it('SIGNER_TOO_MANY_OUTPUTS', () => {
    const outputs = Array.from({ length: 3 }, () => ({ script: D.p2wpkh, value: 33_330_000n }));
    const tx = unsignedWithdrawal({ inputs: [0], outputs });
    rejected(check(tx, policy({ maxOutputs: 2 })), 'SIGNER_TOO_MANY_OUTPUTS');
    ok(check(tx, policy({ maxOutputs: 3 })));
  });

  it('SIGNER_OUTPUT_INVALID: dust (payment or change), exactly the dust limit passes', () => {
    const pay = (value: bigint, script = D.p2pkh): Uint8Array =>
      unsignedWithdrawal({ inputs: [0], outputs: [{ script, value }, { script: P2SH_SCRIPT, value: 99_990_000n - value }] });
    rejected(check(pay(545n)), 'SIGNER_OUTPUT_INVALID', 'dust');
    rejected(check(pay(0n)), 'SIGNER_OUTPUT_INVALID', 'dust');
    ok(check(pay(546n)));
    const dustChange = unsignedWithdrawal({
      inputs: [0],
      outputs: [
        { script: D.p2pkh, value: 99_000_000n },
        { script: P2WSH_SCRIPT, value: 100n },
      ],
    });
    rejected(check(dustChange), 'SIGNER_OUTPUT_INVALID', 'dust');
  });

  it('SIGNER_OUTPUT_INVALID: above maxOutputValue (change exempt)', () => {
    const p = policy({ maxOutputValue: 50_000_000n });
    rejected(check(P2SH_SPEND, p), 'SIGNER_OUTPUT_INVALID', 'above-max-output-value');
    const atLimit = unsignedWithdrawal({
      inputs: [0],
      outputs: [
        { script: D.p2wpkh, value: 50_000_000n },
        { script: P2SH_SCRIPT, value: 49_990_000n },
      ],
    });
    ok(check(atLimit, p));
    const bigChange = unsignedWithdrawal({
      inputs: [1],
      outputs: [
        { script: D.p2wpkh, value: 1_000_000n },
        { script: P2WSH_SCRIPT, value: 198_990_000n },
      ],
    });
    ok(check(bigChange, p));
  });

  it('SIGNER_OUTPUT_INVALID: OP_RETURN and non-standard scripts', () => {
    const withScript = (script: Uint8Array): Uint8Array =>
      unsignedWithdrawal({
        inputs: [0],
        outputs: [
          { script: D.p2wpkh, value: 60_000_000n },
          { script, value: 1_000n },
        ],
      });
    rejected(check(withScript(OP_RETURN)), 'SIGNER_OUTPUT_INVALID', 'op-return');
    rejected(check(withScript(Uint8Array.of(0x6a))), 'SIGNER_OUTPUT_INVALID', 'op-return');
    const nonStandard = [
      new Uint8Array(0),
      Uint8Array.of(0x51), // OP_TRUE
      concatBytes(Uint8Array.of(33), KEYS[0].publicKey, Uint8Array.of(0xac)), // bare P2PK
      multisigRedeem(1, [KEYS[0], KEYS[1]]), // someone else's bare multisig
      concatBytes(Uint8Array.of(0x00, 21), new Uint8Array(21)), // v0 program of a wrong length
      concatBytes(Uint8Array.of(0x52, 32), new Uint8Array(32)), // witness v2
      concatBytes(D.p2pkh, Uint8Array.of(0x00)), // template with a trailing byte
      D.p2pkh.subarray(0, 24),
    ];
    for (const s of nonStandard) rejected(check(withScript(s)), 'SIGNER_OUTPUT_INVALID', 'nonstandard-script');
  });

  it('SIGNER_OUTPUT_INVALID: above MAX_MONEY even when the inputs cover it (defensive)', () => {
    const utxos = new MemoryUtxos();
    const huge = 'cd'.repeat(32);
    utxos.extra.set(`${huge}:0`, { txid: huge, vout: 0, value: 1n << 62n, kind: 'p2sh', committedTo: null });
    const tx = new Transaction();
    tx.addInput(fromHex(huge).reverse(), 0);
    tx.addOutput(D.p2pkh, 21_000_000n * 100_000_000n + 1n);
    rejected(check(tx.toBuffer(), policy(), utxos), 'SIGNER_OUTPUT_INVALID', 'above-max-money');
  });

  it('SIGNER_FEE_INVALID: outputs worth more than the inputs', () => {
    const tx = unsignedWithdrawal({
      inputs: [0],
      outputs: [
        { script: D.p2wpkh, value: 60_000_000n },
        { script: P2SH_SCRIPT, value: 40_000_001n },
      ],
    });
    rejected(check(tx), 'SIGNER_FEE_INVALID', 'outputs-exceed-inputs');
  });

  it('SIGNER_FEE_INVALID: fee rate above maxFeeRate; exactly at the limit passes', () => {
    // The vsize depends only on the shape, so probe it once and place the fee on the boundary.
    const spend = (fee: bigint): Uint8Array =>
      unsignedWithdrawal({
        inputs: [1],
        outputs: [
          { script: D.p2wpkh, value: 100_000_000n },
          { script: P2WSH_SCRIPT, value: 100_000_000n - fee },
        ],
      });
    const vsize = ok(check(spend(1000n))).vsize;
    const p = policy({ maxFeeRate: 20 });
    const atLimit = ok(check(spend(BigInt(20 * vsize)), p));
    assert.equal(atLimit.feeRate, 20);
    rejected(check(spend(BigInt(20 * vsize) + 1n), p), 'SIGNER_FEE_INVALID', 'fee-rate-too-high');
    rejected(check(P2SH_SPEND, policy({ maxFeeRate: 1 })), 'SIGNER_FEE_INVALID', 'fee-rate-too-high');
  });

  it('an unusable policy is a configuration error (throws CONFIG_INVALID)', () => {
    const notMultisig = Uint8Array.of(0x51);
    assert.throws(() => check(P2SH_SPEND, policy({ redeemScript: notMultisig }), new MemoryUtxos(), notMultisig), hasCode('CONFIG_INVALID'));
    assert.throws(() => check(P2SH_SPEND, policy({ maxOutputs: 0 })), hasCode('CONFIG_INVALID'));
    assert.throws(() => check(P2SH_SPEND, policy({ maxFeeRate: Number.NaN })), hasCode('CONFIG_INVALID'));
    assert.throws(() => check(P2SH_SPEND, policy({ dustLimit: -1n })), hasCode('CONFIG_INVALID'));
    assert.throws(() => check(P2SH_SPEND, policy({ maxOutputValue: 100n })), hasCode('CONFIG_INVALID'));
  });
});
