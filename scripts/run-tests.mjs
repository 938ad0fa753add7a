// Runs every test/**/*.test.ts (or those under the folders given) with node's
// test runner and tsx. Node 20's --test does not expand globs itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// test/crash (npm run test:crash) is long-running and has its own CI step; `npm test` leaves it out.
const SEPARATE = new Set([join('test', 'crash')]);

function collect(dir, out, top) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!(top && SEPARATE.has(p))) collect(p, out, top);
    }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = roots.length
  ? roots.flatMap((r) => (r.endsWith('.ts') ? [r] : collect(r, [], false)))
  : collect('test', [], true);
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
