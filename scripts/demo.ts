// `npm run demo`: the bridge end to end, offline, on loopback. A real bcoin regtest node, the alliance devnet
// (scripts/devnet) and three spvclient validators (2-of-3 multisig, each with its own workers, header store,
// alliance store, Poly wallet and BTC key). A BTC deposit is relayed, verified and voted on; a withdrawal is
// checked, co-signed, assembled, broadcast through spvclient's REST API and mined by bcoin.
// Exits 0 only if bcoin mined the withdrawal.
import { Transaction } from 'bitcoinjs-lib';
import { stopAllBcoinNodes } from '../test/helpers/bcoinNode.js';
import { Bridge, waitFor } from '../test/helpers/bridgeHarness.js';
import { tempDir } from '../test/helpers/tmp.js';

const started = Date.now();
const step = (msg: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`);
const dir = tempDir('spv-demo-');
let bridge: Bridge | null = null;
let code = 1;

try {
  step('starting bcoin (regtest), the alliance devnet and 3 spvclient validators (2-of-3 P2WSH multisig)');
  bridge = await Bridge.start({ dir: dir.path, rest: true, minConfirmations: 2, changeKind: 'p2wsh' });
  const b = bridge;
  for (const v of b.validators) {
    const s = await v.client.allianceStatus();
    step(`  ${v.name}: poly ${s.polyAddress}, btc signer ${s.btcAddress}`);
    v.client.on('deposit', (e) => step(`  ${v.name}: deposit ${e.txid.slice(0, 12)}… → ${e.state}${e.reason ? ` (${e.reason})` : ''}`));
    v.client.on('withdrawal', (e) => step(`  ${v.name}: withdrawal ${e.id.slice(0, 12)}… → ${e.state}${e.reason ? ` (${e.reason})` : ''}`));
  }
  step(`devnet at ${b.devnet.url}, REST of v0 at ${b.restUrl}`);

  const height = await b.activateSegwit();
  await b.waitForTip(height, 60_000);
  step(`bcoin mined ${height} blocks (segwit active); every validator synced its header chain over P2P`);

  const d = await b.deposit('p2wsh', 100_000_000);
  step(`deposit ${d.txid}: 1 BTC to the multisig + OP_RETURN args, mined in ${d.blockHash.slice(0, 16)}…`);
  await b.waitForTip(await b.bcoin.height());
  await b.relayDeposit(d);
  step('relayer submitted tx + gettxoutproof to the devnet: notifyBtcProof emitted');
  await waitFor('waiting', async () => ((await b.depositStates(d.txid)).every((r) => r?.state === 'waiting') ? true : undefined));
  step('validators hold it: 1 confirmation, 2 required; mining one more block');
  await b.bcoin.mine(1);
  await waitFor('votes', async () => ((await b.depositStates(d.txid)).every((r) => r?.state === 'voteConfirmed') ? true : undefined));
  const dev = b.devnetState().deposits.find((x) => x.txid === d.txid)!;
  step(`deposit executed on the alliance chain: ${dev.voteCount} votes, quorum ${b.devnetState().quorum}`);

  const id = await b.requestWithdrawal(40_000_000);
  step(`withdrawal requested (0.4 BTC): makeBtcTx ${id.slice(0, 16)}…`);
  const relayed = await waitFor('assembled', async () => b.devnetState().relayed.find((r) => r.withdrawalId === id), 60_000);
  step(`validators checked the policy and co-signed; the devnet assembled ${relayed.txid}`);
  const res = await fetch(`${b.restUrl}/api/v1/broadcasttx`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tx: relayed.txHex }),
  });
  step(`POST /api/v1/broadcasttx → ${JSON.stringify(await res.json())}`);
  await b.bcoin.waitForMempool(relayed.txid, { timeoutMs: 10_000 });
  const [blockHash] = await b.bcoin.mine(1);
  const block = await b.bcoin.rpc<{ tx: string[] }>('getblock', [blockHash, true]);
  const tx = Transaction.fromHex(relayed.txHex);
  if (block.tx.includes(relayed.txid)) {
    step(`bcoin accepted our signatures and mined the withdrawal (${tx.ins.length} P2WSH input, ${tx.outs.length} outputs) in ${blockHash!.slice(0, 16)}…`);
    code = 0;
  } else {
    step('the withdrawal was NOT mined');
  }
} catch (err) {
  console.error('demo failed:', err);
} finally {
  await bridge?.stop();
  await stopAllBcoinNodes();
  dir.cleanup();
  step(code === 0 ? 'done: deposit voted, withdrawal mined' : 'FAILED');
  process.exit(code);
}
