/**
 * Signatures judged by an independent interpreter: bcoin 1.0.2's script engine (its own sighash, BIP143, CHECKMULTISIG,
 * STRICTENC/DERSIG/LOW_S/NULLDUMMY/CLEANSTACK/WITNESS_PUBKEYTYPE under STANDARD_VERIFY_FLAGS).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { Transaction, script as bscript } from 'bitcoinjs-lib';
import { assembleMultisigTx, checkWithdrawal, signWithdrawal } from '../../../../src/alliance/signer/index.js';
import type { BtcKey, WithdrawalPlan } from '../../../../src/alliance/signer/index.js';
import { toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import {
  FUNDING,
  KEYS,
  MemoryUtxos,
  OUTSIDER,
  P2SH_SCRIPT,
  P2WSH_SCRIPT,
  REDEEM,
  destinations,
  policy,
  unsignedWithdrawal,
} from './signerTestUtil.js';

interface BcoinTX {
  check(view: unknown, flags: number): void;
  verify(view: unknown, flags: number): boolean;
  checkStandard(): [boolean, string, number];
  hasStandardInputs(view: unknown): boolean;
  hasStandardWitness(view: unknown): boolean;
  getVirtualSize(): number;
  txid(): string;
}
interface BcoinLib {
  readonly TX: { fromRaw(data: Uint8Array): BcoinTX };
  readonly CoinView: new () => { addTX(tx: BcoinTX, height: number): unknown };
  readonly Script: { readonly flags: { readonly STANDARD_VERIFY_FLAGS: number; readonly MANDATORY_VERIFY_FLAGS: number } };
}
const bcoin = createRequire(import.meta.url)('bcoin') as BcoinLib;
const FLAGS = bcoin.Script.flags.STANDARD_VERIFY_FLAGS;
const D = destinations();

function bcoinTx(raw: Uint8Array): BcoinTX {
  return bcoin.TX.fromRaw(Buffer.from(raw));
}

/** A coin view holding the multisig's funding outputs. */
function fundingView(): unknown {
  const view = new bcoin.CoinView();
  view.addTX(bcoinTx(FUNDING.toBuffer()), 100);
  return view;
}

function planFor(unsigned: Uint8Array): WithdrawalPlan {
  const r = checkWithdrawal(unsigned, REDEEM, new MemoryUtxos(), policy());
  if (r.kind !== 'ok') assert.fail(`policy refused: ${r.code} ${JSON.stringify(r.details)}`);
  return r.plan;
}

/** Each signer signs; the map is filled in the order given (assembly must reorder by redeem key order). */
function signAll(unsigned: Uint8Array, plan: WithdrawalPlan, signers: readonly BtcKey[]): Map<string, Uint8Array[]> {
  const sigs = new Map<string, Uint8Array[]>();
  for (const k of signers) sigs.set(toHex(k.publicKey), signWithdrawal(unsigned, plan, REDEEM, k));
  return sigs;
}

function assertValid(raw: Uint8Array): BcoinTX {
  const tx = bcoinTx(raw);
  const view = fundingView();
  tx.check(view, FLAGS); // throws bcoin's ScriptError naming the failing rule
  assert.deepEqual(tx.checkStandard().slice(0, 2), [true, 'valid']);
  assert.ok(tx.hasStandardInputs(view));
  assert.ok(tx.hasStandardWitness(view));
  return tx;
}

const P2SH_SPEND = unsignedWithdrawal({
  inputs: [0, 3],
  outputs: [
    { script: D.p2wpkh, value: 70_000_000n },
    { script: P2SH_SCRIPT, value: 59_980_000n },
  ],
});
const P2WSH_SPEND = unsignedWithdrawal({
  inputs: [1],
  outputs: [
    { script: D.p2pkh, value: 120_000_000n },
    { script: P2WSH_SCRIPT, value: 79_990_000n },
  ],
});
const MIXED_SPEND = unsignedWithdrawal({
  inputs: [1, 2, 0, 3],
  outputs: [
    { script: D.p2pkh, value: 100_000_000n },
    { script: D.p2sh, value: 50_000_000n },
    { script: D.p2wsh, value: 50_000_000n },
    { script: P2WSH_SCRIPT, value: 179_950_000n },
  ],
});

describe('signWithdrawal + assembleMultisigTx, verified by bcoin', () => {
  for (const [name, unsigned] of [
    ['P2SH 2-of-3', P2SH_SPEND],
    ['P2WSH 2-of-3', P2WSH_SPEND],
    ['mixed P2WSH / bare / P2SH inputs', MIXED_SPEND],
  ] as const) {
    it(`${name}: every pair of signers produces a valid, standard tx`, () => {
      const plan = planFor(unsigned);
      for (const pair of [
        [KEYS[2], KEYS[0]],
        [KEYS[1], KEYS[0]],
        [KEYS[2], KEYS[1]],
      ]) {
        const signed = assembleMultisigTx(unsigned, plan, REDEEM, signAll(unsigned, plan, pair));
        const tx = assertValid(signed);
        // Only witness signatures leave the txid alone: for legacy inputs the scriptSig is part of it, so the
        // withdrawal id (the unsigned tx hash) is not the broadcast txid.
        if (plan.inputs.every((u) => u.kind === 'p2wsh')) assert.equal(tx.txid(), plan.id);
        else assert.notEqual(tx.txid(), plan.id);
        // The estimate is an upper bound, at most one byte per signature above the real size.
        const real = tx.getVirtualSize();
        assert.ok(real <= plan.vsize && real >= plan.vsize - plan.inputs.length * 2, `${real} vs ${plan.vsize}`);
      }
    });
  }

  it('all three signed: the first m in redeem key order are used', () => {
    const plan = planFor(MIXED_SPEND);
    const sigs = signAll(MIXED_SPEND, plan, [KEYS[2], KEYS[1], KEYS[0]]);
    const signed = assembleMultisigTx(MIXED_SPEND, plan, REDEEM, sigs);
    assertValid(signed);
    const p2shInput = Transaction.fromBuffer(signed).ins[2]!;
    const chunks = bscript.decompile(p2shInput.script)!;
    assert.equal(toHex(chunks[1] as Uint8Array), toHex(sigs.get(toHex(KEYS[0].publicKey))![2]!));
    assert.equal(toHex(chunks[2] as Uint8Array), toHex(sigs.get(toHex(KEYS[1].publicKey))![2]!));
  });

  it('signatures are strict DER, low S, SIGHASH_ALL, deterministic (RFC 6979)', () => {
    const plan = planFor(MIXED_SPEND);
    const a = signWithdrawal(MIXED_SPEND, plan, REDEEM, KEYS[1]);
    const b = signWithdrawal(MIXED_SPEND, plan, REDEEM, KEYS[1]);
    assert.deepEqual(a.map(toHex), b.map(toHex));
    assert.equal(a.length, 4);
    for (const sig of a) {
      assert.ok(bscript.isCanonicalScriptSignature(sig));
      assert.equal(sig.at(-1), 0x01);
      assert.ok(sig.length <= 72);
      const s = secp256k1.Signature.fromDER(sig.subarray(0, -1));
      assert.ok(!s.hasHighS());
    }
  });

  it('a key not in the redeem script is refused (SIGNER_KEY_NOT_IN_REDEEM), also at assembly', () => {
    const plan = planFor(P2SH_SPEND);
    assert.throws(() => signWithdrawal(P2SH_SPEND, plan, REDEEM, OUTSIDER), hasCode('SIGNER_KEY_NOT_IN_REDEEM'));
    const sigs = signAll(P2SH_SPEND, plan, [KEYS[0]]);
    sigs.set(toHex(OUTSIDER.publicKey), sigs.get(toHex(KEYS[0].publicKey))!);
    assert.throws(() => assembleMultisigTx(P2SH_SPEND, plan, REDEEM, sigs), hasCode('SIGNER_KEY_NOT_IN_REDEEM'));
  });

  it('a signature by a foreign key placed in the tx does not verify', () => {
    const plan = planFor(P2SH_SPEND);
    const unsigned = Transaction.fromBuffer(P2SH_SPEND);
    const foreign = unsigned.ins.map((_in, i) => {
      const digest = unsigned.hashForSignature(i, REDEEM, Transaction.SIGHASH_ALL);
      return Uint8Array.of(...secp256k1.sign(digest, OUTSIDER.privateKey, { lowS: true, prehash: false }).toDERRawBytes(), 0x01);
    });
    const sigs = signAll(P2SH_SPEND, plan, [KEYS[0]]);
    sigs.set(toHex(KEYS[1].publicKey), foreign); // claimed to be KEYS[1]'s
    assert.equal(bcoinTx(assembleMultisigTx(P2SH_SPEND, plan, REDEEM, sigs)).verify(fundingView(), FLAGS), false);
  });

  it('a BtcKey whose public key is not its private key\'s is caught by the self-check (INVARIANT)', () => {
    const plan = planFor(P2SH_SPEND);
    const forged: BtcKey = { privateKey: OUTSIDER.privateKey, publicKey: KEYS[1].publicKey, compressed: true };
    assert.throws(() => signWithdrawal(P2SH_SPEND, plan, REDEEM, forged), hasCode('INVARIANT'));
  });

  it('a tampered or redirected output fails bcoin verification (P2SH and P2WSH)', () => {
    const plan = planFor(P2SH_SPEND);
    const signed = assembleMultisigTx(P2SH_SPEND, plan, REDEEM, signAll(P2SH_SPEND, plan, [KEYS[0], KEYS[1]]));
    assert.ok(bcoinTx(signed).verify(fundingView(), FLAGS));

    const tampered = Transaction.fromBuffer(signed);
    tampered.outs[0]!.value -= 1n;
    assert.equal(bcoinTx(tampered.toBuffer()).verify(fundingView(), FLAGS), false);

    const redirected = Transaction.fromBuffer(signed);
    redirected.outs[0]!.script = D.p2pkh;
    assert.equal(bcoinTx(redirected.toBuffer()).verify(fundingView(), FLAGS), false);

    const wPlan = planFor(P2WSH_SPEND);
    const wSigned = assembleMultisigTx(P2WSH_SPEND, wPlan, REDEEM, signAll(P2WSH_SPEND, wPlan, [KEYS[0], KEYS[2]]));
    const wTampered = Transaction.fromBuffer(wSigned);
    wTampered.outs[1]!.value += 1n;
    assert.equal(bcoinTx(wTampered.toBuffer()).verify(fundingView(), FLAGS), false);
  });

  it('P2WSH signatures commit to the amount (BIP143): signing for a wrong value fails', () => {
    const plan = planFor(P2WSH_SPEND);
    const wrong: WithdrawalPlan = { ...plan, inputs: plan.inputs.map((u) => ({ ...u, value: u.value + 1n })) };
    const signed = assembleMultisigTx(P2WSH_SPEND, plan, REDEEM, signAll(P2WSH_SPEND, wrong, [KEYS[0], KEYS[1]]));
    assert.equal(bcoinTx(signed).verify(fundingView(), FLAGS), false);
  });

  it('CHECKMULTISIG needs key order: reversed signatures fail', () => {
    const plan = planFor(P2SH_SPEND);
    const sigs = signAll(P2SH_SPEND, plan, [KEYS[0], KEYS[1]]);
    const tx = Transaction.fromBuffer(P2SH_SPEND);
    tx.ins.forEach((_in, i) => {
      const s0 = sigs.get(toHex(KEYS[0].publicKey))![i]!;
      const s1 = sigs.get(toHex(KEYS[1].publicKey))![i]!;
      tx.setInputScript(i, bscript.compile([bscript.OPS.OP_0, s1, s0, REDEEM]));
    });
    assert.equal(bcoinTx(tx.toBuffer()).verify(fundingView(), FLAGS), false);
  });

  it('assembly refuses too few signers or a wrong signature count (SIGNER_TX_MALFORMED)', () => {
    const plan = planFor(P2SH_SPEND);
    const one = signAll(P2SH_SPEND, plan, [KEYS[0]]);
    assert.throws(() => assembleMultisigTx(P2SH_SPEND, plan, REDEEM, one), hasCode('SIGNER_TX_MALFORMED'));
    const short = signAll(P2SH_SPEND, plan, [KEYS[0], KEYS[1]]);
    short.set(toHex(KEYS[1].publicKey), short.get(toHex(KEYS[1].publicKey))!.slice(0, 1));
    assert.throws(() => assembleMultisigTx(P2SH_SPEND, plan, REDEEM, short), hasCode('SIGNER_TX_MALFORMED'));
  });

  it('a plan made for another tx is a caller bug (INVARIANT)', () => {
    const plan = planFor(P2SH_SPEND);
    assert.throws(() => signWithdrawal(P2WSH_SPEND, plan, REDEEM, KEYS[0]), hasCode('INVARIANT'));
  });
});
