// Bundles the daemon entry and one file per worker into dist/ with esbuild.
// Type-checking is tsc's job (`npm run typecheck`); esbuild only strips types.
// Dependencies stay external (node_modules), so native addons and piscina's own
// worker files load from their packages as usual.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const workers = readdirSync('workers')
  .filter((f) => f.endsWith('.worker.ts'))
  .map((f) => ({ in: `workers/${f}`, out: `workers/${f.replace(/\.ts$/, '')}` }));

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: [{ in: 'src/main.ts', out: 'main' }, { in: 'src/index.ts', out: 'index' }, ...workers],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: '' },
  logLevel: 'warning',
});
