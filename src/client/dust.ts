/**
 * Bitcoin Core's dust rule (policy.cpp GetDustThreshold / IsDust) at the default dust relay fee of
 * 3,000 sat/kvB (DUST_RELAY_TX_FEE): an output is dust when spending it would cost more than a third of
 * its value at that fee. The spend size is the output itself plus a typical input: 148 bytes for a
 * non-witness input, 67 vbytes for a witness one (32 + 4 + 1 + 107/4 + 4). Unspendable (OP_RETURN)
 * outputs are never dust.
 *
 * We follow Core rather than the original's btcwallet rule (a fixed 25-byte P2PKH script and a relay fee
 * of 1,000 sat/kB) because Core's policy is what the network's nodes actually relay: a "non-dust" output by
 * the old rule (e.g. 546 sat to P2PKH passes both; 400 sat to P2WPKH passes only Core's) must be judged the
 * way a mempool would judge it.
 */
export const DUST_RELAY_FEE_SAT_PER_KVB = 3_000n;
const NON_WITNESS_INPUT = 32 + 4 + 1 + 107 + 4;
const WITNESS_INPUT = 32 + 4 + 1 + Math.floor(107 / 4) + 4;
const OP_RETURN = 0x6a;

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** A witness program: OP_0..OP_16 then one push of 2-40 bytes (BIP141). */
export function isWitnessProgram(script: Uint8Array): boolean {
  if (script.length < 4 || script.length > 42) return false;
  const v = script[0]!;
  if (v !== 0 && (v < 0x51 || v > 0x60)) return false;
  return script[1]! + 2 === script.length;
}

/**
 * The dust threshold in satoshis for an output paying `script` (bytes), or a script of `scriptLength`
 * bytes that is not a witness program (default 25: P2PKH, the original's assumption).
 */
export function dustThreshold(script: Uint8Array | number = 25, feePerKvb = DUST_RELAY_FEE_SAT_PER_KVB): bigint {
  const length = typeof script === 'number' ? script : script.length;
  if (!Number.isInteger(length) || length < 0) throw new RangeError('script length must be a non-negative integer');
  if (typeof script !== 'number' && script.length > 0 && script[0] === OP_RETURN) return 0n;
  const witness = typeof script !== 'number' && isWitnessProgram(script);
  const size = 8 + compactSizeLength(length) + length + (witness ? WITNESS_INPUT : NON_WITNESS_INPUT);
  return (BigInt(size) * feePerKvb) / 1000n;
}

export function isDust(amountSats: bigint | number, script: Uint8Array | number = 25): boolean {
  const amount = typeof amountSats === 'bigint' ? amountSats : BigInt(amountSats);
  return amount < dustThreshold(script);
}
