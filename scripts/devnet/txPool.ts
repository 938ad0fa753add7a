/**
 * The node's side of `sendrawtransaction` before execution (ontio/multi-chain http/base/rpc SendRawTransaction, then
 * the tx pool's signature check): strict hex (42002), an era-A tx that decodes with nothing left over (43001), every
 * signature valid (45021, detail text in `result`). The signers' Poly addresses are the tx's witnesses
 * (`CheckWitness`). Duplicate hashes (45002) are the caller's check: it owns the ledger.
 */
import { decodeSignedTx, polyAddressFromPublicKey, polyAddressToBase58, verifyPolySignature } from '../../src/alliance/poly/index.js';
import type { DecodedPolyTx, PolyTxSig, Secp256k1Digest } from '../../src/alliance/poly/index.js';
import { hashToHex } from '../../src/util/bytes.js';
import type { RejectReason } from './devnetState.js';
import type { RpcOutcome } from './rpcOutcome.js';
import { RPC_CODES, rpcFail } from './rpcOutcome.js';

export interface AdmittedTx {
  /** Display hex. */
  readonly hashHex: string;
  readonly tx: DecodedPolyTx;
  /** Base58 Poly addresses of the single-key signers. */
  readonly witnesses: ReadonlySet<string>;
}

export type Admission =
  | { readonly ok: true; readonly admitted: AdmittedTx }
  | {
      readonly ok: false;
      readonly outcome: RpcOutcome;
      readonly reason: RejectReason;
      readonly detail: string;
      readonly hashHex: string | null;
    };

/** Go's hex.DecodeString: even length, hex digits of either case ("" decodes to nothing). */
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function verifies(hash: Uint8Array, sig: Uint8Array, key: Uint8Array, digest: Secp256k1Digest): boolean {
  try {
    return verifyPolySignature(hash, sig, key, digest);
  } catch {
    return false; // malformed key or signature bytes: not a valid signature either
  }
}

/**
 * One Sig entry: a single key must carry one valid signature; a multi-key entry is checked like ontology-crypto
 * `VerifyMultiSignature` (the first M signatures must each match a distinct key, 1 ≤ M ≤ n).
 */
function sigProblem(hash: Uint8Array, s: PolyTxSig, digest: Secp256k1Digest): string | null {
  const keys = s.publicKeys;
  if (keys.length === 0) return 'signature entry without public keys';
  if (keys.length === 1) {
    if (s.sigs.length !== 1) return `single-key entry with ${s.sigs.length} signatures`;
    return verifies(hash, s.sigs[0]!, keys[0]!, digest) ? null : 'signature does not verify';
  }
  if (s.m < 1 || s.m > keys.length) return `multi-signature M=${s.m} out of range for ${keys.length} keys`;
  if (s.sigs.length < s.m) return `multi-signature has ${s.sigs.length} signatures, needs ${s.m}`;
  const used = new Array<boolean>(keys.length).fill(false);
  for (let i = 0; i < s.m; i++) {
    const j = keys.findIndex((k, idx) => !used[idx] && verifies(hash, s.sigs[i]!, k, digest));
    if (j < 0) return `multi-signature ${i} matches no unused key`;
    used[j] = true;
  }
  return null;
}

export function admitPolyTx(param: unknown, digest: Secp256k1Digest): Admission {
  const refuse = (outcome: RpcOutcome, reason: RejectReason, detail: string, hashHex: string | null = null): Admission => ({
    ok: false,
    outcome,
    reason,
    detail,
    hashHex,
  });
  if (typeof param !== 'string') {
    return refuse(rpcFail(RPC_CODES.INVALID_PARAMS), 'BAD_HEX', 'tx param is not a string');
  }
  if (!HEX_RE.test(param)) return refuse(rpcFail(RPC_CODES.INVALID_PARAMS), 'BAD_HEX', 'tx is not hex');
  const raw = new Uint8Array(Buffer.from(param, 'hex'));
  let tx: DecodedPolyTx;
  try {
    tx = decodeSignedTx(raw, 'A');
  } catch (err) {
    const detail = `tx does not decode: ${err instanceof Error ? err.message : String(err)}`;
    return refuse(rpcFail(RPC_CODES.INVALID_TRANSACTION), 'UNDECODABLE', detail);
  }
  const hashHex = hashToHex(tx.hash);
  const witnesses = new Set<string>();
  for (const [i, s] of tx.sigs.entries()) {
    const problem = sigProblem(tx.hash, s, digest);
    if (problem !== null) {
      const detail = `[VerifyTransaction] signature ${i}: ${problem}`;
      return refuse(rpcFail(RPC_CODES.VERIFY_SIGNATURE, detail), 'BAD_SIGNATURE', detail, hashHex);
    }
    if (s.publicKeys.length === 1) witnesses.add(polyAddressToBase58(polyAddressFromPublicKey(s.publicKeys[0]!)));
  }
  return { ok: true, admitted: { hashHex, tx, witnesses } };
}
