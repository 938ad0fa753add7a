/**
 * Decoding of `getsmartcodeevent` block results (poly-protocol.md §6, pitfalls 4 and 5) into the era-A BTC bridge
 * notifies the validator acts on:
 * - `["notifyBtcProof", "<BTC txid display hex>", "<hex BtcProof>"]` → a deposit to vote on;
 * - `["makeBtcTx", "<hex unsigned tx>", "<hex redeem script>"]` → a withdrawal to sign.
 * Only notifies of the configured CCM contract (reversed hex as the node prints it) in transactions with State === 1
 * are read. Bad data never throws: each malformed entry is reported in `skipped` with an error code.
 */
import { SpvError } from '../../errors/spvError.js';
import type { ErrorCode } from '../../errors/codes.js';
import { decodeBtcProof } from '../poly/index.js';
import type { BtcProof, BtcProofEncoding } from '../poly/index.js';
import { fromHexOrNull } from '../../util/bytes.js';

/** CCM contract address of eras A/B as `getsmartcodeevent` prints it (byte-reversed). */
export const CCM_ADDRESS_ERA_A = '0200000000000000000000000000000000000000';
/** CCM contract address of era C as `getsmartcodeevent` prints it. */
export const CCM_ADDRESS_ERA_C = '0300000000000000000000000000000000000000';

export interface DecodeBlockEventsOptions {
  /** Contract address in the node's display (byte-reversed) hex form, e.g. CCM_ADDRESS_ERA_A. Compared case-insensitively. */
  readonly ccmAddressHex: string;
  /** spvclient `WatchingKey`. Default 'notifyBtcProof'. */
  readonly proofKey?: string;
  /** spvclient `WatchingMakeTxKey`. Default 'makeBtcTx'. */
  readonly makeTxKey?: string;
  /** Notify naming a fully signed withdrawal the contract assembled. Default 'btcTxToRelay'. */
  readonly relayKey?: string;
  /** BtcProof serialization. Default 'E1'. */
  readonly proofEncoding?: BtcProofEncoding;
}

export interface BtcDepositEvent {
  /** Poly tx hash, display hex (lower case). */
  readonly polyTxHash: string;
  /** BTC txid, display hex (lower case), as the notify carries it. */
  readonly btcTxidHex: string;
  readonly proof: BtcProof;
}

export interface BtcWithdrawalEvent {
  readonly polyTxHash: string;
  /** Unsigned BTC MsgTx (non-witness serialization). */
  readonly unsignedTx: Uint8Array;
  readonly redeemScript: Uint8Array;
}

/** `["btcTxToRelay", "<hex signed tx>", ...]`: the contract assembled a withdrawal (the later fields vary by version). */
export interface BtcRelayEvent {
  readonly polyTxHash: string;
  readonly signedTx: Uint8Array;
}

export interface SkippedEvent {
  /** Poly tx hash when the entry had a readable one. */
  readonly polyTxHash: string | null;
  readonly reason: ErrorCode;
  /** Human text: which field was wrong. */
  readonly detail: string;
}

export interface BlockEvents {
  readonly deposits: BtcDepositEvent[];
  readonly withdrawals: BtcWithdrawalEvent[];
  readonly relays: BtcRelayEvent[];
  readonly skipped: SkippedEvent[];
}

const HASH_HEX_RE = /^[0-9a-fA-F]{64}$/;
const CONTRACT_HEX_RE = /^[0-9a-fA-F]{40}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Non-empty strict hex → bytes, else null. */
function nonEmptyHex(v: unknown): Uint8Array | null {
  if (typeof v !== 'string' || v.length === 0) return null;
  return fromHexOrNull(v);
}

export function decodeBlockEvents(raw: unknown, opts: DecodeBlockEventsOptions): BlockEvents {
  if (!CONTRACT_HEX_RE.test(opts.ccmAddressHex)) {
    throw new SpvError('CONFIG_INVALID', 'ccmAddressHex must be 40 hex chars', { ccmAddressHex: opts.ccmAddressHex });
  }
  const ccm = opts.ccmAddressHex.toLowerCase();
  const proofKey = opts.proofKey ?? 'notifyBtcProof';
  const makeTxKey = opts.makeTxKey ?? 'makeBtcTx';
  const relayKey = opts.relayKey ?? 'btcTxToRelay';
  const encoding = opts.proofEncoding ?? 'E1';

  const out: BlockEvents = { deposits: [], withdrawals: [], relays: [], skipped: [] };
  const skip = (polyTxHash: string | null, detail: string, reason: ErrorCode = 'POLY_EVENT_MALFORMED'): void => {
    out.skipped.push({ polyTxHash, reason, detail });
  };

  if (raw === null || raw === undefined) return out; // pitfall 4: no events in this block
  if (!Array.isArray(raw)) {
    skip(null, 'block events are not an array');
    return out;
  }

  for (const [i, ev] of (raw as unknown[]).entries()) {
    if (!isRecord(ev)) {
      skip(null, `event ${i} is not an object`);
      continue;
    }
    const txHashRaw = ev['TxHash'];
    if (typeof txHashRaw !== 'string' || !HASH_HEX_RE.test(txHashRaw)) {
      skip(null, `event ${i}: TxHash is not 64 hex chars`);
      continue;
    }
    const polyTxHash = txHashRaw.toLowerCase();
    const state = ev['State'];
    if (typeof state !== 'number') {
      skip(polyTxHash, `event ${i}: State is not a number`);
      continue;
    }
    if (state !== 1) continue; // pitfall 5: failed tx, its notifies (if any) are not trusted
    const notify = ev['Notify'];
    if (notify === null || notify === undefined) continue;
    if (!Array.isArray(notify)) {
      skip(polyTxHash, `event ${i}: Notify is not an array`);
      continue;
    }
    for (const [j, n] of (notify as unknown[]).entries()) {
      const where = `event ${i} notify ${j}`;
      if (!isRecord(n)) {
        skip(polyTxHash, `${where}: not an object`);
        continue;
      }
      const addr = n['ContractAddress'];
      if (typeof addr !== 'string') {
        skip(polyTxHash, `${where}: ContractAddress is not a string`);
        continue;
      }
      if (addr.toLowerCase() !== ccm) continue; // another contract: not ours to read
      const states = n['States'];
      if (!Array.isArray(states) || states.length === 0 || typeof states[0] !== 'string') {
        skip(polyTxHash, `${where}: States is not an array starting with a method name`);
        continue;
      }
      const st = states as unknown[];
      const key = st[0];
      if (key === proofKey) {
        if (st.length !== 3) {
          skip(polyTxHash, `${where}: ${proofKey} has ${st.length} states, expected 3`);
          continue;
        }
        const txid = st[1];
        if (typeof txid !== 'string' || !HASH_HEX_RE.test(txid)) {
          skip(polyTxHash, `${where}: BTC txid is not 64 hex chars`);
          continue;
        }
        const proofBytes = nonEmptyHex(st[2]);
        if (proofBytes === null) {
          skip(polyTxHash, `${where}: BtcProof is not non-empty hex`);
          continue;
        }
        let proof: BtcProof;
        try {
          proof = decodeBtcProof(proofBytes, encoding);
        } catch (err) {
          if (err instanceof SpvError) {
            skip(polyTxHash, `${where}: BtcProof (${encoding}) does not decode: ${err.message}`, err.code);
            continue;
          }
          throw err; // not bad data: a bug
        }
        out.deposits.push({ polyTxHash, btcTxidHex: txid.toLowerCase(), proof });
      } else if (key === makeTxKey) {
        if (st.length !== 3) {
          skip(polyTxHash, `${where}: ${makeTxKey} has ${st.length} states, expected 3`);
          continue;
        }
        const unsignedTx = nonEmptyHex(st[1]);
        if (unsignedTx === null) {
          skip(polyTxHash, `${where}: unsigned tx is not non-empty hex`);
          continue;
        }
        const redeemScript = nonEmptyHex(st[2]);
        if (redeemScript === null) {
          skip(polyTxHash, `${where}: redeem script is not non-empty hex`);
          continue;
        }
        out.withdrawals.push({ polyTxHash, unsignedTx, redeemScript });
      } else if (key === relayKey) {
        // Era-A versions: [key, hex(tx)] or [key, hex(tx), hex(fromTxHash)]; the later
        // [key, FromChainID, 0, hex(tx), hex(fromTxHash)] puts the tx at index 3.
        const signedTx = nonEmptyHex(typeof st[1] === 'string' ? st[1] : st[3]);
        if (signedTx === null) {
          skip(polyTxHash, `${where}: ${relayKey} carries no signed tx hex`);
          continue;
        }
        out.relays.push({ polyTxHash, signedTx });
      }
      // other CCM notifies (Vote, btcTxMultiSign, ...) are not the validator's input
    }
  }
  return out;
}
