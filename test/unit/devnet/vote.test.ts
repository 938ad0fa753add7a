import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasCode } from '../../helpers/assertions.js';
import { startDevnet } from '../../../scripts/devnet/devnet.js';
import { toHex } from '../../../src/util/bytes.js';
import type { Kit } from './devnetKit.js';
import {
  call,
  depositTx,
  fund,
  invokeTxHex,
  lockScriptOf,
  merkleblockFor,
  polyKey,
  relayDeposit,
  rpc,
  send,
  startKit,
  statesOf,
  voteTxHex,
} from './devnetKit.js';

describe('devnet Vote', () => {
  let kit: Kit;
  before(async () => {
    kit = await startKit();
  });
  after(() => kit.devnet.close());

  it('N=3: quorum is 2, the deposit executes exactly once, later votes still succeed', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 50_000, 'quorum');
    assert.equal(kit.devnet.state().quorum, 2);

    const e0 = await send(kit.url, voteTxHex(kit.voters[0]!, txid));
    assert.equal(e0.State, 1);
    assert.deepEqual(statesOf(e0), [['Vote', { [kit.voters[0]!.address]: kit.voters[0]!.address }]]);
    assert.equal(e0.Notify[0]!.ContractAddress, '0200000000000000000000000000000000000000');
    assert.equal(kit.devnet.state().deposits.find((d) => d.txid === txid)!.executed, false);

    const e1 = await send(kit.url, voteTxHex(kit.voters[1]!, txid));
    assert.equal(e1.State, 1);
    const s1 = statesOf(e1);
    assert.equal(s1.length, 2);
    assert.deepEqual(s1[0], ['Vote', { [kit.voters[0]!.address]: kit.voters[0]!.address, [kit.voters[1]!.address]: kit.voters[1]!.address }]);
    assert.deepEqual(s1[1], ['btcDepositExecuted', txid, 50_000]);

    const e2 = await send(kit.url, voteTxHex(kit.voters[2]!, txid));
    assert.equal(e2.State, 1);
    assert.equal(statesOf(e2).length, 1, 'no second execution');
    assert.equal(statesOf(e2)[0]![0], 'Vote');

    const st = kit.devnet.state();
    const d = st.deposits.find((x) => x.txid === txid)!;
    assert.equal(d.executed, true);
    assert.equal(d.voteCount, 3);
    assert.deepEqual(Object.values(d.votes), [true, true, true]);
    assert.equal(d.utxoRecorded, true);
    assert.equal(d.problem, null);
    const utxos = st.utxos.filter((u) => u.txid === txid);
    assert.deepEqual(utxos, [{ txid, vout: 0, value: 50_000, kind: 'p2sh', origin: 'deposit', status: 'available', withdrawalId: null }]);
  });

  it('records the UTXO kind of bare and P2WSH deposits', async () => {
    const bare = await fund(kit, 'bare', 20_000, 'bare');
    const wsh = await fund(kit, 'p2wsh', 30_000, 'wsh');
    const st = kit.devnet.state();
    assert.equal(st.utxos.find((u) => u.txid === bare)!.kind, 'bare');
    assert.equal(st.utxos.find((u) => u.txid === wsh)!.kind, 'p2wsh');
  });

  it('refuses a non-voter (State 0, NOT_VOTER)', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'outsider');
    const ev = await send(kit.url, voteTxHex(kit.outsider, txid));
    assert.equal(ev.State, 0);
    assert.deepEqual(ev.Notify, []);
    const st = kit.devnet.state();
    assert.equal(st.deposits.find((d) => d.txid === txid)!.voteCount, 0);
    assert.equal(st.rejected.entries.at(-1)!.reason, 'NOT_VOTER');
    assert.equal(st.rejected.entries.at(-1)!.stage, 'exec');
    assert.equal(st.rejected.entries.at(-1)!.txHash, ev.TxHash);
  });

  it('refuses a vote for a voter signed by another key (CheckWitness, NO_WITNESS)', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'witness');
    // the outsider signs a vote naming voter 0
    const ev = await send(kit.url, voteTxHex(kit.outsider, txid, { address: kit.voters[0]!.address }));
    assert.equal(ev.State, 0);
    // voter 1 signs a vote naming voter 0
    const ev2 = await send(kit.url, voteTxHex(kit.voters[1]!, txid, { address: kit.voters[0]!.address }));
    assert.equal(ev2.State, 0);
    const st = kit.devnet.state();
    assert.equal(st.deposits.find((d) => d.txid === txid)!.voteCount, 0);
    assert.deepEqual(st.rejected.entries.slice(-2).map((r) => r.reason), ['NO_WITNESS', 'NO_WITNESS']);
  });

  it('refuses a duplicate vote (DUPLICATE_VOTE) and an unknown deposit (UNKNOWN_DEPOSIT)', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'dup');
    assert.equal((await send(kit.url, voteTxHex(kit.voters[0]!, txid))).State, 1);
    assert.equal((await send(kit.url, voteTxHex(kit.voters[0]!, txid))).State, 0);
    assert.equal((await send(kit.url, voteTxHex(kit.voters[1]!, 'ab'.repeat(32)))).State, 0);
    const st = kit.devnet.state();
    assert.equal(st.deposits.find((d) => d.txid === txid)!.voteCount, 1);
    assert.deepEqual(st.rejected.entries.slice(-2).map((r) => r.reason), ['DUPLICATE_VOTE', 'UNKNOWN_DEPOSIT']);
  });

  it('bad signature -> 45021 with the detail in result, no block', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'badsig');
    const before = (await call<number>(kit.url, 'getblockcount', []));
    for (const voter of kit.voters.slice(0, 2)) {
      const reply = await rpc(kit.url, 'sendrawtransaction', [voteTxHex(voter, txid, { corruptSignature: true })]);
      assert.equal(reply.error, 45021);
      assert.equal(reply.desc, '');
      assert.equal(typeof reply.result, 'string');
      assert.match(reply.result as string, /signature/);
    }
    assert.equal(await call<number>(kit.url, 'getblockcount', []), before);
    assert.equal(kit.devnet.state().rejected.byReason.BAD_SIGNATURE, 2);
  });

  it('checks secp256k1 signatures with the configured digest (keccak256 by default)', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'digest');
    const reply = await rpc(kit.url, 'sendrawtransaction', [voteTxHex(kit.voters[1]!, txid, { digest: 'sha3-256' })]);
    assert.equal(reply.error, 45021);
    assert.equal((await send(kit.url, voteTxHex(kit.voters[1]!, txid, { digest: 'keccak256' }))).State, 1);
  });

  it('garbage hex -> 42002, undecodable -> 43001, duplicate tx -> 45002', async () => {
    const g = await rpc(kit.url, 'sendrawtransaction', ['zz12']);
    assert.deepEqual([g.error, g.desc], [42002, 'INVALID PARAMS']);
    const odd = await rpc(kit.url, 'sendrawtransaction', ['abc']);
    assert.equal(odd.error, 42002);
    const notString = await rpc(kit.url, 'sendrawtransaction', [12]);
    assert.equal(notString.error, 42002);
    const u = await rpc(kit.url, 'sendrawtransaction', ['00d1']);
    assert.deepEqual([u.error, u.desc], [43001, 'INVALID TRANSACTION']);

    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'duptx');
    const hex = voteTxHex(kit.voters[2]!, txid, { nonce: 777 });
    assert.equal((await send(kit.url, hex)).State, 1);
    const d = await rpc(kit.url, 'sendrawtransaction', [hex]);
    assert.deepEqual([d.error, d.desc], [45002, 'INTERNAL ERROR, ErrDuplicatedTx']);
    const st = kit.devnet.state();
    assert.ok((st.rejected.byReason.BAD_HEX ?? 0) >= 3);
    assert.equal(st.rejected.byReason.UNDECODABLE, 1);
    assert.equal(st.rejected.byReason.DUPLICATE_TX, 1);
  });

  it('executes other contracts, other methods and non-zero chain ids with State 0', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 10_000, 'other');
    const v = kit.voters[0]!;
    const other = new Uint8Array(20);
    other[19] = 3;
    assert.equal((await send(kit.url, voteTxHex(v, txid, { contract: other }))).State, 0);
    assert.equal((await send(kit.url, invokeTxHex(v, 'vote', new Uint8Array(0)))).State, 0);
    assert.equal((await send(kit.url, voteTxHex(v, txid, { chainId: 1n }))).State, 0);
    assert.equal((await send(kit.url, invokeTxHex(v, 'Vote', Uint8Array.of(1, 2, 3)))).State, 0);
    const reasons = kit.devnet.state().rejected.entries.slice(-4).map((r) => r.reason);
    assert.deepEqual(reasons, ['NOT_CCM', 'UNKNOWN_METHOD', 'BAD_CHAIN_ID', 'BAD_PARAM']);
    assert.equal(kit.devnet.state().deposits.find((d) => d.txid === txid)!.voteCount, 0);
  });

  it('flags an executed deposit that breaks the deposit rules, and records no UTXO when output 0 is not the multisig', async () => {
    const tx = depositTx(lockScriptOf(Uint8Array.of(0x51), 'p2sh'), 40_000, 'notms'); // P2SH of OP_TRUE
    await call(kit.url, 'devnet_submitDeposit', [tx.toHex(), toHex(merkleblockFor(tx, 'notms')), 5]);
    for (const v of kit.voters.slice(0, 2)) assert.equal((await send(kit.url, voteTxHex(v, tx.getId()))).State, 1);
    const d = kit.devnet.state().deposits.find((x) => x.txid === tx.getId())!;
    assert.equal(d.executed, true);
    assert.equal(d.utxoRecorded, false);
    assert.match(d.problem ?? '', /multisig/);
    assert.equal(kit.devnet.state().utxos.some((u) => u.txid === tx.getId()), false);
  });
});

describe('devnet quorum formula', () => {
  it('(2N+2)/3 with integer division', async () => {
    for (const [n, q] of [
      [1, 1],
      [2, 2],
      [4, 3],
      [7, 5],
    ] as const) {
      const voters = Array.from({ length: n }, (_, i) => polyKey('P-256', `q${n}-${i}`).address);
      const kit = await startKit({ voters });
      assert.equal(kit.devnet.state().quorum, q, `N=${n}`);
      await kit.devnet.close();
    }
  });

  it('refuses bad options with CONFIG_INVALID', async () => {
    const base = await startKit();
    await base.devnet.close();
    const ok = { voters: base.voters.map((v) => v.address), redeemScript: base.redeem, btcNetwork: 'regtest', blocksToWait: 6, changeKind: 'p2sh', feeRate: 1 } as const;
    await assert.rejects(startDevnet({ ...ok, voters: [] }), hasCode('CONFIG_INVALID'));
    await assert.rejects(startDevnet({ ...ok, voters: ['not-an-address'] }), hasCode('CONFIG_INVALID'));
    await assert.rejects(startDevnet({ ...ok, voters: [ok.voters[0]!, ok.voters[0]!] }), hasCode('CONFIG_INVALID'));
    await assert.rejects(startDevnet({ ...ok, redeemScript: Uint8Array.of(0x51, 0xae) }), hasCode('CONFIG_INVALID'));
    await assert.rejects(startDevnet({ ...ok, feeRate: -1 }), hasCode('CONFIG_INVALID'));
    await assert.rejects(startDevnet({ ...ok, ccmAddressHex: '02' }), hasCode('CONFIG_INVALID'));
  });
});
