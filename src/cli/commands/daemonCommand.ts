import { Supervisor } from '../../supervisor/supervisor.js';
import type { Command } from '../args.js';
import { cliContext } from '../context.js';

type DaemonCommand = Extract<Command, { kind: 'daemon' }>;

/** Runs until SIGINT/SIGTERM, then shuts the workers down in order. A second signal exits at once. */
export async function runDaemon(cmd: DaemonCommand): Promise<number> {
  const ctx = cliContext(cmd.global, 1);
  ctx.log.info({ network: ctx.config.network, dataDir: ctx.config.dataDir, powThreads: ctx.powThreads }, 'spvclient starting');
  const sup = await Supervisor.start({
    config: ctx.config,
    powThreads: ctx.powThreads,
    logLevel: ctx.logLevel,
    logFd: ctx.logFd,
    log: ctx.log,
    net: true,
  });
  let fatal = false;
  sup.chainHost.on('fatal', () => {
    fatal = true;
    process.kill(process.pid, 'SIGTERM');
  });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        ctx.log.warn({ signal }, 'second signal, exiting now');
        process.exit(1);
      }
      ctx.log.info({ signal }, 'signal received');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await sup.shutdown();
  return fatal ? 1 : 0;
}
