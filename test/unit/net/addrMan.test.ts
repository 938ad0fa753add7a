import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AddrMan, netGroup, parseHostPort } from '../../../src/net/addrMan.js';
import { BanList } from '../../../src/net/banList.js';
import { banScoreFor } from '../../../src/net/banScores.js';
import { tempDir } from '../../helpers/tmp.js';

describe('address manager', () => {
  const dir = tempDir('spv-addr-');
  after(() => dir.cleanup());

  it('parses host:port and [v6]:port, rejects the rest', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:8333'), { host: '127.0.0.1', port: 8333 });
    assert.deepEqual(parseHostPort('[::1]:18444'), { host: '::1', port: 18444 });
    assert.deepEqual(parseHostPort('seed.example.org:8333'), { host: 'seed.example.org', port: 8333 });
    for (const bad of ['127.0.0.1', ':8333', '1.2.3.4:0', '1.2.3.4:65536', '::1:8333', 'a b:1']) assert.equal(parseHostPort(bad), null, bad);
  });

  it('stays bounded under an addr flood, evicting the oldest untried entries', () => {
    const m = new AddrMan(null);
    for (let i = 0; i < 12_000; i++) m.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 8333, 'peer', 1n, i);
    assert.equal(m.size, 10_000);
    const picked = m.select(5, () => false);
    assert.equal(picked.length, 5);
    assert.ok(picked.every((e) => e.lastSeen >= 2_000), 'the oldest were evicted, newest kept');
  });

  it('groups hosts for outbound diversity: IPv4 /16, IPv6 /32, exact loopback addresses, names as they are', () => {
    assert.equal(netGroup('203.0.113.7'), netGroup('203.0.99.1'));
    assert.notEqual(netGroup('203.0.113.7'), netGroup('203.1.113.7'));
    assert.equal(netGroup('2001:db8:1:2::1'), netGroup('2001:db8:ffff::9'));
    assert.notEqual(netGroup('2001:db8::1'), netGroup('2001:db9::1'));
    assert.notEqual(netGroup('127.0.0.1'), netGroup('127.0.0.2'), 'local nodes are told apart');
    assert.equal(netGroup('seed.example.org'), 'seed.example.org');
  });

  it('evicts the stalest untried entry: a refreshed address survives, tried ones are never evicted', () => {
    const m = new AddrMan(null);
    m.add('9.9.9.9', 8333, 'peer', 1n, 0);
    m.good('9.9.9.9', 8333);
    for (let i = 0; i < 10_000; i++) m.add(`10.0.${i >> 8}.${i & 255}`, 8333, 'peer', 1n, i);
    m.add('10.0.0.0', 8333, 'peer', 1n, 50_000); // seen again, much later
    m.add('11.0.0.1', 8333, 'peer', 1n, 50_001); // the 10,001st untried: one must go
    const hosts = new Set(m.select(20_000, () => false).map((e) => e.host));
    assert.equal(m.size, 10_001, '10,000 untried + 1 tried');
    assert.ok(hosts.has('9.9.9.9'), 'the tried entry stays');
    assert.ok(hosts.has('10.0.0.0'), 'the refreshed entry stays');
    assert.ok(!hosts.has('10.0.0.1'), 'the stalest untried entry went');
    assert.ok(hosts.has('11.0.0.1'));
  });

  it('a flood of 50,000 addresses keeps both tables at their bounds (tried at 2,000)', () => {
    const m = new AddrMan(null);
    for (let i = 0; i < 2_500; i++) {
      m.add(`172.16.${i >> 8}.${i & 255}`, 8333, 'peer', 1n, i);
      m.good(`172.16.${i >> 8}.${i & 255}`, 8333);
    }
    for (let i = 0; i < 50_000; i++) m.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 8333, 'peer', 1n, 10_000 + i);
    const all = m.select(100_000, () => false);
    assert.equal(all.filter((e) => e.tried).length, 2_000);
    assert.equal(all.filter((e) => !e.tried).length, 10_000);
    assert.equal(m.size, 12_000);
  });

  it('prefers tried addresses and backs off after failed attempts', () => {
    let now = 1_000_000;
    const m = new AddrMan(null, () => now);
    m.add('1.1.1.1', 8333, 'peer');
    m.add('2.2.2.2', 8333, 'peer');
    m.good('2.2.2.2', 8333);
    assert.equal(m.select(1, () => false)[0]!.host, '2.2.2.2');
    m.attempt('1.1.1.1', 8333);
    assert.deepEqual(
      m.select(5, () => false).map((e) => e.host),
      ['2.2.2.2'],
      'in backoff for a minute after one failure',
    );
    now += 61_000;
    assert.equal(m.select(5, () => false).length, 2);
    m.attempt('1.1.1.1', 8333);
    now += 61_000;
    assert.equal(m.select(5, () => false).length, 1, 'two failures: two minutes');
  });

  it('persists to peers.json atomically and survives a corrupt file', () => {
    const path = join(dir.path, 'peers.json');
    const m = new AddrMan(path);
    m.add('3.3.3.3', 8333, 'dns');
    m.good('3.3.3.3', 8333);
    m.save();
    const again = new AddrMan(path);
    assert.equal(again.size, 1);
    assert.equal(again.select(1, () => false)[0]!.tried, true);
    writeFileSync(path, '{not json');
    assert.equal(new AddrMan(path).size, 0);
    writeFileSync(path, JSON.stringify({ version: 1, addresses: [{ host: 5, port: 'x' }, { host: '4.4.4.4', port: 8333 }] }));
    assert.equal(new AddrMan(path).size, 1, 'malformed entries are skipped');
  });
});

describe('ban list and scores', () => {
  const dir = tempDir('spv-ban-');
  after(() => dir.cleanup());

  it('bans by IP, but by IP:port on loopback; expires; persists', () => {
    let now = 5_000;
    const path = join(dir.path, 'bans.json');
    const b = new BanList(path, () => now);
    b.ban('8.8.8.8', 8333, 1_000, 'HEADER_BAD_POW');
    b.ban('127.0.0.1', 18444, 1_000, 'PEER_BAD_CHECKSUM');
    assert.equal(b.isBanned('8.8.8.8', 9999), true, 'any port of a banned IP');
    assert.equal(b.isBanned('127.0.0.1', 18444), true);
    assert.equal(b.isBanned('127.0.0.1', 18445), false, 'another local node is not banned');
    assert.equal(new BanList(path, () => now).isBanned('8.8.8.8', 1), true, 'persisted');
    assert.ok(JSON.parse(readFileSync(path, 'utf8')).length === 2);
    now += 1_001;
    assert.equal(b.isBanned('8.8.8.8', 8333), false, 'expired');
    assert.deepEqual(b.list(), []);
  });

  it('consensus and codec abuse ban at once; lag and local faults cost nothing', () => {
    for (const code of ['HEADER_BAD_POW', 'HEADER_BAD_DIFFBITS', 'PEER_BAD_CHECKSUM', 'PEER_OVERSIZED', 'PEER_FOREIGN_CHAIN', 'PEER_HEADERS_FLOOD'] as const) {
      assert.equal(banScoreFor(code), 100, code);
    }
    assert.equal(banScoreFor('HEADER_BAD_PREV'), 20);
    assert.equal(banScoreFor('PEER_UNCONNECTING_FLOOD'), 20);
    for (const code of ['HEADER_TIME_TOO_NEW', 'HEADER_UNCONNECTED', 'PEER_STALLED', 'STORE_CORRUPT', 'WORKER_CRASHED'] as const) {
      assert.equal(banScoreFor(code), 0, code);
    }
  });
});

describe('DNS seeds', () => {
  it('an unresolvable or hanging seed never blocks: bounded time, empty result', async () => {
    const { resolveSeeds } = await import('../../../src/net/dnsSeeds.js');
    const began = Date.now();
    const ips = await resolveSeeds(['seed.invalid', 'no-such-host.invalid'], 500);
    assert.deepEqual(ips, []);
    assert.ok(Date.now() - began < 3_000, 'returns within the timeout (plus slack)');
  });
});
