import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** The original's levels by number: 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 fatal, 6 silent. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export function levelName(level: number): LogLevelName {
  return LOG_LEVELS[level] ?? 'info';
}

export interface LoggerOptions {
  readonly level: LogLevelName;
  /** The thread or component: 'main', 'chain', 'pow', ... */
  readonly name: string;
  /** 1 = stdout (daemon), 2 = stderr (subcommands whose stdout is their result). */
  readonly fd?: number;
}

/**
 * One structured JSON logger per thread. Writes are synchronous line writes to the fd, so lines from
 * several threads never interleave and nothing is lost when a process is killed.
 */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { thread: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: opts.fd ?? 1, sync: true }),
  );
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
