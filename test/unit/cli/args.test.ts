import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../../src/cli/args.js';
import { SpvError } from '../../../src/errors/spvError.js';

function bad(argv: string[]): void {
  assert.throws(() => parseCommandLine(argv), (e: unknown) => e instanceof SpvError && e.code === 'CLI_BAD_ARGS', argv.join(' '));
}

describe('command line', () => {
  it('daemon with the original flags', () => {
    const c = parseCommandLine([
      '--gomaxprocs', '2', '--config', 'c.json', '--loglevel', '0', '--network', 'signet', '--datadir', 'd',
      '--connect', '127.0.0.1:18444', '--connect', '[::1]:8333', '--rest-port', '50072',
    ]);
    assert.equal(c.kind, 'daemon');
    if (c.kind !== 'daemon') return;
    assert.deepEqual(c.global, {
      configPath: 'c.json',
      configExplicit: true,
      logLevel: 0,
      gomaxprocs: 2,
      network: 'signet',
      dataDir: 'd',
      connect: ['127.0.0.1:18444', '[::1]:8333'],
      restPort: 50072,
    });
  });

  it('defaults: ./conf.json (not explicit), gomaxprocs 4, loglevel from conf.json', () => {
    const c = parseCommandLine([]);
    assert.equal(c.kind, 'daemon');
    if (c.kind !== 'daemon') return;
    assert.equal(c.global.configPath, './conf.json');
    assert.equal(c.global.configExplicit, false);
    assert.equal(c.global.gomaxprocs, 4);
    assert.equal(c.global.logLevel, null);
  });

  it('import with every option', () => {
    const c = parseCommandLine(['import', 'f.bin', '--height', '4032', '--trust-anchor', '--anchor-chainwork', '0xff', '--json']);
    assert.equal(c.kind, 'import');
    if (c.kind !== 'import') return;
    assert.equal(c.file, 'f.bin');
    assert.equal(c.height, 4032);
    assert.equal(c.trustAnchor, true);
    assert.equal(c.anchorChainwork, 255n);
    assert.equal(c.json, true);
  });

  it('status, help and version', () => {
    assert.deepEqual(parseCommandLine(['status', '--json', '--verify']).kind, 'status');
    assert.deepEqual(parseCommandLine(['--help']), { kind: 'help', topic: 'daemon' });
    assert.deepEqual(parseCommandLine(['import', '-h']), { kind: 'help', topic: 'import' });
    assert.deepEqual(parseCommandLine(['-v']), { kind: 'version' });
  });

  it('rejects what it does not know, with CLI_BAD_ARGS', () => {
    bad(['--nope']);
    bad(['serve']);
    bad(['--loglevel', '7']);
    bad(['--loglevel', '-1']);
    bad(['--gomaxprocs', '1.5']);
    bad(['--gomaxprocs', '0']);
    bad(['--network', 'bitcoin']);
    bad(['--datadir', '']);
    bad(['import']);
    bad(['import', 'a', 'b']);
    bad(['import', 'a', '--height', '-3']);
    bad(['import', 'a', '--trust-anchor', '--height', '2017']);
    bad(['import', 'a', '--anchor-chainwork', 'zz', '--trust-anchor']);
    bad(['import', 'a', '--anchor-chainwork', 'ff']);
    bad(['status', 'extra']);
    bad(['status', '--height', '1']);
    bad(['--connect', 'nohost']);
    bad(['--connect', '1.2.3.4:70000']);
    bad(['--rest-port', '65536']);
  });
});
