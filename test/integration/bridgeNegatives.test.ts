import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1';
import { Transaction, payments } from 'bitcoinjs-lib';
import type { DepositRecord, WithdrawalRecord } from '../../src/protocol/allianceRecords.js';
import { toHex } from '../../src/util/bytes.js';
import { stopAllBcoinNodes } from '../helpers/bcoinNode.js';
import { Bridge, depositOpReturn, multisigOutput, multisigRedeem, waitFor } from '../helpers/bridgeHarness.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The bridge's refusals, end to end through the alliance worker of three real validators (bcoin regtest + devnet):
 * deposits paying the wrong script or carrying a bad OP_RETURN are rejected with their code and never voted;
 * mutated proofs and a proof of another block (injected as events, since the devnet's relayer checks would stop
 * them) are rejected by each hardening rule; events from another contract or from failed transactions are ignored;
 * withdrawals with a foreign redeem, an unknown outpoint, or an input already committed to a withdrawal we signed
 * are refused — and that commitment survives a restart.
 */
describe('bridge refusals (bcoin regtest + devnet + 3 validators)', { timeout: 300_000 }, () => {
  const dir = tempDir('spv-bridge-neg-');
  let bridge: Bridge;
  const OTHER_CONTRACT = 'ab'.repeat(20);
  const payee = payments.p2wpkh({ pubkey: Buffer.from(secp256k1.getPublicKey(new Uint8Array(32).fill(7), true)) }).output!;

  before(async () => {
    // P2SH change keeps segwit activation (432 blocks) out of this suite.
    bridge = await Bridge.start({ dir: dir.path, minConfirmations: 1, changeKind: 'p2sh', seed: 11 });
    // Enough matured coinbases for every payment below, so paying never mines (which would bury earlier payments
    // in blocks of their own before the test's mine()).
    await bridge.bcoin.mine(130);
    await bridge.waitForTip(await bridge.bcoin.height(), 60_000);
  });

  after(async () => {
    await bridge?.stop();
    await stopAllBcoinNodes();
    dir.cleanup();
  });

  const toBridge = (value: number) => ({ script: multisigOutput('p2sh', bridge.redeem), value });
  const opReturn = (payload: Uint8Array) => ({ script: Uint8Array.from([0x6a, ...pushOf(payload)]), value: 0 });

  function pushOf(payload: Uint8Array): number[] {
    if (payload.length < 0x4c) return [payload.length, ...payload];
    return [0x4c, payload.length, ...payload];
  }

  function argsPayload(flag: number, address: Uint8Array): Uint8Array {
    const script = depositOpReturn(2n, 1000n, address);
    const payload = script.subarray(script[1] === 0x4c ? 3 : 2);
    const out = Uint8Array.from(payload);
    out[0] = flag;
    return out;
  }

  async function mineAndSync(blocks = 1): Promise<string[]> {
    const hashes = await bridge.bcoin.mine(blocks);
    await bridge.waitForTip(await bridge.bcoin.height());
    return hashes;
  }

  async function statesOf(txid: string): Promise<(DepositRecord | null)[]> {
    return bridge.depositStates(txid);
  }

  async function allRejected(txid: string, what: string): Promise<DepositRecord[]> {
    let last: unknown = null;
    return waitFor(`${what}: rejected by every validator`, async () => {
      const s = await statesOf(txid);
      last = s.map((r) => [r?.state, r?.reason?.code]);
      return s.every((r) => r?.state === 'rejected') ? (s as DepositRecord[]) : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
  }

  function devnetVotes(txid: string): number {
    return bridge.devnetState().deposits.find((x) => x.txid === txid)?.voteCount ?? 0;
  }

  it('deposits paying another redeem script or carrying a bad OP_RETURN are rejected with their code, never voted', async () => {
    const other = multisigRedeem(2, [1, 2, 3].map((b) => secp256k1.getPublicKey(new Uint8Array(32).fill(b), true)));
    const address = new Uint8Array(20).fill(0xab);
    const cases = [
      { name: 'wrong redeem', outputs: [{ script: multisigOutput('p2sh', other), value: 1_000_000 }, opReturn(argsPayload(0x66, address))], code: 'DEPOSIT_WRONG_SCRIPT' },
      { name: 'wrong flag', outputs: [toBridge(1_000_000), opReturn(argsPayload(0x67, address))], code: 'OPRETURN_BAD_FLAG' },
      { name: 'OP_RETURN too short', outputs: [toBridge(1_000_000), opReturn(Uint8Array.from([0x66, 2, 0, 0, 0]))], code: 'OPRETURN_ARGS_MALFORMED' },
      { name: 'trailing bytes after the args', outputs: [toBridge(1_000_000), opReturn(Uint8Array.from([...argsPayload(0x66, address), 0]))], code: 'OPRETURN_ARGS_MALFORMED' },
      { name: 'fee above the value', outputs: [toBridge(999), opReturn(argsPayload(0x66, address))], code: 'DEPOSIT_BAD_FEE' },
      { name: 'output 1 not an OP_RETURN (change there instead)', outputs: [toBridge(1_000_000)], code: 'OPRETURN_NOT_FOUND' },
    ];
    const sent = [];
    for (const c of cases) sent.push({ ...c, ...(await bridge.pay(c.outputs)) });
    const [blockHash] = await mineAndSync();
    for (const s of sent) await bridge.relayDeposit({ txid: s.txid, txHex: s.txHex, blockHash: blockHash! });
    for (const s of sent) {
      const recs = await allRejected(s.txid, s.name);
      for (const r of recs) assert.equal(r.reason?.code, s.code, `${s.name}: ${r.reason?.message}`);
      assert.equal(devnetVotes(s.txid), 0, `${s.name}: nobody voted`);
    }
    const counters = await bridge.validators[0]!.client.allianceCounters();
    assert.equal(counters.votesSent, 0);
    assert.equal(counters.depositsRejected['DEPOSIT_WRONG_SCRIPT'], 1);
  });

  it('an OP_RETURN long enough to need OP_PUSHDATA1 is read by the tokenizer and voted (the original broke on it)', async () => {
    const address = new Uint8Array(60).fill(0xcd);
    const payload = argsPayload(0x66, address);
    assert.ok(payload.length > 0x4b, 'the payload needs OP_PUSHDATA1');
    const d = await bridge.pay([toBridge(2_000_000), opReturn(payload)]);
    const [blockHash] = await mineAndSync();
    await bridge.relayDeposit({ ...d, blockHash: blockHash! });
    const states = await waitFor('pushdata1 deposit voted', async () => {
      const s = await statesOf(d.txid);
      return s.every((r) => r?.state === 'voteConfirmed') ? s : undefined;
    });
    for (const r of states) assert.equal(r!.verified?.addressHex, toHex(address));
    assert.equal(devnetVotes(d.txid), 3);
  });

  it('mutated proofs and a proof of another block are rejected by each hardening rule; an unknown header waits', async () => {
    // One good deposit per case (a deposit record is keyed by its txid), all in one block.
    const sent = [];
    for (let i = 0; i < 8; i++) sent.push(await bridge.pay([toBridge(1_000_000 + i), opReturn(argsPayload(0x66, new Uint8Array(20).fill(i)))]));
    const [blockHash] = await mineAndSync();
    const height = await bridge.bcoin.height();
    const [otherBlock] = await mineAndSync();
    const otherBlockProof = await bridge.bcoin.rpc<string>('gettxoutproof', [[(await bridge.bcoin.rpc<{ tx: string[] }>('getblock', [otherBlock, true])).tx[0]], otherBlock]);
    const proofOf = (txid: string) => bridge.bcoin.rpc<string>('gettxoutproof', [[txid], blockHash]);

    // 9 txs (coinbase + 8): depth 4, one matched leaf → 1 + 2*4 = 9 flag bits (2 bytes, 7 padding bits).
    const mutate = {
      txCountZero: (p: Uint8Array) => p.set([0, 0, 0, 0], 80),
      txCountHuge: (p: Uint8Array) => p.set([0xff, 0xff, 0xff, 0x7f], 80),
      depthMismatch: (p: Uint8Array) => p.set([0x00, 0x01, 0, 0], 80), // 256 txs: a deeper tree than the hashes give
      hashFlipped: (p: Uint8Array) => (p[88] = p[88]! ^ 0x01),
      paddingBit: (p: Uint8Array) => (p[p.length - 1]! |= 0x80),
    } satisfies Record<string, (p: Uint8Array) => unknown>;
    const extraHash = (p: Uint8Array): Uint8Array => {
      const n = p[84]!;
      const hashesEnd = 85 + 32 * n;
      return Uint8Array.from([...p.subarray(0, 84), n + 1, ...p.subarray(85, hashesEnd), ...new Uint8Array(32).fill(9), ...p.subarray(hashesEnd)]);
    };
    const cases: { name: string; proof: (p: Uint8Array) => Uint8Array | string; code: RegExp }[] = [
      { name: 'tx count 0', proof: (p) => (mutate.txCountZero(p), p), code: /^MERKLE_TX_COUNT_ZERO$/ },
      { name: 'tx count huge', proof: (p) => (mutate.txCountHuge(p), p), code: /^MERKLE_TX_COUNT_TOO_LARGE$/ },
      { name: 'depth not matching the tx count', proof: (p) => (mutate.depthMismatch(p), p), code: /^MERKLE_(DEPTH_MISMATCH|TOO_FEW_FLAG_BITS|BAD_TREE|HASHES_NOT_CONSUMED|FLAGS_NOT_CONSUMED)$/ },
      { name: 'a hash flipped', proof: (p) => (mutate.hashFlipped(p), p), code: /^MERKLE_(ROOT_MISMATCH|TX_NOT_IN_PROOF)$/ },
      { name: 'non-zero padding bits', proof: (p) => (mutate.paddingBit(p), p), code: /^MERKLE_FLAGS_NOT_CONSUMED$/ },
      { name: 'an extra unused hash', proof: extraHash, code: /^MERKLE_HASHES_NOT_CONSUMED$/ },
      { name: 'a valid proof of another block', proof: () => otherBlockProof, code: /^(MERKLE_TX_NOT_IN_PROOF|DEPOSIT_TXID_MISMATCH)$/ },
    ];
    for (const [i, c] of cases.entries()) {
      const d = sent[i]!;
      const good = Buffer.from(await proofOf(d.txid), 'hex');
      const bad = c.proof(Uint8Array.from(good));
      await bridge.injectDeposit({ ...d, proofHex: typeof bad === 'string' ? bad : toHex(bad), height });
    }
    // A proof whose header is not in our store (nonce changed): not rejected, not voted — it waits.
    const last = sent[7]!;
    const unknownHeader = Uint8Array.from(Buffer.from(await proofOf(last.txid), 'hex'));
    unknownHeader[79] = unknownHeader[79]! ^ 0xff;
    const injectedAt = await bridge.injectDeposit({ ...last, proofHex: toHex(unknownHeader), height });

    for (const [i, c] of cases.entries()) {
      const recs = await allRejected(sent[i]!.txid, c.name);
      for (const r of recs) assert.match(String(r.reason?.code), c.code, `${c.name}: ${r.reason?.code} ${r.reason?.message}`);
      assert.equal(devnetVotes(sent[i]!.txid), 0);
    }
    await bridge.observedPast(injectedAt);
    const waiting = await statesOf(last.txid);
    for (const r of waiting) {
      assert.equal(r?.state, 'waiting', JSON.stringify(r?.reason));
      assert.equal(r?.vote, null);
    }
  });

  it('events from another contract or from a failed transaction are ignored; the same deposit from the CCM is voted', async () => {
    const d = await bridge.pay([toBridge(3_000_000), opReturn(argsPayload(0x66, new Uint8Array(20).fill(0xee)))]);
    const [blockHash] = await mineAndSync();
    const height = await bridge.bcoin.height();
    const proofHex = await bridge.bcoin.rpc<string>('gettxoutproof', [[d.txid], blockHash]);
    const skippedBefore = (await bridge.validators[0]!.client.allianceCounters()).eventsSkipped;
    await bridge.injectDeposit({ ...d, proofHex, height }, { contract: OTHER_CONTRACT });
    const failedAt = await bridge.injectDeposit({ ...d, proofHex, height }, { state: 0 });
    const w = new Transaction();
    w.addInput(Buffer.alloc(32, 0x42), 0);
    w.addOutput(Buffer.from(payee), BigInt(10_000));
    const wFailedAt = await bridge.injectWithdrawal(w.toHex(), { contract: OTHER_CONTRACT });
    await bridge.observedPast(Math.max(failedAt, wFailedAt));
    for (const r of await statesOf(d.txid)) assert.equal(r, null, 'no deposit record from a foreign or failed event');
    for (const r of await bridge.withdrawalStates(w.getId())) assert.equal(r, null, 'no withdrawal record from a foreign contract');
    assert.equal((await bridge.validators[0]!.client.allianceCounters()).eventsSkipped, skippedBefore, 'not even counted as malformed');

    await bridge.relayDeposit({ ...d, blockHash: blockHash! });
    await waitFor('voted once relayed by the CCM', async () => {
      const s = await statesOf(d.txid);
      return s.every((r) => r?.state === 'voteConfirmed') ? s : undefined;
    });
    assert.equal(devnetVotes(d.txid), 3);
  });

  it('withdrawals: foreign redeem and unknown outpoint refused; a conflicting spend refused, also after a restart', async () => {
    // A real withdrawal the validators co-sign: its inputs become committed to it.
    const id = await bridge.requestWithdrawal(1_500_000);
    const signed = await waitFor('withdrawal co-signed', async () => {
      const s = await bridge.withdrawalStates(id);
      return s.every((r) => r !== null && ['signing', 'submitted', 'confirmed', 'relayed'].includes(r.state)) ? (s as WithdrawalRecord[]) : undefined;
    });
    const committed = signed[0]!.inputs[0]!;
    const spendCommitted = (value: number): Transaction => {
      const tx = new Transaction();
      tx.version = 2;
      tx.addInput(Buffer.from(committed.txid, 'hex').reverse(), committed.vout);
      tx.addOutput(Buffer.from(payee), BigInt(value));
      return tx;
    };
    const unknown = new Transaction();
    unknown.addInput(Buffer.alloc(32, 0x5a), 1);
    unknown.addOutput(Buffer.from(payee), BigInt(50_000));
    const foreignRedeem = spendCommitted(Number(committed.value) - 40_000);
    const conflicting = spendCommitted(Number(committed.value) - 30_000);

    await bridge.injectWithdrawal(unknown.toHex());
    await bridge.injectWithdrawal(foreignRedeem.toHex(), { redeemHex: toHex(multisigRedeem(1, [bridge.validators[0]!.btcPublicKey])) });
    await bridge.injectWithdrawal(conflicting.toHex());
    const expect: [Transaction, string][] = [
      [unknown, 'SIGNER_UNKNOWN_INPUT'],
      [foreignRedeem, 'SIGNER_REDEEM_MISMATCH'],
      [conflicting, 'SIGNER_INPUT_CONFLICT'],
    ];
    for (const [tx, code] of expect) {
      const recs = await waitFor(`${code} refused everywhere`, async () => {
        const s = await bridge.withdrawalStates(tx.getId());
        return s.every((r) => r?.state === 'refused') ? (s as WithdrawalRecord[]) : undefined;
      });
      for (const r of recs) {
        assert.equal(r.reason?.code, code, r.reason?.message);
        assert.equal(r.multiSign, null, 'nothing signed');
      }
    }
    const counters = await bridge.validators[1]!.client.allianceCounters();
    assert.equal(counters.withdrawalRefusals['SIGNER_INPUT_CONFLICT'], 1);

    // The commitment is in v1's store, not its memory: after a restart a second conflicting spend is refused too.
    await bridge.restart(1);
    const again = spendCommitted(Number(committed.value) - 20_000);
    await bridge.injectWithdrawal(again.toHex());
    const r = await waitFor('conflict refused after restart', async () => {
      const rec = await bridge.validators[1]!.client.withdrawal(again.getId());
      return rec?.state === 'refused' ? rec : undefined;
    });
    assert.equal(r.reason?.code, 'SIGNER_INPUT_CONFLICT');
    const original = await bridge.validators[1]!.client.withdrawal(id);
    assert.ok(original !== null && original.state !== 'refused', 'the signed withdrawal is still ours');
    const byReason = bridge.devnetState().rejected.byReason;
    assert.equal((byReason['ALREADY_SIGNED'] ?? 0) + (byReason['UNKNOWN_WITHDRAWAL'] ?? 0), 0, 'no MultiSign for a refused withdrawal, none twice');
  });
});
