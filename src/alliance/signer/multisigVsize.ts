import type { SpendKind } from './withdrawalPolicy.js';

/**
 * Upper bound for a multisig signature push: DER with a 33-byte r and a low-S 32-byte s is at most 71 bytes (BIP66
 * encoding, BIP62/BIP146 low S), plus the sighash byte = 72; the push opcode is one more byte.
 */
export const MAX_SIG_SIZE = 72;

function varIntSize(n: number): number {
  if (n < 0xfd) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Size of the opcode that pushes `len` bytes minimally (Core: MINIMALDATA; direct push up to 75, then PUSHDATA1/2). */
function pushOpSize(len: number): number {
  if (len <= 75) return 1;
  if (len <= 0xff) return 2;
  return 3;
}

export interface VsizeShape {
  readonly inputKinds: readonly SpendKind[];
  /** Length of each output's scriptPubKey. */
  readonly outputScriptLengths: readonly number[];
  readonly m: number;
  readonly redeemLength: number;
}

/**
 * Virtual size (BIP141: ceil(weight / 4), weight = 4 × non-witness bytes + witness bytes) of the tx once every input
 * carries m signatures of MAX_SIG_SIZE bytes:
 *
 *   tx      = version 4 + varint(#in) + inputs + varint(#out) + Σ (value 8 + varint(len) + script) + locktime 4
 *   input   = outpoint 36 + varint(scriptSig) + scriptSig + sequence 4
 *   bare    scriptSig = OP_0 (CHECKMULTISIG's extra pop, BIP147 dummy) + m × (1 + 72)
 *   P2SH    scriptSig = OP_0 + m × (1 + 72) + pushOp(R) + R                       (BIP16: redeem pushed last)
 *   P2WSH   scriptSig empty; witness = varint(m + 2) + 1 (empty dummy) + m × (1 + 72) + varint(R) + R
 *   witness part (only when some input is P2WSH) = marker + flag 2 + per input (non-witness inputs: 1 byte, 0 items)
 *
 * Since 72 is an upper bound, the estimate is at most m bytes per input above the real size (never below), so a fee
 * rate computed from it is a slight under-estimate. Core's sigop-adjusted vsize (GetVirtualTransactionSize with
 * -bytespersigop) is not modelled: for ≤ 15-key multisig spends it never exceeds the weight-based size.
 */
export function estimateMultisigVsize(shape: VsizeShape): number {
  const { inputKinds, outputScriptLengths, m, redeemLength: r } = shape;
  const sigs = m * (1 + MAX_SIG_SIZE);
  let base = 4 + varIntSize(inputKinds.length) + varIntSize(outputScriptLengths.length) + 4;
  for (const len of outputScriptLengths) base += 8 + varIntSize(len) + len;
  let witness = 0;
  let hasWitness = false;
  for (const kind of inputKinds) {
    let scriptSig = 0;
    switch (kind) {
      case 'bare':
        scriptSig = 1 + sigs;
        witness += 1;
        break;
      case 'p2sh':
        scriptSig = 1 + sigs + pushOpSize(r) + r;
        witness += 1;
        break;
      case 'p2wsh':
        hasWitness = true;
        witness += varIntSize(m + 2) + 1 + sigs + varIntSize(r) + r;
        break;
    }
    base += 36 + varIntSize(scriptSig) + scriptSig + 4;
  }
  const weight = 4 * base + (hasWitness ? 2 + witness : 0);
  return Math.ceil(weight / 4);
}
