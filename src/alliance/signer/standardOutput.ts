/** Standard output script templates a withdrawal may pay (Core: script/solver.cpp Solver, IsStandard). */
export type StandardOutputType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr';

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;

function isTemplate(script: Uint8Array, prefix: readonly number[], dataLength: number, suffix: readonly number[]): boolean {
  if (script.length !== prefix.length + dataLength + suffix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (script[i] !== prefix[i]) return false;
  const tail = prefix.length + dataLength;
  for (let i = 0; i < suffix.length; i++) if (script[tail + i] !== suffix[i]) return false;
  return true;
}

/**
 * The template of an output script, or null for anything else — notably OP_RETURN (a withdrawal has no business
 * burning coins or carrying data), bare multisig/pubkey, witness versions 2..16 and malformed scripts.
 */
export function standardOutputType(script: Uint8Array): StandardOutputType | null {
  if (isTemplate(script, [OP_DUP, OP_HASH160, 20], 20, [OP_EQUALVERIFY, OP_CHECKSIG])) return 'p2pkh';
  if (isTemplate(script, [OP_HASH160, 20], 20, [OP_EQUAL])) return 'p2sh'; // BIP16
  if (isTemplate(script, [OP_0, 20], 20, [])) return 'p2wpkh'; // BIP141
  if (isTemplate(script, [OP_0, 32], 32, [])) return 'p2wsh'; // BIP141
  if (isTemplate(script, [OP_1, 32], 32, [])) return 'p2tr'; // BIP341
  return null;
}
