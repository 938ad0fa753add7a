// Bundles the daemon entry and one file per worker into dist/ with esbuild.
// Type-checking is tsc's job (`npm run typecheck`); esbuild only strips types.
// Dependencies stay external (node_modules), so native addons and piscina's own
// worker files load from their packages as usual.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

// The pow pool's task is CommonJS (below): piscina loads it with require(), and require() of an ES module
// can abort Node 20 when the process exits while the module is still loading.
const workers = readdirSync('workers')
  .filter((f) => f.endsWith('.worker.ts') && f !== 'pow.worker.ts')
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

await build({
  entryPoints: ['workers/pow.worker.ts'],
  outfile: 'dist/workers/pow.worker.cjs',
  bundle: true,
  // piscina's move() marks results with a module-private symbol: it must be the very module piscina's worker
  // runtime loaded in this thread, not a bundled copy.
  external: ['piscina'],
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
