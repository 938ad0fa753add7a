// spvclient as a library: start a client, wait until it is synced, read the tip, broadcast a transaction,
// close. Run it against a bcoin regtest node (see the README):
//   SPV_PEER=127.0.0.1:19444 SPV_TX=<raw tx hex> node examples/library.mjs
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpvClient, SpvError } from 'spvclient';

const client = await SpvClient.create({
  network: 'regtest',
  dataDir: process.env.SPV_DATADIR ?? mkdtempSync(join(tmpdir(), 'spv-example-')),
  peers: { connect: [process.env.SPV_PEER ?? '127.0.0.1:19444'] },
});
client.on('tip', (tip) => console.log(`tip ${tip.height} ${tip.hash}`));
client.on('peer', (p) => console.log(`peer ${p.kind} ${p.address} ${p.userAgent}`));

const synced = new Promise((resolve) => client.once('synced', resolve));
await client.start();
await synced;

const tip = await client.chainTip();
console.log(`synced at ${tip.height} ${tip.hash} (${client.currencyCode()})`);

if (process.env.SPV_TX) {
  try {
    const { txid, peers } = await client.broadcast(Buffer.from(process.env.SPV_TX, 'hex'));
    console.log(`broadcast ${txid} to ${peers} peer(s)`);
  } catch (err) {
    if (!(err instanceof SpvError)) throw err;
    console.log(`broadcast failed: ${err.code}`);
  }
}

await client.close(); // ordered shutdown; nothing is left open, so the process exits by itself
