import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let root: string | null = null;

/** The package root: the nearest folder above this module whose package.json is spvclient's. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const name = (JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name;
      if (name === 'spvclient') return (root = dir);
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('cannot find the spvclient package root');
}

/**
 * The built worker entry `dist/workers/<name>.worker.js` (the pow pool's task is `pow.worker.cjs`, see
 * scripts/build.mjs). Workers always run the built files, whether the caller is the bundled daemon or a
 * test running the sources, so `npm run build` must have run.
 */
export function workerUrl(name: 'chain' | 'pow' | 'net' | 'alliance'): URL {
  const file = join(
    process.env.SPV_WORKER_DIR ?? join(packageRoot(), 'dist', 'workers'),
    name === 'pow' ? 'pow.worker.cjs' : `${name}.worker.js`,
  );
  return pathToFileURL(file);
}
