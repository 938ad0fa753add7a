import { setFlagsFromString } from 'node:v8';

/**
 * Keeps the main thread's young generation at its initial size (1 MB semi-spaces) in the CLI process.
 *
 * V8 doubles a semi-space whenever a scavenge finds much of it alive, up to 16 MB on the main thread, and the
 * grown space stays committed: the main isolate of an import held 16 MB of young generation for a thread that
 * only reads a file and waits. `--max-semi-space-size` would cap it, but V8 reads that flag once, when a heap
 * is configured, so a process cannot give it to itself; the growth factor is read each time a semi-space
 * grows, so setting it to 1 here, before the rest of the CLI loads, keeps this isolate's young generation at
 * its initial size. (Worker isolates are capped by their `resourceLimits` instead: in a measurement, a worker
 * started with resourceLimits still grew after the factor was set here.) Measured with scripts/bench-import.ts:
 * ~8 MB less peak RSS for a 1M-header import; the REST benchmark, served from this thread, moved by less than
 * its run-to-run noise (±5%).
 *
 * Only the `spvclient` entry point does this: a library user's process keeps its own V8 settings.
 */
setFlagsFromString('--semi-space-growth-factor=1');
