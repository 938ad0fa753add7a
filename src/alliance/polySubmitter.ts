/**
 * Exactly-once submission of a prepared (already signed and persisted) alliance transaction. The bytes never
 * change once prepared, so resending after a crash, a timeout or a dropped mempool entry is the same
 * transaction: the node either executes it once or reports it as a duplicate.
 */
import { SpvError, isSpvError } from '../errors/spvError.js';
import type { PreparedPolyTx, Reason } from '../protocol/allianceRecords.js';
import type { PolyRpcClient } from './rpc/index.js';

/** Tx-pool code for a transaction the node already has (errors/errcode.go ErrDuplicatedTx). */
const ERR_DUPLICATED_TX = 45002;

export type SubmitOutcome =
  | { readonly kind: 'pending'; readonly prepared: PreparedPolyTx }
  | { readonly kind: 'executed'; readonly prepared: PreparedPolyTx }
  | { readonly kind: 'failed'; readonly prepared: PreparedPolyTx; readonly reason: Reason }
  | { readonly kind: 'refused'; readonly prepared: PreparedPolyTx; readonly reason: Reason };

export type SubmitRpc = Pick<PolyRpcClient, 'txEvent' | 'sendRawTransaction'>;

/**
 * One step: executed or failed on chain → final; otherwise (re)send when never sent or older than
 * `resendAfterMs`. A node error other than "duplicate" is `refused` (kept prepared; the caller retries later).
 * Transport errors propagate (the caller retries on the next poll; nothing is lost).
 */
export async function advanceSubmission(rpc: SubmitRpc, prepared: PreparedPolyTx, now: number, resendAfterMs: number): Promise<SubmitOutcome> {
  const ev = await rpc.txEvent(prepared.txHash);
  if (ev !== null) {
    if (ev.state === 1) return { kind: 'executed', prepared };
    return { kind: 'failed', prepared, reason: { code: 'ALLIANCE_TX_FAILED', message: `alliance tx ${prepared.txHash} executed with State ${ev.state}` } };
  }
  if (prepared.sentAt !== null && now - prepared.sentAt < resendAfterMs) return { kind: 'pending', prepared };
  try {
    const hash = await rpc.sendRawTransaction(prepared.rawHex);
    if (hash !== prepared.txHash) {
      // The node's answer, not our state, is wrong: a bad reply (retried like any other), never a crash.
      throw new SpvError('POLY_RPC_BAD_RESULT', 'the node reports another hash for our transaction', { ours: prepared.txHash, node: hash });
    }
  } catch (err) {
    if (isSpvError(err) && err.code === 'POLY_RPC_ERROR') {
      if (Number(err.details['rpcCode']) !== ERR_DUPLICATED_TX) {
        return { kind: 'refused', prepared, reason: { code: 'ALLIANCE_TX_REFUSED', message: err.message } };
      }
    } else {
      throw err;
    }
  }
  return { kind: 'pending', prepared: { ...prepared, sentAt: now } };
}
