import { Transaction } from 'bitcoinjs-lib';
import { SpvError } from '../errors/spvError.js';
import type { BroadcastResult } from '../protocol/net.js';
import { bytesEqual, hashToHex, hexToHash } from '../util/bytes.js';
import type { InvItem } from '../wire/index.js';
import { MSG_TX, MSG_WITNESS_TX } from '../wire/index.js';
import type { Peer } from './peer.js';

interface Pending {
  readonly raw: Uint8Array;
  readonly txid: Uint8Array;
  readonly askedBy: Set<string>;
}

/**
 * Transaction broadcast: inv to every ready peer, the tx to each peer that asks (getdata), and an honest
 * count of who asked. The original reported success with zero peers; here zero is an error.
 */
export class Broadcaster {
  private readonly pending = new Map<string, Pending>();

  /** Decodes the raw transaction at the edge (bitcoinjs-lib) and returns its txid, or TX_INVALID. */
  static txidOf(raw: Uint8Array): Uint8Array {
    try {
      const tx = Transaction.fromBuffer(raw);
      return hexToHash(tx.getId());
    } catch (err) {
      throw new SpvError('TX_INVALID', 'not a valid Bitcoin transaction', {
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async broadcast(raw: Uint8Array, peers: readonly Peer[], waitMs: number): Promise<BroadcastResult> {
    const txid = Broadcaster.txidOf(raw);
    const txidHex = hashToHex(txid);
    if (peers.length === 0) throw new SpvError('NET_NO_PEERS', 'no connected peer to broadcast to', { txid: txidHex });
    const entry: Pending = { raw, txid, askedBy: new Set() };
    this.pending.set(txidHex, entry);
    for (const p of peers) p.send({ command: 'inv', items: [{ type: MSG_TX, hash: txid }] });
    await new Promise((r) => setTimeout(r, waitMs));
    this.pending.delete(txidHex);
    if (entry.askedBy.size === 0) {
      throw new SpvError('BROADCAST_NO_PEERS', 'no peer asked for the transaction', { txid: txidHex, announced: peers.length });
    }
    return { txid: txidHex, peers: entry.askedBy.size };
  }

  /**
   * Answers a getdata for a transaction we are broadcasting; returns true when it was ours. Each peer gets each
   * transaction once: a getdata naming it 50,000 times must not queue 50,000 copies (up to 100 KB each) for a peer.
   */
  onGetData(peer: Peer, items: readonly InvItem[]): boolean {
    let served = false;
    if (this.pending.size === 0) return false;
    for (const item of items) {
      if (item.type !== MSG_TX && item.type !== MSG_WITNESS_TX) continue;
      for (const p of this.pending.values()) {
        if (!bytesEqual(p.txid, item.hash) || p.askedBy.has(peer.id)) continue;
        peer.send({ command: 'tx', raw: p.raw });
        p.askedBy.add(peer.id);
        served = true;
      }
    }
    return served;
  }
}
