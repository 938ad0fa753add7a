import { headerBits, headerHash, HEADER_SIZE } from '../chain/header.js';
import type { Anchor, ChainParams } from '../chain/params.js';
import { RETARGET_INTERVAL } from '../chain/params.js';
import { TargetCache, checkProofOfWork } from '../chain/pow.js';
import { workFromBits } from '../chain/work.js';
import { SpvError } from '../errors/spvError.js';
import { hashToHex } from '../util/bytes.js';
import { STORE_FORMAT } from './keys.js';
import type { HeaderRecord } from './records.js';

/** Opening a header store: its start point, its meta record, and what a failed open means. */

/** Where an empty store starts: the network's genesis, or a trusted anchor at a retarget height. */
export type StartPoint = { readonly kind: 'genesis' } | { readonly kind: 'anchor'; readonly anchor: Anchor };

export interface Meta {
  format: number;
  network: string;
  genesisHashHex: string;
}


/** The start header of an empty store, checked: 80 bytes, a retarget height, valid PoW, sane chainwork, checkpoints. */
export function validateStart(params: ChainParams, start: StartPoint): HeaderRecord {
  if (start.kind === 'genesis') {
    return {
      header: params.genesisHeader,
      height: 0,
      chainwork: workFromBits(headerBits(params.genesisHeader)),
    };
  }
  const { anchor } = start;
  if (anchor.header.length !== HEADER_SIZE) {
    throw new SpvError('ANCHOR_INVALID', 'anchor header must be 80 bytes', { length: anchor.header.length });
  }
  if (!Number.isInteger(anchor.height) || anchor.height < 0 || anchor.height % RETARGET_INTERVAL !== 0) {
    throw new SpvError('ANCHOR_INVALID', 'anchor height must be a multiple of 2016', { height: anchor.height });
  }
  const cache = new TargetCache(params.powLimit);
  try {
    checkProofOfWork(headerHash(anchor.header), headerBits(anchor.header), cache);
  } catch (err) {
    throw new SpvError('ANCHOR_INVALID', 'anchor header fails proof of work', { height: anchor.height }, { cause: err });
  }
  const own = workFromBits(headerBits(anchor.header));
  if (anchor.chainwork < own) {
    throw new SpvError('ANCHOR_INVALID', 'anchor chainwork is below its own work', { height: anchor.height });
  }
  const cp = params.checkpoints.get(anchor.height);
  if (cp !== undefined && cp !== hashToHex(headerHash(anchor.header))) {
    throw new SpvError('ANCHOR_INVALID', 'anchor does not match the checkpoint at its height', {
      height: anchor.height,
    });
  }
  if (anchor.height === 0 && hashToHex(headerHash(anchor.header)) !== params.genesisHashHex) {
    throw new SpvError('ANCHOR_INVALID', 'an anchor at height 0 must be the genesis header', {});
  }
  return { header: anchor.header, height: anchor.height, chainwork: anchor.chainwork };
}

export function mapOpenError(err: unknown, path: string): SpvError {
  const codes: unknown[] = [];
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    codes.push((e as { code?: unknown }).code);
    e = (e as { cause?: unknown }).cause;
  }
  if (codes.includes('LEVEL_LOCKED')) {
    return new SpvError('STORE_LOCKED', 'the header store is in use by another process', { path }, { cause: err });
  }
  return new SpvError('STORE_OPEN_FAILED', 'cannot open the header store', { path }, { cause: err });
}


export function encodeMeta(params: ChainParams): Uint8Array {
  const meta: Meta = { format: STORE_FORMAT, network: params.name, genesisHashHex: params.genesisHashHex };
  return new TextEncoder().encode(JSON.stringify(meta));
}

export function decodeMeta(raw: Uint8Array): Meta {
  try {
    const m = JSON.parse(new TextDecoder().decode(raw)) as Partial<Meta>;
    if (m.format !== STORE_FORMAT) {
      throw new SpvError('STORE_CORRUPT', 'header store has another format (re-import or resync it)', {
        format: String(m.format),
        expected: STORE_FORMAT,
      });
    }
    if (typeof m.network !== 'string' || typeof m.genesisHashHex !== 'string') {
      throw new Error('bad meta');
    }
    return { format: m.format, network: m.network, genesisHashHex: m.genesisHashHex };
  } catch (err) {
    if (err instanceof SpvError) throw err;
    throw new SpvError('STORE_CORRUPT', 'header store meta record is unreadable', {}, { cause: err });
  }
}

