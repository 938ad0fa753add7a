// Alliance worker: observer, deposit voter, withdrawal signer, its own store. Builds one AllianceService and exposes it.
import { workerData } from 'node:worker_threads';
import { AllianceService } from '../src/alliance/allianceService.js';
import { createLogger } from '../src/log/logger.js';
import type { AllianceWorkerData } from '../src/protocol/alliance.js';
import type { ChainApi } from '../src/protocol/chain.js';
import { installErrorTransfer } from '../src/protocol/errorTransfer.js';
import { pinLevelAddon } from '../src/store/levelAddon.js';
import { eventPoster, serveWorker, wrapPort } from '../src/supervisor/exposeApi.js';

installErrorTransfer();
// LevelDB's thread outlives this worker: its code must stay mapped when the worker ends (see the file).
pinLevelAddon();
const data = workerData as AllianceWorkerData;
const log = createLogger({ level: data.logLevel, name: 'alliance', fd: data.logFd });
const service = new AllianceService({
  network: data.network,
  storePath: data.storePath,
  config: data.config,
  walletPassword: data.walletPassword,
  log,
  chainFromPort: (port) => wrapPort<ChainApi>(port),
  ...(data.events !== undefined ? { emit: eventPoster(data.events) } : {}),
});
serveWorker(service, 'alliance', log);
