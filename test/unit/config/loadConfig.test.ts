import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, parseConfig } from '../../../src/config/loadConfig.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { tempDir } from '../../helpers/tmp.js';

function invalid(raw: unknown): SpvError {
  try {
    parseConfig(raw, '/base');
  } catch (err) {
    assert.ok(err instanceof SpvError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('conf.json schema', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('fills every default and freezes the result', () => {
    const c = parseConfig({}, '/base');
    assert.equal(c.network, 'mainnet');
    assert.equal(c.dataDir, '/base/data');
    assert.equal(c.logLevel, 2);
    assert.equal(c.chain.start, 'builtin');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.chain));
    assert.throws(() => {
      (c as { network: string }).network = 'regtest';
    }, TypeError);
  });

  it('resolves dataDir against the config file folder, keeps absolute paths', () => {
    assert.equal(parseConfig({ dataDir: 'x/y' }, '/etc/spv').dataDir, '/etc/spv/x/y');
    assert.equal(parseConfig({ dataDir: '/var/spv' }, '/etc/spv').dataDir, '/var/spv');
  });

  it('accepts an explicit anchor and rejects malformed ones naming the key', () => {
    const ok = parseConfig({ chain: { start: { height: 4032, header: 'ab'.repeat(80), chainwork: '0100' } } }, '/');
    assert.deepEqual(ok.chain.start, { height: 4032, header: 'ab'.repeat(80), chainwork: '0100' });
    const e = invalid({ chain: { start: { height: 4032, header: 'zz', chainwork: '01' } } });
    assert.ok((e.details.keys as string[]).includes('chain.start.header') || /chain\.start/.test(e.message));
  });

  it('names every problem: unknown keys at any depth, wrong types, out of range', () => {
    const e = invalid({ network: 'x', logLevel: 7, bogus: 1, chain: { nope: 2 } });
    const problems = e.details.problems as string[];
    assert.ok(problems.some((p) => p.includes('"network"')));
    assert.ok(problems.some((p) => p.includes('"logLevel"')));
    assert.ok(problems.includes('unknown key "bogus"'));
    assert.ok(problems.includes('unknown key "chain.nope"'));
  });

  it('rejects a non-object document', () => {
    invalid([]);
    invalid('mainnet');
    invalid(null);
  });

  it('loadConfig: defaults when the default file is absent; CONFIG_NOT_FOUND when an explicit one is', () => {
    assert.equal(loadConfig(join(dir.path, 'absent.json'), false).path, null);
    assert.throws(() => loadConfig(join(dir.path, 'absent.json'), true), (e: unknown) => e instanceof SpvError && e.code === 'CONFIG_NOT_FOUND');
  });

  it('loadConfig: CONFIG_PARSE for broken JSON, CONFIG_INVALID for bad values', () => {
    const broken = join(dir.path, 'broken.json');
    writeFileSync(broken, '{"network":');
    assert.throws(() => loadConfig(broken, true), (e: unknown) => e instanceof SpvError && e.code === 'CONFIG_PARSE');
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, '{"network":"litecoin"}');
    assert.throws(() => loadConfig(bad, true), (e: unknown) => e instanceof SpvError && e.code === 'CONFIG_INVALID');
  });

  it('the committed conf.json is valid', () => {
    const c = loadConfig(join(process.cwd(), 'conf.json'), true).config;
    assert.equal(c.network, 'mainnet');
  });
});
