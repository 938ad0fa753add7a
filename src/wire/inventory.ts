import { invariant } from '../errors/spvError.js';
import { ByteWriter } from '../util/byteWriter.js';
import { MAX_INV_SZ } from './limits.js';
import { WireReader } from './wireReader.js';

// Inventory types. Core: protocol.h GetDataMsg.
export const MSG_TX = 1;
export const MSG_BLOCK = 2;
/** BIP37: a merkleblock in reply to getdata. */
export const MSG_FILTERED_BLOCK = 3;
/** BIP152 compact block. */
export const MSG_CMPCT_BLOCK = 4;
/** BIP339: announce/request a transaction by wtxid. */
export const MSG_WTX = 5;
/** BIP144: MSG_WITNESS_FLAG = 1 << 30. */
export const MSG_WITNESS_FLAG = 0x40000000;
export const MSG_WITNESS_TX = 0x40000001;
export const MSG_WITNESS_BLOCK = 0x40000002;

const HASH_SIZE = 32;
const ENTRY_SIZE = 4 + HASH_SIZE;

export type InventoryCommand = 'inv' | 'getdata' | 'notfound';

/** One inventory vector. `type` is any u32: Core ignores types it does not know, and so must the net layer. */
export interface InvItem {
  readonly type: number;
  readonly hash: Uint8Array; // internal byte order
}

/** `inv`, `getdata`, `notfound`: the same list of inventory vectors. */
export interface InventoryMessage {
  readonly command: InventoryCommand;
  readonly items: readonly InvItem[];
}

export function decodeInventoryPayload(command: InventoryCommand, payload: Uint8Array): InventoryMessage {
  const r = new WireReader(payload);
  // Core: net_processing.cpp MAX_INV_SZ (Misbehaving + disconnect above it).
  const n = r.count(MAX_INV_SZ, ENTRY_SIZE, 'inventory items');
  const items: InvItem[] = [];
  for (let i = 0; i < n; i++) {
    const type = r.u32le();
    items.push({ type, hash: r.bytesCopy(HASH_SIZE, 'inventory hash') });
  }
  r.end();
  return { command, items };
}

export function encodeInventoryPayload(msg: InventoryMessage): Uint8Array {
  invariant(msg.items.length <= MAX_INV_SZ, 'too many inventory items', { count: msg.items.length });
  const w = new ByteWriter(3 + msg.items.length * ENTRY_SIZE);
  w.varint(msg.items.length);
  for (const item of msg.items) {
    invariant(item.hash.length === HASH_SIZE, 'inventory hash must be 32 bytes');
    w.u32le(item.type).bytes(item.hash);
  }
  return w.finish();
}
