import { setFlagsFromString } from 'node:v8';

/**
 * Keeps every isolate's young generation at its initial size (1 MB semi-spaces) for the CLI process.
 *
 * V8 doubles a semi-space whenever a scavenge finds much of it alive, up to 16 MB on the main thread. Module
 * loading and the first batches do exactly that, and the grown space stays committed: the main isolate of an
 * import held 16 MB of young generation for a thread that only reads a file and waits. `--max-semi-space-size`
 * would cap it, but V8 reads that flag once, when a heap is configured, so a process cannot give it to itself;
 * the growth factor is read each time a semi-space grows, so setting it to 1 here, before anything else
 * loads, has the same effect for this isolate and every worker started later. Measured with
 * scripts/bench-import.ts: about 8 MB less peak RSS for a 1M-header import, and no throughput change on the REST
 * benchmark (README, Performance).
 *
 * Only the `spvclient` entry point does this: a library user's process keeps its own V8 settings.
 */
setFlagsFromString('--semi-space-growth-factor=1');
