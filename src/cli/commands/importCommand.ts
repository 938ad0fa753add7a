import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HEADER_SIZE, headerBits, headerHashHex } from '../../chain/header.js';
import { paramsFor } from '../../chain/params.js';
import { workFromBits } from '../../chain/work.js';
import { SpvError } from '../../errors/spvError.js';
import type { ConnectResult } from '../../protocol/chainTypes.js';
import type { StartSpec } from '../../protocol/chain.js';
import { hashToHex } from '../../util/bytes.js';
import type { Command } from '../args.js';
import { clientFor, cliContext } from '../context.js';
import { ProgressMeter } from '../progress.js';

type ImportCommand = Extract<Command, { kind: 'import' }>;

/** Headers per batch: one P2P `headers` message worth, the unit the pow pool and the store work in. */
const BATCH = 2000;
/** Batches in flight: hashing of the next ones overlaps the commit of the current one. */
const IN_FLIGHT = 4;

export interface ImportReport {
  readonly tip: { readonly height: number; readonly hash: string };
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: { readonly height: number; readonly hash: string; readonly code: string; readonly message: string } | null;
  readonly ms: number;
}

/**
 * The header file, read batch by batch: a million headers are 80 MB, which the import never needs in
 * memory at once (each batch is read into its own buffer and transferred to the chain worker).
 */
class HeaderFile {
  private constructor(
    private readonly fd: number,
    readonly file: string,
    readonly total: number,
  ) {}

  static open(file: string): HeaderFile {
    let fd: number;
    let bytes: number;
    try {
      fd = openSync(file, 'r');
      bytes = fstatSync(fd).size;
    } catch (err) {
      throw new SpvError('IMPORT_FILE_INVALID', `cannot read ${file}`, { file }, { cause: err });
    }
    if (bytes === 0 || bytes % HEADER_SIZE !== 0) {
      closeSync(fd);
      throw new SpvError('IMPORT_FILE_INVALID', 'the file must hold whole 80-byte headers', { file, bytes });
    }
    return new HeaderFile(fd, file, bytes / HEADER_SIZE);
  }

  /** Headers [from, to) in a buffer of their own. */
  read(from: number, to: number): Uint8Array {
    const out = new Uint8Array((to - from) * HEADER_SIZE);
    let done = 0;
    while (done < out.length) {
      let n: number;
      try {
        n = readSync(this.fd, out, done, out.length - done, from * HEADER_SIZE + done);
      } catch (err) {
        throw new SpvError('IMPORT_FILE_INVALID', `cannot read ${this.file}`, { file: this.file }, { cause: err });
      }
      if (n === 0) throw new SpvError('IMPORT_FILE_INVALID', 'the file shrank while it was read', { file: this.file });
      done += n;
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * `spvclient import FILE`: feeds a header file through the chain worker exactly as P2P sync does
 * (pow pool, contextual rules, one atomic batch per 2000 headers), several batches in flight.
 */
export async function runImport(cmd: ImportCommand): Promise<{ report: ImportReport; exitCode: number }> {
  const ctx = cliContext(cmd.global, 2);
  const params = paramsFor(ctx.config.network);
  const input = HeaderFile.open(cmd.file);
  try {
    return await importFile(cmd, ctx, params, input);
  } finally {
    input.close();
  }
}

async function importFile(
  cmd: ImportCommand,
  ctx: ReturnType<typeof cliContext>,
  params: ReturnType<typeof paramsFor>,
  input: HeaderFile,
): Promise<{ report: ImportReport; exitCode: number }> {
  const first = input.read(0, 1);
  const firstHashHex = headerHashHex(first);
  const total = input.total;

  let start: StartSpec | undefined;
  if (cmd.trustAnchor) {
    start = {
      kind: 'anchor',
      height: cmd.height,
      header: new Uint8Array(first),
      chainwork: cmd.anchorChainwork ?? workFromBits(headerBits(first)),
    };
  } else if (cmd.height === 0) {
    if (firstHashHex !== params.genesisHashHex) {
      throw new SpvError('IMPORT_FILE_INVALID', `the first header is not the ${params.name} genesis (use --height)`, {
        hashHex: firstHashHex,
      });
    }
    start = { kind: 'genesis' };
  }

  const began = Date.now();
  const client = await clientFor(ctx);
  await client.start({ network: false, ...(start !== undefined ? { start } : {}) });
  try {
    const stats = await client.stats();
    if (cmd.trustAnchor && (stats.anchorHashHex !== firstHashHex || stats.anchorHeight !== cmd.height)) {
      throw new SpvError('ANCHOR_STORE_NOT_EMPTY', 'the store already starts from another anchor', {
        anchorHeight: stats.anchorHeight,
        anchorHashHex: stats.anchorHashHex,
      });
    }
    if (!cmd.trustAnchor && cmd.height > 0) {
      const parent = await client.headerByHash(hashToHex(first.subarray(4, 36)));
      if (parent !== null && parent.height + 1 !== cmd.height) {
        throw new SpvError('IMPORT_FILE_INVALID', `the file's first header is at height ${parent.height + 1}`, {
          height: parent.height + 1,
          given: cmd.height,
        });
      }
    }

    const meter = new ProgressMeter(ctx.log, total, 'import progress');
    let imported = 0;
    let duplicates = 0;
    let rejected: ImportReport['rejected'] = null;
    const pending: { offset: number; result: Promise<ConnectResult> }[] = [];
    let next = 0;
    const submit = (): void => {
      const end = Math.min(total, next + BATCH);
      const result = client.connectHeaders(input.read(next, end));
      result.catch(() => undefined);
      pending.push({ offset: next, result });
      next = end;
    };
    while (rejected === null && (next < total || pending.length > 0)) {
      while (next < total && pending.length < IN_FLIGHT) submit();
      const head = pending.shift()!;
      const r = await head.result;
      imported += r.stored;
      duplicates += r.duplicates;
      if (r.rejected !== null) {
        const index = head.offset + r.rejected.index;
        rejected = { height: cmd.height + index, hash: r.rejected.hashHex, code: r.rejected.code, message: r.rejected.message };
      }
      meter.update(head.offset + (r.rejected?.index ?? Math.min(BATCH, total - head.offset)), r.tip.height);
    }
    // Results of batches still in flight after a rejection are unconnected by construction; let them settle.
    await Promise.allSettled(pending.map((p) => p.result));
    const tip = await client.chainTip();
    const report: ImportReport = {
      tip: { height: tip.height, hash: tip.hash },
      imported,
      duplicates,
      rejected,
      ms: Date.now() - began,
    };
    ctx.log.info({ imported, duplicates, height: tip.height, ms: report.ms, rejected: rejected?.code ?? null }, 'import finished');
    return { report, exitCode: rejected === null ? 0 : 1 };
  } finally {
    await client.close();
  }
}

export function formatImport(r: ImportReport): string {
  const lines = [
    `imported ${r.imported} headers (${r.duplicates} already stored) in ${r.ms} ms`,
    `tip ${r.tip.height} ${r.tip.hash}`,
  ];
  if (r.rejected !== null) {
    lines.push(`rejected header at height ${r.rejected.height} ${r.rejected.hash}: ${r.rejected.code} (${r.rejected.message})`);
  }
  return lines.join('\n');
}
