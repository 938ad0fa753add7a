// Synthetic regtest header chains for the benchmarks (until scripts/gen-chain.ts's file is given with --file):
// mined with the test ChainBuilder (the real rules pick every header's bits), 120 s apart so a million headers
// from regtest's 2011 genesis stay inside the 2-hour future limit, and cached in the temp directory by count.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGTEST } from '../../src/chain/params.js';
import { ChainBuilder } from '../../test/helpers/chainBuilder.js';

const HEADER_SIZE = 80;

/** n regtest headers after the genesis (n * 80 bytes), from the cache when present. */
export function regtestChain(n: number): { headers: Uint8Array; cached: boolean; file: string } {
  const dir = join(tmpdir(), 'spv-bench-cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `regtest-${n}.bin`);
  if (existsSync(file)) {
    const raw = new Uint8Array(readFileSync(file));
    if (raw.length === (n + 1) * HEADER_SIZE) return { headers: raw.subarray(HEADER_SIZE), cached: true, file };
  }
  const builder = new ChainBuilder(REGTEST);
  const out = new Uint8Array((n + 1) * HEADER_SIZE);
  out.set(REGTEST.genesisHeader, 0);
  for (let i = 1; i <= n; i++) out.set(builder.next({ spacing: 120 }).raw, i * HEADER_SIZE);
  // Written under a temporary name and renamed, so an interrupted run never leaves a short file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return { headers: out.subarray(HEADER_SIZE), cached: false, file };
}
