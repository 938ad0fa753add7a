import { existsSync } from 'node:fs';
import { SpvError } from '../../errors/spvError.js';
import type { AuditReport, StoreStats } from '../../protocol/chainTypes.js';
import { storePathFor } from '../../supervisor/supervisor.js';
import type { Command } from '../args.js';
import { clientFor, cliContext } from '../context.js';

type StatusCommand = Extract<Command, { kind: 'status' }>;

export interface StatusReport {
  readonly network: string;
  readonly tip: { readonly height: number; readonly hash: string; readonly chainwork: string; readonly time: number };
  readonly headers: number;
  readonly anchor: { readonly height: number; readonly hash: string };
  readonly store: string;
  readonly audit?: AuditReport;
}

/** `spvclient status`: the store's tip and size, optionally a full audit. Never creates a store. */
export async function runStatus(cmd: StatusCommand): Promise<{ report: StatusReport; exitCode: number }> {
  const ctx = cliContext(cmd.global, 2);
  const store = storePathFor(ctx.config);
  if (!existsSync(store)) {
    throw new SpvError('STORE_NOT_FOUND', `no header store at ${store} (run the daemon or import first)`, { path: store });
  }
  const client = await clientFor(ctx, 1);
  await client.start({ network: false });
  try {
    const s: StoreStats = await client.stats();
    const audit = cmd.verify ? await client.audit() : undefined;
    const report: StatusReport = {
      network: s.network,
      tip: { height: s.tip.height, hash: s.tip.hashHex, chainwork: s.tip.chainworkHex, time: s.tip.time },
      headers: s.headerCount,
      anchor: { height: s.anchorHeight, hash: s.anchorHashHex },
      store,
      ...(audit !== undefined ? { audit } : {}),
    };
    return { report, exitCode: audit === undefined || audit.ok ? 0 : 1 };
  } finally {
    await client.close();
  }
}

export function formatStatus(r: StatusReport): string {
  const lines = [
    `network    ${r.network}`,
    `tip        ${r.tip.height} ${r.tip.hash}`,
    `time       ${new Date(r.tip.time * 1000).toISOString()} (${r.tip.time})`,
    `chainwork  ${r.tip.chainwork}`,
    `headers    ${r.headers}`,
    `anchor     ${r.anchor.height} ${r.anchor.hash}`,
    `store      ${r.store}`,
  ];
  if (r.audit !== undefined) {
    lines.push(`audit      ${r.audit.ok ? 'ok' : 'FAILED'} (${r.audit.headersChecked} headers, ${r.audit.bestChainChecked} best-chain entries)`);
    for (const p of r.audit.problems) lines.push(`  problem: ${p}`);
  }
  return lines.join('\n');
}
