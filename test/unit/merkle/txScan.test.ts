import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { scanTx } from '../../../src/merkle/txScan.js';
import { hashToHex } from '../../../src/util/bytes.js';
import { skipUnlessFixture } from '../../helpers/fixtures.js';
import { fixtureBlock, FXM } from './merkleTestUtil.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

function legacyTx(): Transaction {
  const tx = new Transaction();
  tx.addInput(new Uint8Array(32).fill(7), 1);
  tx.addOutput(new Uint8Array(25).fill(1), 1000n);
  return tx;
}

function witnessTx(): Transaction {
  const tx = legacyTx();
  tx.setWitness(0, [new Uint8Array(72).fill(3), new Uint8Array(33).fill(2)]);
  return tx;
}

describe('scanTx (structure walk: txid and stripped size without parsing)', () => {
  it('agrees with bitcoinjs-lib on every transaction of real blocks (txid, stripped size)', { skip: skipUnlessFixture(FXM.block482683, FXM.block300025) }, () => {
    let n = 0;
    for (const rel of [FXM.block482683, FXM.block300025]) {
      for (const tx of fixtureBlock(rel).txs) {
        const s = scanTx(new Uint8Array(tx.toBuffer()));
        assert.equal(hashToHex(s.txid), tx.getId());
        assert.equal(s.strippedSize, tx.byteLength(false));
        n++;
      }
    }
    assert.ok(n > 400, `${n} transactions`);
  });

  it('legacy and witness serializations of one transaction have the same txid and stripped size', () => {
    const w = witnessTx();
    const withWitness = scanTx(new Uint8Array(w.toBuffer()));
    const stripped = scanTx(new Uint8Array(legacyTx().toBuffer())); // the same inputs and outputs, no witness
    assert.deepEqual(withWitness.txid, stripped.txid);
    assert.equal(withWitness.strippedSize, w.byteLength(false));
    assert.equal(hashToHex(withWitness.txid), w.getId());
  });

  it('refuses what is not exactly one transaction (TX_INVALID), whatever bitcoinjs would do', () => {
    const legacy = new Uint8Array(legacyTx().toBuffer());
    const witness = new Uint8Array(witnessTx().toBuffer());
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['version only', legacy.subarray(0, 4)],
      ['every truncation of a legacy tx', legacy.subarray(0, legacy.length - 1)],
      ['trailing byte', Uint8Array.from([...legacy, 0])],
      ['non-canonical input count (0xfd 0x0001)', Uint8Array.from([...legacy.subarray(0, 4), 0xfd, 0x01, 0x00, ...legacy.subarray(5)])],
      ['CompactSize 0xff', Uint8Array.from([...legacy.subarray(0, 4), 0xff, ...new Uint8Array(8).fill(1), ...legacy.subarray(5)])],
      ['marker with flag 2', Uint8Array.from([...witness.subarray(0, 5), 0x02, ...witness.subarray(6)])],
      ['marker with an all-empty witness', Uint8Array.from([...legacy.subarray(0, 4), 0x00, 0x01, ...legacy.subarray(4, legacy.length - 4), 0x00, ...legacy.subarray(legacy.length - 4)])],
      ['no outputs', Uint8Array.from([...legacy.subarray(0, 4), 0x01, ...legacy.subarray(5, 5 + 36 + 1 + 4), 0x00, 0, 0, 0, 0])],
      ['script length past the end', Uint8Array.from([...legacy.subarray(0, 41), 0xfd, 0xff, 0xff, ...legacy.subarray(42)])],
    ];
    for (let cut = 0; cut < legacy.length; cut++) cases.push([`truncated at ${cut}`, legacy.subarray(0, cut)]);
    for (let cut = 0; cut < witness.length; cut++) cases.push([`witness tx truncated at ${cut}`, witness.subarray(0, cut)]);
    for (const [name, raw] of cases) assert.equal(code(() => scanTx(raw)), 'TX_INVALID', name);
  });
});
