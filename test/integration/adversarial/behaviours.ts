/**
 * The catalogue of misbehaving peers the adversarial suite covers (issue 6, item 1). Each test file registers its
 * tests through `behaviour(id, outcome, fn)`, so every test is tied to one catalogue entry; catalogue.test.ts checks
 * that every entry has at least one test and prints the count. One id may be tested twice (in-process and with
 * real worker threads); it counts once.
 */
import { after, it } from 'node:test';

export const BEHAVIOURS = {
  // consensus-invalid headers
  'bad-pow': 'headers with bad proof of work',
  'bad-diffbits': 'bits not matching the retarget',
  'time-not-after-mtp': 'time <= median time past',
  'time-too-new': 'time > now + 2 h',
  'bad-version': 'version below the floor after activation',
  'non-continuous': 'a headers batch whose links break midway',
  'checkpoint-mismatch': 'a chain that does not match a checkpoint',
  'fork-below-checkpoint': 'a fork below the last checkpoint',
  'fork-below-anchor': 'a low-work fork below the start anchor',
  'lower-work-fork': 'a long valid-PoW but lower-work fork',
  'other-genesis': 'a peer on another network (different genesis, same magic)',
  'foreign-164': '164-byte headers (BLAKE2b fork)',
  // codec abuse
  'bad-checksum': 'a frame with a bad checksum',
  'wrong-magic': 'a frame with the wrong magic',
  'truncated-message': 'a payload shorter than its fields (valid checksum)',
  'oversized-payload': 'a frame declaring more than the command allows',
  'too-many-headers': 'a headers message of more than 2000',
  'trailing-garbage': 'headers with trailing garbage',
  'nonzero-tx-count': 'headers entries with a non-zero tx count',
  'bad-command': 'a frame whose command is not printable ASCII',
  'duplicate-version': 'a second version after the handshake',
  'stuck-partial-frame': 'half a frame, then silence',
  // floods
  'unconnected-flood': 'unconnected headers flood (10,000 messages)',
  'duplicate-flood': 'duplicate headers flood',
  'inv-spam': 'inv spam (block announcements that lead nowhere)',
  'tx-inv-spam': 'transaction inv although we asked for no relay',
  'addr-spam': 'addr spam (10,000 addresses)',
  'getdata-flood': 'getdata naming our broadcast transaction 50,000 times',
  'ping-flood': 'ping flood, never reading our pongs',
  'unknown-command-spam': 'unknown commands, 1 MB each',
  'empty-headers-forever': 'empty headers forever while claiming more',
  'unconnecting-announcements': 'sendheaders, then unconnecting announcements again and again',
  'orphan-announcement': 'an announcement that does not connect (honest after a reorg)',
  // stalls and lies
  'never-answers': 'never answers getheaders',
  'slow-stream': 'answers slowly (1 header/s)',
  'late-answer': 'answers every getheaders late (below the progress floor)',
  'trickle': 'one header per answer while claiming more',
  'height-lie': 'version message lies about its height',
  'silent-after-connect': 'sends nothing after TCP connect',
  'handshake-timeout': 'version but never verack',
  'handshake-keepalive': 'keeps the handshake alive with pings, never verack',
  'reconnect-storm': 'accepts and drops the connection again and again (one IP)',
  'one-ip-many-ports': 'one IP advertised at many ports (eclipse by reconnecting to one host)',
  'no-services': 'no NODE_NETWORK / NODE_NETWORK_LIMITED service bit',
  'obsolete-version': 'an obsolete protocol version',
} as const;

export type BehaviourId = keyof typeof BEHAVIOURS;

const covered = new Set<BehaviourId>();

/** A test for one catalogue entry: the title is the behaviour and the outcome the test asserts. */
export function behaviour(id: BehaviourId, outcome: string, fn: () => Promise<void>, opts: { timeout?: number } = {}): void {
  covered.add(id);
  it(`[${id}] ${BEHAVIOURS[id]} -> ${outcome}`, { timeout: opts.timeout ?? 30_000 }, fn);
}

/** Prints how many distinct behaviours this file covered (call once per file, at top level). */
export function reportCoverage(file: string): void {
  after(() => console.log(`adversarial behaviours (${file}): ${covered.size}`));
}
