/**
 * The bridge's m-of-n multisig as the devnet contract judges it: redeem script parsing, the three ways an output can
 * pay it (bare, P2SH, P2WSH), signed-size estimates for fees, MultiSign signature checks and final assembly.
 * Written independently of src/alliance/signer: the devnet is the judge of what the signer produces.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { script as bjsScript, Transaction } from 'bitcoinjs-lib';
import { SpvError } from '../../src/errors/spvError.js';
import { bytesEqual, concatBytes } from '../../src/util/bytes.js';
import { hash160, p2shScript } from './btcAddress.js';

export type UtxoKind = 'bare' | 'p2sh' | 'p2wsh';

export const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_CHECKMULTISIG = 0xae;
/** Core: MAX_SCRIPT_ELEMENT_SIZE (a P2SH redeem script is one push). */
const MAX_SCRIPT_ELEMENT_SIZE = 520;
/** DER signature of at most 72 bytes plus the sighash byte (Core's policy/sign estimate uses 72 + 1). */
const MAX_SIG_SIZE = 73;
const SIGHASH_ALL = Transaction.SIGHASH_ALL;

export interface MultisigRedeem {
  readonly script: Uint8Array;
  readonly m: number;
  /** Compressed public keys in script order (the order signatures must follow for OP_CHECKMULTISIG). */
  readonly keys: readonly Uint8Array[];
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new SpvError('CONFIG_INVALID', `redeem script: ${message}`, details);
}

/** `OP_m <33-byte key>… OP_n OP_CHECKMULTISIG` with 1 ≤ m ≤ n ≤ 16 and compressed keys only. */
export function parseMultisigRedeem(script: Uint8Array): MultisigRedeem {
  if (script.length < 3 + 34) invalid('too short', { length: script.length });
  const first = script[0]!;
  if (first < OP_1 || first > OP_16) invalid('does not start with OP_1..OP_16');
  const m = first - OP_1 + 1;
  const keys: Uint8Array[] = [];
  let i = 1;
  while (i < script.length && script[i] === 33) {
    const key = script.slice(i + 1, i + 34);
    if (key.length !== 33 || (key[0] !== 0x02 && key[0] !== 0x03)) invalid('key is not a compressed SEC1 point', { index: keys.length });
    try {
      secp256k1.Point.fromBytes(key);
    } catch {
      invalid('key is not on secp256k1', { index: keys.length });
    }
    keys.push(key);
    i += 34;
  }
  const nOp = script[i];
  if (nOp === undefined || nOp < OP_1 || nOp > OP_16 || nOp - OP_1 + 1 !== keys.length) invalid('OP_n does not match the key count');
  if (script[i + 1] !== OP_CHECKMULTISIG || i + 2 !== script.length) invalid('does not end with OP_CHECKMULTISIG');
  if (m > keys.length) invalid('m exceeds n', { m, n: keys.length });
  return { script: new Uint8Array(script), m, keys };
}

/** The output script of the multisig in each form (bare: the redeem itself; BIP16 P2SH; BIP141 P2WSH). */
export function lockScript(redeem: MultisigRedeem, kind: UtxoKind): Uint8Array {
  switch (kind) {
    case 'bare':
      return redeem.script;
    case 'p2sh':
      return p2shScript(hash160(redeem.script));
    case 'p2wsh':
      return concatBytes(Uint8Array.of(OP_0, 32), sha256(redeem.script));
  }
}

/** Which form of the multisig `script` is, or null when it does not pay the multisig. */
export function kindOfScript(redeem: MultisigRedeem, script: Uint8Array): UtxoKind | null {
  for (const kind of ['bare', 'p2sh', 'p2wsh'] as const) {
    if (bytesEqual(script, lockScript(redeem, kind))) return kind;
  }
  return null;
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

/** Bytes of a minimal data push of `n` bytes (Core: CScript::operator<< push opcodes). */
function pushLength(n: number): number {
  return (n <= 75 ? 1 : n <= 0xff ? 2 : 3) + n;
}

/** Upper bound of the scriptSig size that spends `kind` with m signatures (0 for P2WSH). */
function scriptSigSize(redeem: MultisigRedeem, kind: UtxoKind): number {
  const sigs = 1 + redeem.m * pushLength(MAX_SIG_SIZE); // OP_0 (CHECKMULTISIG's extra pop) + m sigs
  if (kind === 'bare') return sigs;
  if (kind === 'p2sh') return sigs + pushLength(redeem.script.length);
  return 0;
}

/** Upper bound of the witness bytes of a P2WSH multisig input: [empty, m sigs, redeem] (BIP141). */
function witnessSize(redeem: MultisigRedeem): number {
  const items = redeem.m + 2;
  return (
    compactSizeLength(items) +
    1 + // the empty dummy element
    redeem.m * (1 + MAX_SIG_SIZE) +
    compactSizeLength(redeem.script.length) +
    redeem.script.length
  );
}

/** Upper bound of the signed transaction's virtual size (BIP141 weight / 4, rounded up). */
export function estimateSignedVsize(redeem: MultisigRedeem, inputs: readonly UtxoKind[], outputScripts: readonly Uint8Array[]): number {
  let base = 4 + compactSizeLength(inputs.length) + compactSizeLength(outputScripts.length) + 4;
  for (const kind of inputs) {
    const ss = scriptSigSize(redeem, kind);
    base += 32 + 4 + compactSizeLength(ss) + ss + 4;
  }
  for (const s of outputScripts) base += 8 + compactSizeLength(s.length) + s.length;
  let witness = 0;
  if (inputs.includes('p2wsh')) {
    witness = 2; // marker + flag
    for (const kind of inputs) witness += kind === 'p2wsh' ? witnessSize(redeem) : 1; // empty stack: one 0x00
  }
  return Math.ceil((base * 4 + witness) / 4);
}

/** Checks the redeem script fits the form (BIP16: one push of at most 520 bytes). */
export function checkKindUsable(redeem: MultisigRedeem, kind: UtxoKind): void {
  if (kind === 'p2sh' && redeem.script.length > MAX_SCRIPT_ELEMENT_SIZE) {
    invalid('too long for P2SH (520-byte push limit)', { length: redeem.script.length });
  }
}

/** The digest input `index` signs: legacy for bare/P2SH (scriptCode = redeem), BIP143 for P2WSH. */
export function inputSighash(tx: Transaction, index: number, redeem: MultisigRedeem, kind: UtxoKind, value: number): Uint8Array {
  return kind === 'p2wsh'
    ? tx.hashForWitnessV0(index, redeem.script, BigInt(value), SIGHASH_ALL)
    : tx.hashForSignature(index, redeem.script, SIGHASH_ALL);
}

/**
 * Why `sig` (DER ‖ sighash byte) is not a valid SIGHASH_ALL signature of `digest` by `publicKey`, or null when it is.
 * Strict DER (BIP66), SIGHASH_ALL only, low S (Core policy SCRIPT_VERIFY_LOW_S: otherwise the final tx does not relay).
 */
export function signatureProblem(sig: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): string | null {
  if (sig.length === 0 || sig[sig.length - 1] !== SIGHASH_ALL) return 'sighash type is not SIGHASH_ALL';
  let compact: Uint8Array;
  try {
    compact = bjsScript.signature.decode(sig).signature;
  } catch (err) {
    return `not a strict DER signature: ${err instanceof Error ? err.message : String(err)}`;
  }
  try {
    if (!secp256k1.verify(compact, digest, publicKey, { prehash: false, lowS: true, format: 'compact' })) {
      return 'signature does not verify (or has a high S)';
    }
  } catch (err) {
    return `signature does not verify: ${err instanceof Error ? err.message : String(err)}`;
  }
  return null;
}

/**
 * Puts m signatures per input into `tx` (in place). `sigsByKey[k]` are the signatures of redeem key k, one per input,
 * or undefined when key k did not sign; the signatures go in key order as OP_CHECKMULTISIG requires.
 * P2SH: scriptSig `OP_0 <sigs> <redeem>`; bare: `OP_0 <sigs>`; P2WSH: witness `[<empty>, <sigs>, <redeem>]`.
 */
export function applyMultisigSignatures(
  tx: Transaction,
  redeem: MultisigRedeem,
  kinds: readonly UtxoKind[],
  sigsByKey: ReadonlyArray<readonly Uint8Array[] | undefined>,
): void {
  kinds.forEach((kind, i) => {
    const sigs: Uint8Array[] = [];
    for (const perInput of sigsByKey) {
      if (perInput !== undefined && sigs.length < redeem.m) sigs.push(perInput[i]!);
    }
    if (kind === 'p2wsh') {
      tx.setWitness(i, [new Uint8Array(0), ...sigs, redeem.script]);
    } else {
      const chunks: Array<number | Uint8Array> = [OP_0, ...sigs];
      if (kind === 'p2sh') chunks.push(redeem.script);
      tx.setInputScript(i, bjsScript.compile(chunks));
    }
  });
}
