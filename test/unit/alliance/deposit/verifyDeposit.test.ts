import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DepositCheck, DepositPolicy, VerifiedDeposit } from '../../../../src/alliance/deposit/index.js';
import { COINBASE_MATURITY, verifyDeposit } from '../../../../src/alliance/deposit/index.js';
import type { ErrorCode } from '../../../../src/errors/codes.js';
import { InvariantError, SpvError } from '../../../../src/errors/spvError.js';
import {
  MAX_PROOF_TRANSACTIONS,
  buildMerkleProof,
  parseMerkleProof,
  serializeMerkleProof,
} from '../../../../src/merkle/index.js';
import type { MerkleProof } from '../../../../src/merkle/index.js';
import type { ChainApi } from '../../../../src/protocol/chain.js';
import { concatBytes, toHex } from '../../../../src/util/bytes.js';
import { hasCode } from '../../../helpers/assertions.js';
import { fakeTxid, tx64 } from '../../merkle/merkleTestUtil.js';
import {
  ADDRESS20,
  DEFAULT_VALUE,
  blockWith,
  btcProof,
  coinbaseTx,
  defaultOutputs,
  depositTx,
  fillerTx,
  mineBlock,
  multisig,
  policy,
  proofBytes,
  scriptFor,
  testPubkey,
  txidOf,
  withDepositChain,
} from './depositTestUtil.js';
import type { DepositChain, MinedBlock } from './depositTestUtil.js';

type Event = Parameters<typeof verifyDeposit>[0];

function expectOk(r: DepositCheck): VerifiedDeposit {
  assert.equal(r.kind, 'ok', r.kind === 'ok' ? '' : `${r.kind} ${r.code}: ${r.message}`);
  assert.ok(r.kind === 'ok');
  return r.deposit;
}

function expectWait(r: DepositCheck, code: ErrorCode, confirmations: number, required: number): void {
  assert.equal(r.kind, 'wait', r.kind === 'ok' ? 'got ok' : `${r.kind} ${r.code}: ${r.message}`);
  assert.ok(r.kind === 'wait');
  assert.equal(r.code, code);
  assert.equal(r.confirmations, confirmations);
  assert.equal(r.required, required);
}

function expectReject(r: DepositCheck, code: ErrorCode, what = ''): void {
  assert.equal(r.kind, 'reject', `${what}: ${r.kind === 'ok' ? 'got ok' : `${r.kind} ${r.code}`}`);
  assert.ok(r.kind === 'reject');
  assert.equal(r.code, code, `${what}: ${r.message}`);
}

interface Placed {
  readonly event: Event;
  readonly block: MinedBlock;
  readonly index: number;
  readonly txid: string;
}

/**
 * Mines a block holding `tx` on `c.builder` (or another builder), connects it unless told not to, and returns the
 * notify event for it with the relayer's height and blocksToWait.
 */
async function place(
  c: DepositChain,
  tx: { raw: Uint8Array; txid: string },
  opts: { blocksToWait?: bigint; relayerHeight?: number; connect?: boolean; builder?: DepositChain['builder'] } = {},
): Promise<Placed> {
  const builder = opts.builder ?? c.builder;
  const { block, indexes } = blockWith(builder, [tx.raw], 3, 3);
  const index = indexes[0]!;
  if (opts.connect !== false) await c.connect(block.header);
  const proof = proofBytes(block, [index]);
  const event = {
    btcTxidHex: tx.txid,
    proof: btcProof(tx.raw, proof, opts.relayerHeight ?? block.header.height, opts.blocksToWait ?? 1n),
  };
  return { event, block, index, txid: tx.txid };
}

function withProof(event: Event, proof: Uint8Array): Event {
  return { btcTxidHex: event.btcTxidHex, proof: { ...event.proof, proof } };
}

describe('verifyDeposit against a real ChainService: accepted deposits', () => {
  it('bare, P2SH and P2WSH deposits; block, height and confirmations come from our store', async () => {
    await withDepositChain(5, async (c) => {
      const placed: Placed[] = [];
      for (const [i, kind] of (['bare', 'p2sh', 'p2wsh'] as const).entries()) {
        placed.push(await place(c, depositTx({ outputs: defaultOutputs(scriptFor(kind)), salt: i, witness: kind === 'p2wsh' })));
      }
      await c.mine(2);
      for (const [i, kind] of (['bare', 'p2sh', 'p2wsh'] as const).entries()) {
        const p = placed[i]!;
        const d = expectOk(await verifyDeposit(p.event, c.chain, policy()));
        assert.deepEqual(d, {
          txid: p.txid,
          blockHash: p.block.header.hashHex,
          height: 6 + i,
          index: p.index,
          confirmations: 10 - (6 + i) + 1,
          value: DEFAULT_VALUE,
          scriptKind: kind,
          toChainId: 2n,
          fee: 1_000n,
          addressHex: toHex(ADDRESS20),
          toContractAddressHex: null,
        });
      }
    });
  });

  it("the relayer's height is never used (§8 item 10): a lie changes neither the height nor the count", async () => {
    await withDepositChain(3, async (c) => {
      for (const lie of [0, 1, 999_999, 0xffffffff]) {
        const p = await place(c, depositTx({ salt: lie & 0xff }), { relayerHeight: lie, blocksToWait: 2n });
        await c.mine(1);
        const d = expectOk(await verifyDeposit(p.event, c.chain, policy()));
        assert.equal(d.height, p.block.header.height);
        assert.equal(d.blockHash, p.block.header.hashHex);
        assert.equal(d.confirmations, 2);
      }
    });
  });

  it('the deposit may share its block with others and be proven by a multi-match proof', async () => {
    await withDepositChain(1, async (c) => {
      const a = depositTx({ salt: 1 });
      const b = depositTx({ salt: 2, outputs: defaultOutputs(scriptFor('bare')) });
      const { block, indexes } = blockWith(c.builder, [a.raw, b.raw], 4, 5);
      await c.connect(block.header);
      const proof = proofBytes(block, [0, ...indexes]);
      for (const [i, t] of [a, b].entries()) {
        const d = expectOk(await verifyDeposit({ btcTxidHex: t.txid, proof: btcProof(t.raw, proof, 0, 1n) }, c.chain, policy()));
        assert.equal(d.index, indexes[i]);
      }
    });
  });
});

describe('verifyDeposit: confirmations', () => {
  it('exactly the required count is ok; one less waits (DEPOSIT_TOO_FEW_CONFIRMATIONS)', async () => {
    await withDepositChain(2, async (c) => {
      const p = await place(c, depositTx(), { blocksToWait: 3n });
      expectWait(await verifyDeposit(p.event, c.chain, policy()), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 1, 3);
      await c.mine(1);
      expectWait(await verifyDeposit(p.event, c.chain, policy()), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 2, 3);
      await c.mine(1);
      assert.equal(expectOk(await verifyDeposit(p.event, c.chain, policy())).confirmations, 3);
    });
  });

  it('requires max(blocksToWait, minConfirmations): the configured floor wins when larger', async () => {
    await withDepositChain(2, async (c) => {
      const p = await place(c, depositTx(), { blocksToWait: 2n });
      await c.mine(3); // 4 confirmations
      expectWait(await verifyDeposit(p.event, c.chain, policy({ minConfirmations: 5 })), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 4, 5);
      expectOk(await verifyDeposit(p.event, c.chain, policy({ minConfirmations: 4 })));
      const wait6 = { ...p.event, proof: { ...p.event.proof, blocksToWait: 6n } };
      expectWait(await verifyDeposit(wait6, c.chain, policy({ minConfirmations: 4 })), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 4, 6);
    });
  });

  it('blocksToWait 0 requires 1 confirmation, with or without a floor (no underflow: §8 item 5)', async () => {
    await withDepositChain(2, async (c) => {
      const p = await place(c, depositTx(), { blocksToWait: 0n });
      for (const minConfirmations of [0, 1]) {
        const d = expectOk(await verifyDeposit(p.event, c.chain, policy({ minConfirmations })));
        assert.equal(d.confirmations, 1);
      }
      // A huge blocksToWait (u64 max) waits; the requirement stays an exact number.
      const huge = { ...p.event, proof: { ...p.event.proof, blocksToWait: (1n << 64n) - 1n } };
      expectWait(await verifyDeposit(huge, c.chain, policy()), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 1, Number.MAX_SAFE_INTEGER);
    });
  });

  it('a coinbase deposit waits for coinbase maturity (100 confirmations; Core COINBASE_MATURITY)', async () => {
    await withDepositChain(1, async (c) => {
      const height = c.builder.tipHeight + 1;
      const cb = coinbaseTx(height, defaultOutputs());
      const block = mineBlock(c.builder, [cb, fillerTx(1), fillerTx(2)]);
      await c.connect(block.header);
      const event = { btcTxidHex: toHex(txidOf(cb).reverse()), proof: btcProof(cb, proofBytes(block, [0]), height, 1n) };
      expectWait(await verifyDeposit(event, c.chain, policy()), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', 1, COINBASE_MATURITY);
      await c.mine(COINBASE_MATURITY - 2);
      expectWait(await verifyDeposit(event, c.chain, policy()), 'DEPOSIT_TOO_FEW_CONFIRMATIONS', COINBASE_MATURITY - 1, COINBASE_MATURITY);
      await c.mine(1);
      assert.equal(expectOk(await verifyDeposit(event, c.chain, policy())).confirmations, COINBASE_MATURITY);
    });
  });
});

describe('verifyDeposit: where the block is', () => {
  it('a block we do not have waits (PROOF_BLOCK_UNKNOWN), and is ok once our chain catches up', async () => {
    await withDepositChain(2, async (c) => {
      const p = await place(c, depositTx(), { connect: false });
      expectWait(await verifyDeposit(p.event, c.chain, policy()), 'PROOF_BLOCK_UNKNOWN', 0, 1);
      const noWait = { ...p.event, proof: { ...p.event.proof, blocksToWait: 0n } };
      expectWait(await verifyDeposit(noWait, c.chain, policy({ minConfirmations: 0 })), 'PROOF_BLOCK_UNKNOWN', 0, 1);
      await c.connect(p.block.header);
      expectOk(await verifyDeposit(p.event, c.chain, policy()));
    });
  });

  it('a block on a side branch waits (PROOF_NOT_ON_BEST_CHAIN); ok after the branch becomes best', async () => {
    await withDepositChain(4, async (c) => {
      const fork = c.builder.fork(2);
      await c.mine(2); // main: tip 6
      const p = await place(c, depositTx(), { builder: fork }); // side: height 3
      expectWait(await verifyDeposit(p.event, c.chain, policy()), 'PROOF_NOT_ON_BEST_CHAIN', 0, 1);
      await c.connect(...fork.extend(4).headers); // side: tip 7 > 6, reorg
      const d = expectOk(await verifyDeposit(p.event, c.chain, policy()));
      assert.equal(d.height, 3);
      assert.equal(d.confirmations, 5);
    });
  });

  it('a voted-for block reorged away waits again (PROOF_NOT_ON_BEST_CHAIN)', async () => {
    await withDepositChain(2, async (c) => {
      const fork = c.builder.fork(2);
      const p = await place(c, depositTx());
      expectOk(await verifyDeposit(p.event, c.chain, policy()));
      await c.connect(...fork.extend(3).headers);
      expectWait(await verifyDeposit(p.event, c.chain, policy()), 'PROOF_NOT_ON_BEST_CHAIN', 0, 1);
    });
  });
});

describe('verifyDeposit: rejections', () => {
  it('chain-free checks come first (the chain is not asked): wrong script, txid mismatch', async () => {
    await withDepositChain(1, async (c) => {
      const other = multisig(2, [testPubkey(4), testPubkey(5), testPubkey(6)]);
      const wrong = await place(c, depositTx({ outputs: defaultOutputs(scriptFor('p2sh', other)) }));
      expectReject(await verifyDeposit(wrong.event, c.chain, policy()), 'DEPOSIT_WRONG_SCRIPT');
      const p = await place(c, depositTx({ salt: 1 }));
      const mismatch = { ...p.event, btcTxidHex: depositTx({ salt: 2 }).txid };
      expectReject(await verifyDeposit(mismatch, c.chain, policy()), 'DEPOSIT_TXID_MISMATCH');
      const unknownWrong = await place(c, depositTx({ outputs: defaultOutputs().slice(0, 1) }), { connect: false });
      expectReject(await verifyDeposit(unknownWrong.event, c.chain, policy()), 'DEPOSIT_TOO_FEW_OUTPUTS', 'block unknown');
    });
  });

  it('a valid proof of another tx or another block: MERKLE_TX_NOT_IN_PROOF', async () => {
    await withDepositChain(1, async (c) => {
      const p = await place(c, depositTx());
      const q = await place(c, depositTx({ salt: 9 }));
      expectReject(await verifyDeposit(withProof(p.event, q.event.proof.proof), c.chain, policy()), 'MERKLE_TX_NOT_IN_PROOF', 'other block');
      const sibling = proofBytes(p.block, [p.index + 1]);
      expectReject(await verifyDeposit(withProof(p.event, sibling), c.chain, policy()), 'MERKLE_TX_NOT_IN_PROOF', 'other tx');
    });
  });

  it("the deposit block's tree under another stored header: MERKLE_ROOT_MISMATCH", async () => {
    await withDepositChain(1, async (c) => {
      const p = await place(c, depositTx());
      const q = await place(c, depositTx({ salt: 1 }));
      const proof = parseMerkleProof(p.event.proof.proof);
      const swapped = serializeMerkleProof({ ...proof, header: q.block.header.raw });
      expectReject(await verifyDeposit(withProof(p.event, swapped), c.chain, policy()), 'MERKLE_ROOT_MISMATCH');
    });
  });

  it('duplicated last tx (CVE-2012-2459): MERKLE_DUPLICATE_CHILDREN', async () => {
    await withDepositChain(1, async (c) => {
      const dep = depositTx();
      // Block [coinbase, filler, deposit]: its root equals that of [coinbase, filler, deposit, deposit].
      const block = mineBlock(c.builder, [coinbaseTx(2), fillerTx(1), dep.raw]);
      await c.connect(block.header);
      const honest = btcProof(dep.raw, proofBytes(block, [2]), 2, 1n);
      expectOk(await verifyDeposit({ btcTxidHex: dep.txid, proof: honest }, c.chain, policy()));
      const dup = buildMerkleProof([...block.txids, block.txids[2]!], [3], block.header.raw);
      const event = { btcTxidHex: dep.txid, proof: { ...honest, proof: serializeMerkleProof(dup) } };
      expectReject(await verifyDeposit(event, c.chain, policy()), 'MERKLE_DUPLICATE_CHILDREN');
    });
  });

  it('mutated proofs of a stored block: each a reject with its MERKLE_* code', async () => {
    await withDepositChain(1, async (c) => {
      const p = await place(c, depositTx());
      expectOk(await verifyDeposit(p.event, c.chain, policy()));
      const raw = p.event.proof.proof;
      const proof = parseMerkleProof(raw);
      const mutate = (change: Partial<MerkleProof>): Uint8Array => serializeMerkleProof({ ...proof, ...change });

      // In a single-match proof the set flag bits are the path root → leaf; the last one is the matched leaf's.
      let leafBit = -1;
      for (let i = 0; i < proof.flags.length * 8; i++) if ((proof.flags[i >> 3]! >> (i & 7)) & 1) leafBit = i;
      const unmatched = new Uint8Array(proof.flags);
      unmatched[leafBit >> 3]! ^= 1 << (leafBit & 7);
      const paddingSet = new Uint8Array(proof.flags);
      paddingSet[paddingSet.length - 1]! |= 0x80;

      const cases: Array<[string, Uint8Array, ErrorCode]> = [
        ['leaf flag bit flipped: the tx is no longer matched', mutate({ flags: unmatched }), 'MERKLE_NO_MATCH'],
        ['padding flag bit set', mutate({ flags: paddingSet }), 'MERKLE_FLAGS_NOT_CONSUMED'],
        ['extra flag byte', mutate({ flags: concatBytes(proof.flags, Uint8Array.of(0)) }), 'MERKLE_FLAGS_NOT_CONSUMED'],
        ['extra hash', mutate({ hashes: [...proof.hashes, fakeTxid(1)] }), 'MERKLE_HASHES_NOT_CONSUMED'],
        ['hash dropped', mutate({ hashes: proof.hashes.slice(0, -1) }), 'MERKLE_BAD_TREE'],
        ['hash changed', mutate({ hashes: [fakeTxid(2), ...proof.hashes.slice(1)] }), 'MERKLE_ROOT_MISMATCH'],
        ['truncated', raw.subarray(0, raw.length - 1), 'MERKLE_TRUNCATED'],
        ['trailing byte', concatBytes(raw, Uint8Array.of(0)), 'MERKLE_TRAILING_BYTES'],
        ['tx count 0', mutate({ totalTransactions: 0 }), 'MERKLE_TX_COUNT_ZERO'],
        ['tx count above the bound', mutate({ totalTransactions: MAX_PROOF_TRANSACTIONS + 1 }), 'MERKLE_TX_COUNT_TOO_LARGE'],
        ['more hashes than txs', mutate({ totalTransactions: 1 }), 'MERKLE_TOO_MANY_HASHES'],
        ['no flag bits', mutate({ flags: new Uint8Array(0) }), 'MERKLE_TOO_FEW_FLAG_BITS'],
        ['header cut to 79 bytes', raw.subarray(1), 'MERKLE_TRUNCATED'],
      ];
      for (const [name, mutated, code] of cases) {
        expectReject(await verifyDeposit(withProof(p.event, mutated), c.chain, policy()), code, name);
      }
    });
  });

  it('a 64-byte tx (CVE-2017-12842) can never be a deposit; the chain refuses its proof (MERKLE_TX_64_BYTES)', async () => {
    await withDepositChain(1, async (c) => {
      // Two outputs need at least 51 + 2 × 9 = 69 bytes: a deposit is never 64 bytes, so checkDepositTx refuses first.
      const raw = tx64();
      const block = mineBlock(c.builder, [coinbaseTx(2), raw, fillerTx(1)]);
      await c.connect(block.header);
      const proof = proofBytes(block, [1]);
      const event = { btcTxidHex: toHex(txidOf(raw).reverse()), proof: btcProof(raw, proof, 2, 1n) };
      expectReject(await verifyDeposit(event, c.chain, policy()), 'DEPOSIT_TOO_FEW_OUTPUTS');
      await assert.rejects(c.chain.verifyProof(raw, proof), hasCode('MERKLE_TX_64_BYTES'));
      // Were the chain to report it for a deposit-shaped tx, it is a rejection too.
      const p = await place(c, depositTx());
      const chain64 = { verifyProof: () => c.chain.verifyProof(raw, proof) };
      expectReject(await verifyDeposit(p.event, chain64, policy()), 'MERKLE_TX_64_BYTES');
    });
  });
});

describe('verifyDeposit: faults on our side are rethrown, never a rejection', () => {
  const throwing = (err: unknown): Pick<ChainApi, 'verifyProof'> => ({
    verifyProof: async () => {
      throw err;
    },
  });
  const event: Event = { btcTxidHex: depositTx().txid, proof: btcProof(depositTx().raw, new Uint8Array(0), 0, 1n) };

  it('transient worker codes (WORKER_UNAVAILABLE, WORKER_CRASHED, SHUTTING_DOWN, STORE_CLOSED) are rethrown', async () => {
    for (const code of ['WORKER_UNAVAILABLE', 'WORKER_CRASHED', 'SHUTTING_DOWN', 'STORE_CLOSED'] as const) {
      await assert.rejects(verifyDeposit(event, throwing(new SpvError(code, 'x')), policy()), hasCode(code));
    }
  });

  it('local faults (STORE_CORRUPT, INVARIANT) and non-SpvErrors are rethrown', async () => {
    await assert.rejects(verifyDeposit(event, throwing(new SpvError('STORE_CORRUPT', 'x')), policy()), hasCode('STORE_CORRUPT'));
    await assert.rejects(verifyDeposit(event, throwing(new InvariantError('x')), policy()), hasCode('INVARIANT'));
    await assert.rejects(verifyDeposit(event, throwing(new TypeError('boom')), policy()), TypeError);
  });

  it('a closed real chain service: STORE_CLOSED is rethrown', async () => {
    let closed: DepositChain['chain'] | null = null;
    let placedEvent: Event | null = null;
    await withDepositChain(1, async (c) => {
      placedEvent = (await place(c, depositTx())).event;
      closed = c.chain;
    });
    assert.ok(closed !== null && placedEvent !== null);
    await assert.rejects(verifyDeposit(placedEvent, closed, policy()), hasCode('STORE_CLOSED'));
  });

  it('an unusable policy throws CONFIG_INVALID before the chain is asked', async () => {
    const bad: DepositPolicy = policy({ redeemScript: Uint8Array.of(0x51) });
    await assert.rejects(verifyDeposit(event, throwing(new Error('not called')), bad), hasCode('CONFIG_INVALID'));
  });
});
