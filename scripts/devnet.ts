// Local era-A alliance-chain devnet (see scripts/devnet/devnet.ts).
//   node --import tsx scripts/devnet.ts --config devnet.json [--port N] [--host H]
// devnet.json = DevnetOptions with the redeem script as hex. Prints {"url": "..."} on stdout once listening;
// closes on SIGINT/SIGTERM. Errors: one JSON line on stderr, exit 1.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDevnet } from './devnet/devnet.js';
import { parseDevnetConfig } from './devnet/devnetConfig.js';
import { isSpvError } from '../src/errors/spvError.js';

function fail(err: unknown): never {
  const out = isSpvError(err)
    ? { error: err.code, message: err.message, details: err.details }
    : { error: 'DEVNET_FAILED', message: err instanceof Error ? err.message : String(err) };
  process.stderr.write(`${JSON.stringify(out)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  if (values.config === undefined) throw new Error('usage: scripts/devnet.ts --config devnet.json [--port N] [--host H]');
  const opts = parseDevnetConfig(JSON.parse(readFileSync(values.config, 'utf8')) as unknown);
  const port = values.port === undefined ? opts.port : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error('--port must be 0..65535');
  const devnet = await startDevnet({ ...opts, ...(port === undefined ? {} : { port }), ...(values.host === undefined ? {} : { host: values.host }) });
  process.stdout.write(`${JSON.stringify({ url: devnet.url })}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    void devnet.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(fail);
