import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSpvError } from '../errors/spvError.js';
import { packageRoot } from '../supervisor/workerPath.js';
import { parseCommandLine } from './args.js';
import { HELP } from './help.js';
import { formatImport, runImport } from './commands/importCommand.js';
import { formatStatus, runStatus } from './commands/statusCommand.js';

/** Exit code 2: the command line or configuration is wrong; nothing was written. */
const USAGE_CODES = new Set(['CLI_BAD_ARGS', 'CONFIG_NOT_FOUND', 'CONFIG_PARSE', 'CONFIG_INVALID']);

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs one command line; returns the process exit code. Never throws. */
export async function runCli(argv: string[]): Promise<number> {
  let json = false;
  try {
    const cmd = parseCommandLine(argv);
    switch (cmd.kind) {
      case 'help':
        process.stdout.write(`${HELP[cmd.topic]}\n`);
        return 0;
      case 'version':
        process.stdout.write(`spvclient ${version()}\n`);
        return 0;
      case 'daemon': {
        // Loaded only for the daemon: the REST stack (fastify, swagger, prom-client, bitcoinjs-lib) costs the
        // main thread ~18 MB that `import` and `status` never use (scripts/bench-import.ts peak RSS).
        const { runDaemon } = await import('./commands/daemonCommand.js');
        return await runDaemon(cmd);
      }
      case 'import': {
        json = cmd.json;
        const { report, exitCode } = await runImport(cmd);
        process.stdout.write(cmd.json ? `${JSON.stringify(report)}\n` : `${formatImport(report)}\n`);
        return exitCode;
      }
      case 'status': {
        json = cmd.json;
        const { report, exitCode } = await runStatus(cmd);
        process.stdout.write(cmd.json ? `${JSON.stringify(report)}\n` : `${formatStatus(report)}\n`);
        return exitCode;
      }
    }
  } catch (err) {
    const code = isSpvError(err) ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (json) {
      const details = isSpvError(err) ? err.details : {};
      const safe = JSON.stringify(details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      process.stdout.write(`${JSON.stringify({ error: { code, message, details: JSON.parse(safe) as unknown } })}\n`);
    }
    process.stderr.write(`spvclient: ${message} [${code}]\n`);
    if (!isSpvError(err) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return USAGE_CODES.has(code) ? 2 : 1;
  }
}
