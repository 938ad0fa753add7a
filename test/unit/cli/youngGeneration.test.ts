import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const MODULE = fileURLToPath(new URL('../../../src/cli/youngGeneration.ts', import.meta.url));

/**
 * A fresh process (optionally loading src/cli/youngGeneration.ts first) keeps many young objects alive across
 * scavenges, which is what makes V8 grow a semi-space, then prints its new space's size in MB.
 */
function newSpaceMb(withModule: boolean): number {
  const script = `
    ${withModule ? `await import(${JSON.stringify(MODULE)});` : ''}
    const { getHeapSpaceStatistics } = await import('node:v8');
    const keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, a: [i] }); if (keep.length > 300000) keep.length = 0; }
    const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
    console.log(s.space_size / 1048576);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe("the CLI keeps the main thread's young generation small (src/cli/youngGeneration.ts)", () => {
  test('without it V8 grows the new space under survival; with it the new space stays at its initial size', () => {
    const grown = newSpaceMb(false);
    const kept = newSpaceMb(true);
    assert.ok(grown >= 8, `control: V8 grew the new space to ${grown} MB`);
    assert.ok(kept <= 4, `new space ${kept} MB`);
  });
});
