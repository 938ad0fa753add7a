// Net worker: sockets, peers, address manager, header sync, broadcast. Builds one NetService and exposes it.
import { workerData } from 'node:worker_threads';
import { paramsFor } from '../src/chain/params.js';
import { createLogger } from '../src/log/logger.js';
import { NetService } from '../src/net/netService.js';
import type { ChainApi } from '../src/protocol/chain.js';
import { installErrorTransfer } from '../src/protocol/errorTransfer.js';
import type { NetWorkerData } from '../src/protocol/net.js';
import { eventPoster, serveWorker, wrapPort } from '../src/supervisor/exposeApi.js';
import { transferBytes } from '../src/supervisor/transfer.js';

installErrorTransfer();
const data = workerData as NetWorkerData;
const log = createLogger({ level: data.logLevel, name: 'net', fd: data.logFd });
const service = new NetService({
  params: paramsFor(data.network),
  config: data.config,
  dataDir: data.dataDir,
  log,
  chainFromPort: (port) => wrapPort<ChainApi>(port),
  transfer: transferBytes,
  ...(data.events !== undefined ? { emit: eventPoster(data.events) } : {}),
});
serveWorker(service, 'net', log);
