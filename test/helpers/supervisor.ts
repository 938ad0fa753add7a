import { join } from 'node:path';
import type { NetworkName } from '../../src/chain/params.js';
import { parseConfig } from '../../src/config/loadConfig.js';
import { silentLogger } from '../../src/log/logger.js';
import type { StartSpec } from '../../src/protocol/chain.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';

/** A real supervisor with a real chain worker thread (built files in dist/) over a temp data dir. */
export function startSupervisor(opts: {
  dataDir: string;
  network?: NetworkName;
  start?: StartSpec;
  powThreads?: number;
  restartDelaysMs?: readonly number[];
  /** Start the net worker with these conf.json sections (e.g. { peers: { connect: [...] } }). */
  net?: { peers?: Record<string, unknown>; sync?: Record<string, unknown> };
}): Promise<Supervisor> {
  const config = parseConfig(
    {
      network: opts.network ?? 'regtest',
      dataDir: join(opts.dataDir, 'data'),
      ...(opts.net !== undefined ? { peers: opts.net.peers ?? {}, sync: opts.net.sync ?? {} } : {}),
    },
    opts.dataDir,
  );
  return Supervisor.start({
    config,
    powThreads: opts.powThreads ?? 2,
    logLevel: 'silent',
    logFd: 2,
    log: silentLogger(),
    start: opts.start ?? { kind: 'genesis' },
    net: opts.net !== undefined,
    ...(opts.restartDelaysMs !== undefined ? { restartDelaysMs: opts.restartDelaysMs } : {}),
  });
}
