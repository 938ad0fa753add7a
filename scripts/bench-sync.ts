// P2P header sync over loopback, with the real daemon (`node dist/main.js`, a temp conf connecting only to the peer):
// (a) from a bcoin regtest full node holding K blocks (mined once, cached in the temp dir by K): spvclient, bcoin's
//     own SPV node (bcoin.SPVNode, a child process) and a bare getheaders client (bcoin's serving rate) in the same
//     run, one after the other, against the same node;
// (b) from a fast scripted header server (ours, frames pre-encoded) serving N synthetic headers: what our client does
//     when the peer is not the bottleneck. `--file F --network NET` serves a scripts/gen-chain.ts file instead
//     (genesis first, then one linear chain: a file written with --forks is served as if it were linear, and its
//     fork headers would be rejected).
// spvclient's sync time runs from its 'header sync started' log line (pino timestamp) until GET /api/v1/tip (polled
// every 10 ms) shows the target height; wall time from process start is reported too.
// Prints human lines, then ONE JSON line last. Never asserts.
//   npm run bench:sync -- --blocks 20000 --headers 1000000 [--file F --network NET] [--skip-bcoin] [--cpu-prof]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { headerHash } from '../src/chain/header.js';
import { REGTEST, isNetworkName, paramsFor } from '../src/chain/params.js';
import { BcoinNode } from '../test/helpers/bcoinNode.js';
import { freePort } from '../test/helpers/ports.js';
import { Daemon, ROOT } from './bench/daemon.js';
import { measureGetheaders } from './bench/getheadersClient.js';
import type { ServingRate } from './bench/getheadersClient.js';
import { HeaderServer } from './bench/headerServer.js';
import { machine, numberFlag } from './bench/measure.js';
import { regtestChain } from './bench/syntheticChain.js';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string' },
    headers: { type: 'string' },
    file: { type: 'string' },
    network: { type: 'string' },
    gomaxprocs: { type: 'string' },
    'skip-bcoin': { type: 'boolean' },
    'skip-scripted': { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
  },
});
const blocks = Math.floor(numberFlag(values.blocks, 20_000, 'blocks'));
const headersWanted = Math.floor(numberFlag(values.headers, 1_000_000, 'headers'));
const gomaxprocs = Math.floor(numberFlag(values.gomaxprocs, 2, 'gomaxprocs'));
const work = mkdtempSync(join(tmpdir(), 'spv-bench-sync-'));
const profDir = join(process.cwd(), 'bench-profiles');
const HEADER_SIZE = 80;

interface SpvSync {
  readonly height: number;
  /** Its 'header sync started' log line -> its REST tip seen at the target (polled every 10 ms). */
  readonly syncMs: number | null;
  readonly headersPerSecond: number | null;
  /** Process start -> REST tip at the target. */
  readonly wallMs: number;
  /** 'sync peer under-delivered' warnings (a pipelining artefact with a fast peer: see the report). */
  readonly underDelivered: number;
  /** Peak resident set of the daemon process (all threads), sampled from /proc every 50 ms. */
  readonly peakRssMb: number;
  /** CPU time of the daemon process (all threads, start-up included) when the target was reached. */
  readonly cpuMs: number | null;
  /** The part of it spent after 'header sync started' (sampled within ~10 ms of that line). */
  readonly syncCpuMs: number | null;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms, from Linux /proc (fields 14 and 15 of
 * /proc/PID/stat, in clock ticks of 1/100 s, the Linux default USER_HZ); null when unavailable. CPU time is what the
 * other sessions on a shared machine cannot inflate, so it compares peer and client costs better than wall time.
 */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Resident set of a process in MB (Linux /proc), 0 when unavailable. */
function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const rate = (n: number, ms: number | null): number | null => (ms === null || ms <= 0 ? null : Math.round((n / ms) * 1000));

/** Runs the daemon against one peer until its REST tip reaches `target` (bounded), timing the sync from its log. */
async function spvclientSync(name: string, network: string, peer: string, target: number, timeoutMs: number): Promise<SpvSync> {
  const dir = join(work, name);
  mkdirSync(dir);
  const began = performance.now();
  const daemon = await Daemon.start({
    dir,
    network,
    connect: [peer],
    gomaxprocs,
    logLevel: 2,
    conf: { chain: { start: 'genesis' } },
    nodeFlags: values['cpu-prof'] === true ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, name)}`] : [],
  });
  daemon.watch('header sync started', 'sync peer under-delivered');
  let peakRssMb = 0;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(daemon.child.pid))), 50);
  let cpuAtStart: number | null = null;
  void daemon.logLine('header sync started', timeoutMs).then((l) => {
    if (l !== null) cpuAtStart = cpuMs(daemon.child.pid);
  });
  try {
    const tip = await daemon.waitTip((t) => t.height >= target, { timeoutMs, pollMs: 10 });
    const doneAt = Date.now();
    const cpu = cpuMs(daemon.child.pid);
    const wallMs = Math.round(performance.now() - began);
    const started = await daemon.logLine('header sync started', 1000);
    const syncMs = started === null ? null : doneAt - Date.parse(started.time);
    const height = tip?.height ?? 0;
    if (height < target) console.log(`spvclient (${name}) reached only ${height} of ${target} in ${timeoutMs} ms`);
    const underDelivered = daemon.logCount('sync peer under-delivered');
    const syncCpuMs = cpu === null || cpuAtStart === null ? null : cpu - cpuAtStart;
    return { height, syncMs, headersPerSecond: rate(height, syncMs), wallMs, underDelivered, peakRssMb, cpuMs: cpu, syncCpuMs };
  } finally {
    clearInterval(sampler);
    await daemon.stop();
  }
}

/** A bcoin regtest node on a chain of `k` blocks, mined once and kept in the temp dir for later runs. */
async function bcoinWithChain(k: number): Promise<{ node: BcoinNode; cached: boolean }> {
  const cacheDir = join(tmpdir(), 'spv-bench-cache', `bcoin-regtest-${k}`);
  const marker = join(cacheDir, 'complete.json');
  let cached = existsSync(marker);
  if (!cached) {
    rmSync(cacheDir, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    const miner = await BcoinNode.start({ prefix: cacheDir });
    try {
      for (let mined = 0; mined < k; mined += 2000) await miner.mine(Math.min(2000, k - mined));
      await miner.waitForHeight(k, { timeoutMs: 30_000 });
    } finally {
      await miner.stop();
    }
    writeFileSync(marker, JSON.stringify({ blocks: k }));
  } else {
    cached = true;
  }
  const node = await BcoinNode.start({ prefix: cacheDir, startTimeoutMs: 60_000 });
  const height = await node.height();
  if (height !== k) throw new Error(`cached bcoin chain at ${cacheDir} has ${height} blocks, not ${k}: delete it`);
  return { node, cached };
}

/** bcoin.SPVNode in a child process syncing from `peer`; resolves with its own timing. */
async function bcoinSpvSync(peer: string, target: number, timeoutMs: number): Promise<{ height: number; ms: number; syncCpuMs: number }> {
  const prefix = join(work, 'bcoin-spv');
  mkdirSync(prefix);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, v] of Object.entries(process.env)) if (!key.startsWith('BCOIN_')) env[key] = v;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'scripts', 'bench', 'bcoinSpv.ts'),
      '--peer',
      peer,
      '--height',
      String(target),
      '--prefix',
      prefix,
      '--http-port',
      String(await freePort()),
      '--timeout-ms',
      String(timeoutMs),
    ],
    { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 30_000);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearTimeout(killer);
  const last = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as { height: number; ms: number; syncCpuMs: number };
  } catch {
    throw new Error(`bcoin SPV child failed (exit ${code}): ${err.slice(-1500)}`);
  }
}

/** `spvclient import` of a header file (genesis first) into an empty store, timed by the CLI itself. */
function importRate(network: string, file: string, n: number): { ms: number; headersPerSecond: number } | null {
  const dataDir = join(work, 'import-data');
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'main.js'), 'import', file, '--json', '--network', network, '--datadir', dataDir, '--gomaxprocs', String(gomaxprocs), '--loglevel', '6'],
    { encoding: 'utf8', timeout: 120_000 + Math.ceil(n / 5) },
  );
  rmSync(dataDir, { recursive: true, force: true });
  try {
    const report = JSON.parse(r.stdout.trim()) as { imported: number; ms: number };
    return { ms: report.ms, headersPerSecond: Math.round((report.imported / report.ms) * 1000) };
  } catch {
    console.log(`import failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
    return null;
  }
}

const result: Record<string, unknown> = { bench: 'sync', ...machine(), gomaxprocs };
try {
  // ---------------------------------------------------------------- (a) from bcoin
  if (values['skip-bcoin'] !== true) {
    const t0 = performance.now();
    const { node, cached } = await bcoinWithChain(blocks);
    console.log(`bcoin regtest node with ${blocks} blocks ready (${cached ? 'cached chain' : 'mined'}) in ${Math.round(performance.now() - t0)} ms`);
    try {
      const timeoutMs = 60_000 + blocks * 2;
      // The bare client runs before the two clients (cold: bcoin's chain DB was just opened, and warm) and after
      // them; the best pass is bcoin's serving rate. On a loaded machine single passes vary a lot.
      const passes: Array<{ pass: string; rate: ServingRate; bcoinCpuMs: number | null }> = [];
      const bare = async (pass: string): Promise<void> => {
        const cpu0 = cpuMs(node.pid);
        try {
          const r = await measureGetheaders({
            port: node.p2pPort,
            magic: REGTEST.magic,
            fromHash: headerHash(REGTEST.genesisHeader),
            target: blocks,
            timeoutMs,
          });
          const cpu1 = cpuMs(node.pid);
          const bcoinCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
          passes.push({ pass, rate: r, bcoinCpuMs });
          console.log(
            `bcoin getheaders serving rate (bare client, ${pass}): ${r.perSecond} headers/s (${r.headers} in ${r.ms} ms; bcoin CPU ${bcoinCpuMs ?? '?'} ms)`,
          );
        } catch (err) {
          console.log(`bare getheaders client (${pass}) failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      };
      await bare('cold');
      await bare('warm');
      const cpuBeforeSpv = cpuMs(node.pid);
      const spv = await spvclientSync('from-bcoin', 'regtest', node.p2pAddress, blocks, timeoutMs);
      const cpuAfterSpv = cpuMs(node.pid);
      const bcoinCpuForSpvclient = cpuBeforeSpv === null || cpuAfterSpv === null ? null : cpuAfterSpv - cpuBeforeSpv;
      console.log(
        `spvclient from bcoin: ${spv.headersPerSecond ?? '?'} headers/s (${spv.height} in ${spv.syncMs ?? '?'} ms of sync, ${spv.wallMs} ms from ` +
          `process start); CPU: spvclient ${spv.syncCpuMs ?? '?'} ms during the sync (${spv.cpuMs ?? '?'} ms with start-up), ` +
          `bcoin serving it ${bcoinCpuForSpvclient ?? '?'} ms`,
      );
      let bcoinSpv: { height: number; ms: number; syncCpuMs: number } | null = null;
      let bcoinCpuForBcoinSpv: number | null = null;
      try {
        const cpu0 = cpuMs(node.pid);
        bcoinSpv = await bcoinSpvSync(node.p2pAddress, blocks, timeoutMs);
        const cpu1 = cpuMs(node.pid);
        bcoinCpuForBcoinSpv = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
        console.log(
          `bcoin SPVNode from bcoin: ${rate(bcoinSpv.height, bcoinSpv.ms)} headers/s (${bcoinSpv.height} in ${bcoinSpv.ms} ms); ` +
            `CPU: bcoin SPV ${bcoinSpv.syncCpuMs} ms during the sync, bcoin serving it ${bcoinCpuForBcoinSpv ?? '?'} ms`,
        );
      } catch (err) {
        console.log(`bcoin SPV run failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await bare('after');
      const best = passes.reduce<ServingRate | null>((b, p) => (b === null || p.rate.perSecond > b.perSecond ? p.rate : b), null);
      const serving = best;
      const bcoinSpvRate = bcoinSpv === null ? null : rate(bcoinSpv.height, bcoinSpv.ms);
      const ratio = spv.headersPerSecond !== null && bcoinSpvRate !== null ? Math.round((spv.headersPerSecond / bcoinSpvRate) * 10) / 10 : null;
      const ofServing = spv.headersPerSecond !== null && serving !== null ? Math.round((spv.headersPerSecond / serving.perSecond) * 100) / 100 : null;
      // CPU per header over the sync itself: what each client costs, whatever share of the cores it was given.
      const perHeaderUs = (ms: number | null, n: number): number | null => (ms === null || n <= 0 ? null : Math.round((ms * 1000) / n));
      const spvclientCpuUs = perHeaderUs(spv.syncCpuMs, spv.height);
      const bcoinSpvCpuUs = bcoinSpv === null ? null : perHeaderUs(bcoinSpv.syncCpuMs, bcoinSpv.height);
      const bcoinServingCpuUs = perHeaderUs(bcoinCpuForSpvclient, spv.height);
      const cpuRatio = spvclientCpuUs !== null && bcoinSpvCpuUs !== null && spvclientCpuUs > 0 ? Math.round((bcoinSpvCpuUs / spvclientCpuUs) * 10) / 10 : null;
      console.log(`ratio spvclient / bcoin SPV: ${ratio ?? '?'}x; spvclient / bcoin getheaders serving rate: ${ofServing ?? '?'}`);
      console.log(
        `CPU per header during the sync: spvclient ${spvclientCpuUs ?? '?'} µs (daemon, all threads), bcoin SPV ${bcoinSpvCpuUs ?? '?'} µs ` +
          `(${cpuRatio ?? '?'}x spvclient's), bcoin serving spvclient ${bcoinServingCpuUs ?? '?'} µs`,
      );
      result.bcoin = {
        blocks,
        servingHeadersPerSecond: serving?.perSecond ?? null,
        servingPasses: Object.fromEntries(passes.map((p) => [p.pass, { headersPerSecond: p.rate.perSecond, bcoinCpuMs: p.bcoinCpuMs }])),
        bcoinCpuMsServingSpvclient: bcoinCpuForSpvclient,
        bcoinCpuMsServingBcoinSpv: bcoinCpuForBcoinSpv,
        spvclient: spv,
        bcoinSpv: bcoinSpv === null ? null : { ...bcoinSpv, headersPerSecond: bcoinSpvRate },
        ratioVsBcoinSpv: ratio,
        fractionOfServingRate: ofServing,
        cpuUsPerHeader: { spvclient: spvclientCpuUs, bcoinSpv: bcoinSpvCpuUs, bcoinServingSpvclient: bcoinServingCpuUs, bcoinSpvOverSpvclient: cpuRatio },
      };
    } finally {
      await node.stop();
    }
  }

  // ---------------------------------------------------------------- (b) from the scripted server
  if (values['skip-scripted'] !== true) {
    let network = 'regtest';
    let headers: Uint8Array;
    let baseHash: Uint8Array;
    let source: string;
    let headerFile: string;
    const t0 = performance.now();
    if (values.file !== undefined) {
      network = values.network ?? 'regtest';
      const raw = new Uint8Array(readFileSync(values.file));
      headers = raw.subarray(HEADER_SIZE, raw.length - (raw.length % HEADER_SIZE));
      baseHash = headerHash(raw.subarray(0, HEADER_SIZE));
      source = values.file;
      headerFile = values.file;
    } else {
      const chain = regtestChain(headersWanted);
      headers = chain.headers;
      baseHash = headerHash(REGTEST.genesisHeader);
      source = `synthetic regtest (${chain.cached ? 'cached' : 'mined'} ${chain.file})`;
      headerFile = chain.file;
    }
    if (!isNetworkName(network)) throw new Error(`--network ${network}: not a network this build knows`);
    const n = headers.length / HEADER_SIZE;
    const server = await HeaderServer.start(paramsFor(network).magic, headers, baseHash);
    console.log(`scripted header server: ${n} headers from ${source}, ready in ${Math.round(performance.now() - t0)} ms`);
    try {
      const spv = await spvclientSync('from-scripted', network, `127.0.0.1:${server.port}`, n, 120_000 + Math.ceil(n / 5));
      console.log(
        `spvclient from the scripted server: ${spv.headersPerSecond ?? '?'} headers/s (${spv.height} in ${spv.syncMs ?? '?'} ms of sync, ` +
          `${spv.wallMs} ms from process start), CPU ${spv.syncCpuMs ?? '?'} ms during the sync, peak RSS ${spv.peakRssMb} MB, ` +
          `'sync peer under-delivered' ${spv.underDelivered}x`,
      );
      console.log(`server: ${server.requests} getheaders answered (${server.slowRequests} off the batch boundaries)`);
      // The same headers through `import` (chain worker + pow pool + store, no network) in the same run: how much
      // of the sync time the network path adds on top of validating and storing.
      const imported = importRate(network, headerFile, n);
      if (imported !== null) {
        console.log(`import of the same ${n} headers (CLI, no network): ${imported.headersPerSecond} headers/s (${imported.ms} ms)`);
      }
      const syncVsImport =
        imported !== null && spv.headersPerSecond !== null ? Math.round((spv.headersPerSecond / imported.headersPerSecond) * 100) / 100 : null;
      result.scripted = {
        network,
        headers: n,
        spvclient: spv,
        requests: server.requests,
        importHeadersPerSecond: imported?.headersPerSecond ?? null,
        syncVsImport,
      };
    } finally {
      await server.close();
    }
  }
  if (values['cpu-prof'] === true) console.log(`daemon CPU profiles written under ${profDir}`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(work, { recursive: true, force: true });
}
