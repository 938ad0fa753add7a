import { createRestServer, loadRestToken } from '../../api/index.js';
import type { RestServer } from '../../api/index.js';

import type { Command } from '../args.js';
import { clientFor, cliContext } from '../context.js';
import { promptPassword } from '../passwordPrompt.js';

type DaemonCommand = Extract<Command, { kind: 'daemon' }>;

/**
 * Runs until SIGINT/SIGTERM, then shuts down in reverse order: REST, the network, the database.
 * The signal handlers are installed before anything starts, so a signal during start-up still leads to an
 * orderly shutdown once start-up is done; a second signal exits at once.
 */
export async function runDaemon(cmd: DaemonCommand): Promise<number> {
  const ctx = cliContext(cmd.global, 1);
  let signals = 0;
  let onStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    onStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      ctx.log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    ctx.log.info({ signal }, 'signal received');
    onStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  ctx.log.info({ network: ctx.config.network, dataDir: ctx.config.dataDir, powThreads: ctx.powThreads }, 'spvclient starting');
  const alliance = ctx.config.alliance;
  const walletPassword =
    alliance.enabled && alliance.walletPasswordFile === null ? await promptPassword('alliance wallet password: ') : undefined;
  const client = await clientFor(ctx);
  await client.start(walletPassword !== undefined ? { walletPassword } : {});
  let rest: RestServer | null = null;
  if (ctx.config.rest.enabled) {
    try {
      rest = await createRestServer({
        client,
        config: ctx.config.rest,
        network: ctx.config.network,
        log: ctx.log,
        token: await loadRestToken(ctx.config.rest.tokenFile),
      });
      await rest.listen();
    } catch (err) {
      await rest?.close();
      await client.close();
      throw err;
    }
  }
  let fatal = false;
  client.once('fatal', () => {
    fatal = true;
    onStop();
  });
  await stopRequested;
  await rest?.close();
  await client.close();
  return fatal ? 1 : 0;
}
