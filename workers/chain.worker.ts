// Chain worker: the single writer of the header database. Builds one ChainService and exposes it.
import { workerData } from 'node:worker_threads';
import { paramsFor } from '../src/chain/params.js';
import { createLogger } from '../src/log/logger.js';
import type { ChainWorkerData } from '../src/protocol/chain.js';
import { installErrorTransfer } from '../src/protocol/errorTransfer.js';
import { pinLevelAddon } from '../src/store/levelAddon.js';
import { ChainService } from '../src/store/chainService.js';
import { inThreadPowVerifier } from '../src/store/powVerifier.js';
import { eventPoster, serveWorker } from '../src/supervisor/exposeApi.js';
import { createPowPool } from '../src/supervisor/powPool.js';

installErrorTransfer();
// LevelDB's thread outlives this worker: its code must stay mapped when the worker ends (see the file).
pinLevelAddon();
const data = workerData as ChainWorkerData;
const log = createLogger({ level: data.logLevel, name: 'chain', fd: data.logFd });
const service = new ChainService({
  params: paramsFor(data.network),
  storePath: data.storePath,
  start: data.start,
  pow: data.powThreads > 0 ? createPowPool(data.powThreads) : inThreadPowVerifier(),
  log,
  ...(data.events !== undefined ? { emit: eventPoster(data.events) } : {}),
});
serveWorker(service, 'chain', log);
