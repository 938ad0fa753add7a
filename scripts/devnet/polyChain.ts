/**
 * The devnet's alliance-chain ledger: one block per executed transaction (or per emitting devnet action), each
 * holding its ExecuteNotify entries as `getsmartcodeevent` prints them (poly-protocol.md §6; http/base/common
 * `GetExecuteNotify`: TxHash display hex, State 1/0, GasConsumed, Notify `[]` when empty). Height 0 is the genesis
 * block and has no events.
 */
import { sha256 } from '@noble/hashes/sha2';
import { concatBytes, hashToHex } from '../../src/util/bytes.js';
import type { JsonValue } from './rpcOutcome.js';

export interface NotifyEntry {
  readonly ContractAddress: string;
  readonly States: JsonValue;
}

export interface ExecuteNotify {
  readonly TxHash: string;
  readonly State: 0 | 1;
  readonly GasConsumed: 0;
  readonly Notify: readonly NotifyEntry[];
}

function toJson(ev: ExecuteNotify): JsonValue {
  return {
    TxHash: ev.TxHash,
    State: ev.State,
    GasConsumed: ev.GasConsumed,
    Notify: ev.Notify.map((n) => ({ ContractAddress: n.ContractAddress, States: n.States })),
  };
}

export class PolyChain {
  private readonly blocks: ExecuteNotify[][] = [[]];
  private readonly byTx = new Map<string, { readonly height: number; readonly event: ExecuteNotify }>();

  /** Height of the tip (0 = genesis only). */
  get height(): number {
    return this.blocks.length - 1;
  }

  /** What `getblockcount` answers: height + 1. */
  get blockCount(): number {
    return this.blocks.length;
  }

  hasTx(txHashHex: string): boolean {
    return this.byTx.has(txHashHex.toLowerCase());
  }

  /** Appends one block holding `event`; returns its height. */
  addBlock(event: ExecuteNotify): number {
    const key = event.TxHash.toLowerCase();
    if (this.byTx.has(key)) throw new Error(`devnet: tx ${key} already in a block`);
    this.blocks.push([event]);
    const height = this.height;
    this.byTx.set(key, { height, event });
    return height;
  }

  /** `getsmartcodeevent [height]`: the block's events, or null (genesis, empty or unknown height). */
  eventsAt(height: number): JsonValue {
    const block = this.blocks[height];
    if (block === undefined || block.length === 0) return null;
    return block.map(toJson);
  }

  /** `getsmartcodeevent ["<txhash>"]`: one ExecuteNotify or null. */
  eventOf(txHashHex: string): JsonValue {
    const found = this.byTx.get(txHashHex.toLowerCase());
    return found === undefined ? null : toJson(found.event);
  }

  heightOf(txHashHex: string): number | null {
    return this.byTx.get(txHashHex.toLowerCase())?.height ?? null;
  }

  /**
   * A deterministic Poly-style tx hash (display hex) for a devnet action, which has no real transaction: sha256d of
   * a label, the height it lands at and its payload, so two actions never share one.
   */
  syntheticTxHash(label: string, payload: Uint8Array): string {
    const tag = new TextEncoder().encode(`spvclient-devnet/${label}/${this.height + 1}/`);
    return hashToHex(sha256(sha256(concatBytes(tag, payload))));
  }
}
