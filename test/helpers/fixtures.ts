import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is test/helpers/fixtures.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared fixtures directory: $SPV_FIXTURES, else ../shared/fixtures beside the repository. */
export const FIXTURES_DIR = resolve(process.env.SPV_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures'));

export function fixturePath(rel: string): string {
  return join(FIXTURES_DIR, rel);
}

/**
 * For node:test's `skip` option: false when the fixture exists, else the skip message
 * `fixtures not found at <path>: skipping`.
 */
export function skipUnlessFixture(...rels: string[]): string | false {
  for (const rel of rels) {
    const p = fixturePath(rel);
    if (!existsSync(p)) return `fixtures not found at ${p}: skipping`;
  }
  return false;
}

export function readFixture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(rel)));
}

export function readFixtureJson<T>(rel: string): T {
  return JSON.parse(readFileSync(fixturePath(rel), 'utf8')) as T;
}

export const FX = {
  mainnet0: 'mainnet/headers/mainnet-headers-0-9999.bin',
  mainnet30000: 'mainnet/headers/mainnet-headers-30000-39999.bin',
  mainnet586657: 'mainnet/headers/mainnet-headers-586657-589289.bin',
  mainnet822528: 'mainnet/headers/mainnet-headers-822528-830592.bin',
  stale823226: 'mainnet/headers/mainnet-stale-header-823226.bin',
  boundaries: 'mainnet/headers/mainnet-retarget-boundaries.json',
  testnet3: 'testnet3/testnet3-headers-0-9999.bin',
  bitcoinjMainnet: 'checkpoints/bitcoinj-checkpoints-mainnet.txt',
  bitcoinjTestnet3: 'checkpoints/bitcoinj-checkpoints-testnet3.txt',
  electrumMainnet: 'checkpoints/electrum-checkpoints-mainnet.json',
} as const;

/** A row of mainnet-retarget-boundaries.json. */
export interface BoundaryRow {
  height: number;
  hash: string;
  header: string;
  time: number;
  bits: number | string;
  chainwork: string;
}
