import { createRestServer, loadRestToken } from '../../api/index.js';
import type { RestServer } from '../../api/index.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import type { Command } from '../args.js';
import { cliContext, supervisorOptions } from '../context.js';

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
  const sup = await Supervisor.start({ ...supervisorOptions(ctx), net: true });
  let rest: RestServer | null = null;
  if (ctx.config.rest.enabled) {
    try {
      rest = await createRestServer({
        chain: sup.chain,
        net: sup.net,
        config: ctx.config.rest,
        network: ctx.config.network,
        log: ctx.log,
        token: await loadRestToken(ctx.config.rest.tokenFile),
      });
      await rest.listen();
    } catch (err) {
      await rest?.close();
      await sup.shutdown();
      throw err;
    }
  }
  let fatal = false;
  sup.chainHost.on('fatal', () => {
    fatal = true;
    onStop();
  });
  await stopRequested;
  await rest?.close();
  await sup.shutdown();
  return fatal ? 1 : 0;
}
