import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CCM_ADDRESS_ERA_A, PolyRpcClient, decodeBlockEvents } from '../../../src/alliance/rpc/index.js';
import { decodeBtcProof } from '../../../src/alliance/poly/index.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import type { Kit, ExecuteNotify } from './devnetKit.js';
import { call, depositTx, lockScriptOf, merkleblockFor, relayDeposit, rpc, send, startKit, voteTxHex } from './devnetKit.js';

/** A raw HTTP exchange (any method / body), resolving with status and body, or the transport error. */
function raw(url: string, method: string, body: string | Buffer): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}

function body(method: string, params: unknown, id: unknown = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params, id });
}

describe('devnet JSON-RPC surface', () => {
  let kit: Kit;
  before(async () => {
    kit = await startKit();
  });
  after(() => kit.devnet.close());

  it('genesis: getblockcount = height + 1 = 1, no events at 0 or beyond the tip', async () => {
    const r = await rpc(kit.url, 'getblockcount', [], 'abc');
    assert.deepEqual(r, { jsonrpc: '2.0', error: 0, desc: 'SUCCESS', result: 1, id: 'abc' });
    assert.equal(await call(kit.url, 'getsmartcodeevent', [0]), null);
    assert.equal(await call(kit.url, 'getsmartcodeevent', [5]), null);
    assert.equal(kit.devnet.state().height, 0);
  });

  it('one block per deposit / tx, events by height and by tx hash; readable by PolyRpcClient + decodeBlockEvents', async () => {
    const h0 = await call<number>(kit.url, 'getblockcount', []);
    const tx = depositTx(lockScriptOf(kit.redeem, 'p2wsh'), 12_345, 'events');
    const mb = merkleblockFor(tx, 'events');
    const r = await call<{ txid: string; polyTxHash: string; height: number }>(kit.url, 'devnet_submitDeposit', [tx.toHex(), toHex(mb), 4242]);
    assert.equal(r.txid, tx.getId());
    assert.equal(r.height, h0);
    assert.equal(await call(kit.url, 'getblockcount', []), h0 + 1);

    const block = await call<ExecuteNotify[]>(kit.url, 'getsmartcodeevent', [r.height]);
    assert.equal(block.length, 1);
    const ev = block[0]!;
    assert.deepEqual(Object.keys(ev), ['TxHash', 'State', 'GasConsumed', 'Notify']);
    assert.equal(ev.TxHash, r.polyTxHash);
    assert.equal(ev.State, 1);
    assert.equal(ev.GasConsumed, 0);
    assert.match(ev.TxHash, /^[0-9a-f]{64}$/);
    const states = ev.Notify[0]!.States as string[];
    assert.equal(states[0], 'notifyBtcProof');
    assert.equal(states[1], tx.getId());
    const proof = decodeBtcProof(fromHex(states[2]!), 'E1');
    assert.equal(toHex(proof.tx), tx.toHex());
    assert.equal(toHex(proof.proof), toHex(mb));
    assert.equal(proof.height, 4242);
    assert.equal(proof.blocksToWait, 6n);
    assert.deepEqual(await call(kit.url, 'getsmartcodeevent', [r.polyTxHash]), ev);
    assert.deepEqual(await call(kit.url, 'getsmartcodeevent', [r.polyTxHash.toUpperCase()]), ev);
    assert.equal(await call(kit.url, 'getsmartcodeevent', ['00'.repeat(32)]), null);
    assert.equal(await call(kit.url, 'getblockheightbytxhash', [r.polyTxHash]), r.height);

    const vote = await send(kit.url, voteTxHex(kit.voters[0]!, r.txid));
    assert.equal(await call(kit.url, 'getblockcount', []), h0 + 2);
    assert.deepEqual(await call(kit.url, 'getsmartcodeevent', [h0 + 1]), [vote]);

    const client = new PolyRpcClient({ url: kit.url, retries: 0 });
    assert.equal(await client.blockHeight(), h0 + 1);
    const decoded = decodeBlockEvents(await client.eventsAtHeight(r.height), { ccmAddressHex: CCM_ADDRESS_ERA_A });
    assert.equal(decoded.deposits.length, 1);
    assert.equal(decoded.deposits[0]!.btcTxidHex, tx.getId());
    assert.equal(decoded.deposits[0]!.polyTxHash, r.polyTxHash);
    assert.deepEqual(decoded.skipped, []);
  });

  it('bad getsmartcodeevent params -> 42002', async () => {
    for (const params of [[], [-1], [1.5], ['xyz'], ['00'.repeat(31)], [{}], [null]]) {
      const r = await rpc(kit.url, 'getsmartcodeevent', params);
      assert.equal(r.error, 42002, JSON.stringify(params));
      assert.equal(r.desc, 'INVALID PARAMS');
    }
  });

  it('devnet_submitDeposit refuses duplicates, txs not in the proof and bad params', async () => {
    const txid = await relayDeposit(kit, 'p2sh', 9_000, 'dup-deposit');
    const tx = depositTx(lockScriptOf(kit.redeem, 'p2sh'), 9_000, 'dup-deposit');
    assert.equal(tx.getId(), txid);
    const dup = await rpc(kit.url, 'devnet_submitDeposit', [tx.toHex(), toHex(merkleblockFor(tx, 'dup-deposit')), 100]);
    assert.equal(dup.error, 47001);
    assert.equal((dup.result as { reason: string }).reason, 'DEPOSIT_DUPLICATE');

    const other = depositTx(lockScriptOf(kit.redeem, 'p2sh'), 9_001, 'not-in-proof');
    const miss = await rpc(kit.url, 'devnet_submitDeposit', [other.toHex(), toHex(merkleblockFor(tx, 'dup-deposit')), 100]);
    assert.equal((miss.result as { reason: string }).reason, 'MERKLE_TX_NOT_IN_PROOF');
    const broken = await rpc(kit.url, 'devnet_submitDeposit', [other.toHex(), '00'.repeat(81), 100]);
    assert.equal(broken.error, 47001);
    for (const params of [[], [other.toHex()], [other.toHex(), 'zz', 1], [other.toHex(), '00', -1], ['', '00', 1]]) {
      assert.equal((await rpc(kit.url, 'devnet_submitDeposit', params)).error, 42002, JSON.stringify(params));
    }
  });

  it('unknown method: the 42001 shape without jsonrpc/desc, id echoed', async () => {
    const r = await rpc(kit.url, 'getnothing', [], '7');
    assert.deepEqual(r, {
      error: 42001,
      result: { code: -32601, message: 'Method not found', data: 'The called method was not found on the server' },
      id: '7',
    });
  });

  it('HTTP quirks: any path, empty 200 for non-POST / bad JSON / no method / too large, dropped connection for non-array params', async () => {
    const ok = await raw(`${kit.url}/any/path`, 'POST', body('getblockcount', []));
    assert.ok('status' in ok && ok.status === 200);
    assert.equal((JSON.parse(ok.body) as { error: number }).error, 0);
    const missingId = await raw(kit.url, 'POST', JSON.stringify({ method: 'getblockcount', params: [] }));
    assert.ok('body' in missingId);
    assert.equal((JSON.parse(missingId.body) as { id: unknown }).id, null);
    for (const [method, b] of [
      ['GET', ''],
      ['POST', '{not json'],
      ['POST', '[1,2]'],
      ['POST', JSON.stringify({ params: [] })],
      ['POST', Buffer.alloc(1024 * 1024 + 10, 0x20)],
    ] as const) {
      const r = await raw(kit.url, method, b);
      assert.ok('status' in r, `${method} ${String(b).slice(0, 20)}: ${JSON.stringify(r)}`);
      assert.deepEqual([r.status, r.body], [200, '']);
    }
    const options = await raw(kit.url, 'OPTIONS', '');
    assert.ok('status' in options && options.status === 200);
    const noParams = await raw(kit.url, 'POST', JSON.stringify({ method: 'getblockcount', id: 1 }));
    assert.ok('error' in noParams, 'connection dropped');
    const objParams = await raw(kit.url, 'POST', body('getblockcount', {}));
    assert.ok('error' in objParams);
  });

  it('devnet_injectNotify: an arbitrary event in a new block (other contract, garbage, failed tx)', async () => {
    const h = await call<number>(kit.url, 'getblockcount', []);
    const a = await call<{ polyTxHash: string; height: number }>(kit.url, 'devnet_injectNotify', [
      { contractAddress: '0700000000000000000000000000000000000000', states: ['makeBtcTx', 'aa', 'bb'] },
    ]);
    const b = await call<{ polyTxHash: string; height: number }>(kit.url, 'devnet_injectNotify', [
      { contractAddress: CCM_ADDRESS_ERA_A, states: { not: 'an array' } },
    ]);
    const c = await call<{ polyTxHash: string; height: number }>(kit.url, 'devnet_injectNotify', [
      { contractAddress: CCM_ADDRESS_ERA_A, states: ['makeBtcTx', 'aa', 'bb'], state: 0 },
    ]);
    assert.deepEqual([a.height, b.height, c.height], [h, h + 1, h + 2]);
    assert.deepEqual(await call(kit.url, 'getsmartcodeevent', [c.height]), [
      { TxHash: c.polyTxHash, State: 0, GasConsumed: 0, Notify: [{ ContractAddress: CCM_ADDRESS_ERA_A, States: ['makeBtcTx', 'aa', 'bb'] }] },
    ]);
    const seen = [a, b, c].map(async (x) => decodeBlockEvents(await call(kit.url, 'getsmartcodeevent', [x.height]), { ccmAddressHex: CCM_ADDRESS_ERA_A }));
    const [da, db, dc] = await Promise.all(seen);
    assert.deepEqual([da!.withdrawals.length, da!.skipped.length], [0, 0]);
    assert.deepEqual([db!.withdrawals.length, db!.skipped.length], [0, 1]);
    assert.deepEqual([dc!.withdrawals.length, dc!.skipped.length], [0, 0]);
    for (const bad of [[], [{ contractAddress: 'xx', states: [] }], [{ contractAddress: CCM_ADDRESS_ERA_A }], [{ contractAddress: CCM_ADDRESS_ERA_A, states: [], state: 2 }]]) {
      assert.equal((await rpc(kit.url, 'devnet_injectNotify', bad)).error, 42002, JSON.stringify(bad));
    }
  });

  it('devnet_state answers the same snapshot as Devnet.state()', async () => {
    assert.deepEqual(await call(kit.url, 'devnet_state', []), JSON.parse(JSON.stringify(kit.devnet.state())));
  });
});

describe('devnet faults', () => {
  let kit: Kit;
  before(async () => {
    kit = await startKit();
  });
  after(() => kit.devnet.close());

  it('down: the next n non-devnet requests lose their connection; devnet_* requests are never faulted', async () => {
    await call(kit.url, 'devnet_fault', [{ mode: 'down', count: 2 }]);
    assert.ok('error' in (await raw(kit.url, 'POST', body('getblockcount', []))));
    assert.deepEqual(kit.devnet.state().fault, { mode: 'down', remaining: 1, delayMs: 3000, methods: null });
    assert.equal((await rpc(kit.url, 'devnet_state', [])).error, 0, 'devnet_* exempt');
    assert.ok('error' in (await raw(kit.url, 'POST', body('getblockcount', []))));
    assert.equal(await call(kit.url, 'getblockcount', []), 1);
    assert.deepEqual(kit.devnet.state().fault, { mode: 'none', remaining: 0, delayMs: 3000, methods: null });
  });

  it('garbage: 200 with a non-JSON body; http500: status 500', async () => {
    await call(kit.url, 'devnet_fault', [{ mode: 'garbage', count: 1 }]);
    const g = await raw(kit.url, 'POST', body('getblockcount', []));
    assert.ok('status' in g && g.status === 200);
    assert.throws(() => JSON.parse(g.body) as unknown);
    await call(kit.url, 'devnet_fault', [{ mode: 'http500', count: 1 }]);
    const e = await raw(kit.url, 'POST', body('getblockcount', []));
    assert.ok('status' in e && e.status === 500);
    assert.equal(await call(kit.url, 'getblockcount', []), 1);
  });

  it('slow: executes at once, replies after the delay (3 s by default)', async () => {
    await call(kit.url, 'devnet_fault', [{ mode: 'slow', count: 1, delayMs: 400 }]);
    const txid = await relayDeposit(kit, 'p2sh', 5_000, 'slow');
    const t0 = Date.now();
    const pending = rpc(kit.url, 'sendrawtransaction', [voteTxHex(kit.voters[0]!, txid)]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(kit.devnet.state().deposits.find((d) => d.txid === txid)!.voteCount, 1, 'executed before the reply');
    const reply = await pending;
    assert.ok(Date.now() - t0 >= 380, 'reply was delayed');
    assert.equal(reply.error, 0);
    const dflt = await call<{ delayMs: number }>(kit.url, 'devnet_fault', [{ mode: 'slow' }]);
    assert.equal(dflt.delayMs, 3000);
    await call(kit.url, 'devnet_fault', [{ mode: 'none' }]);
    assert.equal(kit.devnet.state().fault.mode, 'none');
    assert.equal((await rpc(kit.url, 'devnet_fault', [{ mode: 'explode' }])).error, 42002);
  });

  it('wrongId: a well-formed reply with another id; nullResult: result null; neither executes', async () => {
    await call(kit.url, 'devnet_fault', [{ mode: 'wrongId', count: 1 }]);
    const w = await raw(kit.url, 'POST', body('getblockcount', []));
    assert.ok('status' in w && w.status === 200);
    const wrong = JSON.parse(w.body) as { error: number; id: unknown };
    assert.equal(wrong.error, 0);
    assert.notEqual(wrong.id, 1);
    const txid = await relayDeposit(kit, 'p2sh', 5_500, 'null');
    await call(kit.url, 'devnet_fault', [{ mode: 'nullResult', count: 1 }]);
    const n = await rpc(kit.url, 'sendrawtransaction', [voteTxHex(kit.voters[2]!, txid)]);
    assert.deepEqual([n.error, n.result], [0, null]);
    assert.equal(kit.devnet.state().deposits.find((d) => d.txid === txid)!.voteCount, 0, 'not executed');
    const client = new PolyRpcClient({ url: kit.url, retries: 0, backoffMs: 10, timeoutMs: 2000 });
    await call(kit.url, 'devnet_fault', [{ mode: 'wrongId', count: 1 }]);
    await assert.rejects(client.blockHeight(), { code: 'POLY_RPC_BAD_ID' });
    await call(kit.url, 'devnet_fault', [{ mode: 'nullResult', count: 1 }]);
    await assert.rejects(client.blockHeight(), { code: 'POLY_RPC_BAD_RESULT' });
  });

  it('methods: only the named methods are faulted', async () => {
    await call(kit.url, 'devnet_fault', [{ mode: 'http500', count: 5, methods: ['sendrawtransaction'] }]);
    assert.equal(await call(kit.url, 'getblockcount', []), kit.devnet.state().height + 1);
    const e = await raw(kit.url, 'POST', body('sendrawtransaction', ['00']));
    assert.ok('status' in e && e.status === 500);
    assert.deepEqual(kit.devnet.state().fault, { mode: 'http500', remaining: 4, delayMs: 3000, methods: ['sendrawtransaction'] });
    await call(kit.url, 'devnet_fault', [{ mode: 'none' }]);
    for (const methods of [[], 'getblockcount', [1]]) {
      assert.equal((await rpc(kit.url, 'devnet_fault', [{ mode: 'down', methods }])).error, 42002, JSON.stringify(methods));
    }
  });

  it('refuse: the listener goes away for delayMs (connection refused), then the same port answers again', async () => {
    const k3 = await startKit();
    try {
      await call(k3.url, 'devnet_fault', [{ mode: 'refuse', delayMs: 500 }]);
      await new Promise((r) => setTimeout(r, 150));
      const refused = await raw(k3.url, 'POST', body('getblockcount', []));
      assert.ok('error' in refused, 'connection refused while suspended');
      let answered = false;
      for (let i = 0; i < 40 && !answered; i++) {
        await new Promise((r) => setTimeout(r, 50));
        answered = 'status' in (await raw(k3.url, 'POST', body('getblockcount', [])));
      }
      assert.ok(answered, 'listening again');
      assert.equal(k3.devnet.state().fault.mode, 'none');
    } finally {
      await k3.devnet.close();
    }
  });

  it('a retrying client gets through transport faults and nothing is lost', async () => {
    const client = new PolyRpcClient({ url: kit.url, retries: 3, backoffMs: 10, timeoutMs: 2000 });
    const txid = await relayDeposit(kit, 'p2sh', 6_000, 'retry');
    await call(kit.url, 'devnet_fault', [{ mode: 'down', count: 2 }]);
    const hash = await client.sendRawTransaction(voteTxHex(kit.voters[1]!, txid));
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(kit.devnet.state().deposits.find((d) => d.txid === txid)!.voteCount, 1);
    await call(kit.url, 'devnet_fault', [{ mode: 'http500', count: 1 }]);
    assert.equal(await client.blockHeight(), kit.devnet.state().height);
  });

  it('close() ends pending slow replies and open connections', async () => {
    const k2 = await startKit();
    await call(k2.url, 'devnet_fault', [{ mode: 'slow', count: 1 }]);
    const pending = raw(k2.url, 'POST', body('getblockcount', []));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await k2.devnet.close();
    const r = await pending;
    assert.ok('error' in r || r.body === '');
    assert.ok(Date.now() - t0 < 1000);
  });
});
