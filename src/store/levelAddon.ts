import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** dlopen's RTLD_NODELETE (not in os.constants.dlopen): glibc's value, and macOS's. */
const RTLD_NODELETE: Partial<Record<NodeJS.Platform, number>> = { linux: 0x1000, darwin: 0x80 };
const RTLD_NOW = 2;

let pinned: string | null = null;

/**
 * Keeps LevelDB's native code (classic-level's addon) mapped until the process exits.
 *
 * Node unloads (dlclose) the addons a worker loaded when that worker ends, but LevelDB's background
 * compaction thread belongs to the process, not to the worker or the database: closing a database waits
 * for its compaction, yet the thread still runs a few instructions of the addon after signalling that it is
 * done. If the worker ends and the library is unmapped in that window, the thread jumps into unmapped memory
 * and the whole process dies with SIGSEGV. Seen as an import that had finished and closed its store dying
 * with signal SIGSEGV on a loaded machine (the core showed the LevelDB thread's program counter in the
 * unmapped range where classic-level.node had been). Loading the same file once more with RTLD_NODELETE
 * marks it never to be unloaded; the addon's module init has no process-wide state, so a second init is
 * harmless. Call before the worker opens a database. Returns the pinned file (null where the platform has no
 * such flag). Idempotent.
 */
export function pinLevelAddon(): string | null {
  if (pinned !== null) return pinned;
  const flag = RTLD_NODELETE[process.platform];
  if (flag === undefined) return null;
  const here = createRequire(import.meta.url);
  // Resolved as `level` resolves it, whatever the node_modules layout.
  const classicDir = dirname(createRequire(here.resolve('level')).resolve('classic-level/package.json'));
  const gypBuild = createRequire(join(classicDir, 'package.json'))('node-gyp-build') as { path(dir: string): string };
  const file = gypBuild.path(classicDir);
  process.dlopen({ exports: {} }, file, RTLD_NOW | flag);
  pinned = file;
  return file;
}
