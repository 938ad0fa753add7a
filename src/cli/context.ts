import type { GlobalOptions } from './args.js';
import { loadConfig, parseConfig } from '../config/loadConfig.js';
import type { Config } from '../config/schema.js';
import { createLogger, levelName } from '../log/logger.js';
import type { LogLevelName, Logger } from '../log/logger.js';
import { SpvClient } from '../client/spvClient.js';

export interface CliContext {
  readonly config: Readonly<Config>;
  readonly configPath: string | null;
  readonly logLevel: LogLevelName;
  readonly logFd: number;
  readonly log: Logger;
  readonly powThreads: number;
}

/** Loads conf.json, applies --network/--datadir/--loglevel, validates once more, builds the logger. */
export function cliContext(g: GlobalOptions, logFd: number): CliContext {
  const loaded = loadConfig(g.configPath, g.configExplicit);
  const merged = {
    ...loaded.config,
    ...(g.network !== null ? { network: g.network } : {}),
    ...(g.dataDir !== null ? { dataDir: g.dataDir } : {}),
    ...(g.connect !== null ? { peers: { ...loaded.config.peers, connect: [...g.connect] } } : {}),
    ...(g.restPort !== null ? { rest: { ...loaded.config.rest, port: g.restPort } } : {}),
  };
  // --datadir is relative to the working directory; conf.json paths were resolved against its folder.
  const config = parseConfig(merged, process.cwd(), loaded.path ?? 'conf.json');
  const logLevel = levelName(g.logLevel ?? config.logLevel);
  return {
    config,
    configPath: loaded.path,
    logLevel,
    logFd,
    log: createLogger({ level: logLevel, name: 'main', fd: logFd }),
    powThreads: g.gomaxprocs,
  };
}

/** The library client for a command: the CLI has no other path into the workers. */
export function clientFor(ctx: CliContext, powThreads = ctx.powThreads): Promise<SpvClient> {
  return SpvClient.create(ctx.config, { gomaxprocs: powThreads, logLevel: ctx.logLevel, logFd: ctx.logFd, logger: ctx.log });
}
