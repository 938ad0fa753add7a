/**
 * Poly transaction signatures (ontio/ontology-crypto signature/signature.go `Sign`/`Verify`, `Serialize`):
 * the signed message is the 32-byte internal-order tx hash, hashed again by the scheme.
 *
 * - SHA256withECDSA on P-256: ECDSA over SHA256(txHash); serialized as raw 64-byte r‖s (no scheme byte,
 *   ontio/ontology-crypto @ c99ad38); the verifier also accepts `01 ‖ r ‖ s`.
 * - secp256k1: btcec SignCompact → `[27+recid] ‖ r ‖ s`, serialized `scheme ‖ 65 bytes`; digest Keccak-256 for an
 *   era-A node (ontology-crypto b929cb5 … 7eba89b) or FIPS SHA3-256 afterwards.
 *
 * We hash explicitly and call noble with `prehash: false`, so the result does not depend on noble's default (§9.1).
 */
import { p256 } from '@noble/curves/nist';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { keccak_256, sha3_256 } from '@noble/hashes/sha3';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual, concatBytes } from '../../util/bytes.js';
import { parseSerializedPublicKey, serializePublicKey } from './polyAddress.js';
import type { PolyCurve } from './polyAddress.js';

/** Which digest a secp256k1 signature is computed over. */
export type Secp256k1Digest = 'keccak256' | 'sha3-256';

/** signature/scheme.go */
export const SCHEME_SHA256_WITH_ECDSA = 1;
export const SCHEME_SHA3_256_WITH_ECDSA = 5;

function checkHash(txHash: Uint8Array): void {
  if (txHash.length !== 32) throw new SpvError('POLY_PARAM_MALFORMED', 'tx hash must be 32 bytes', { length: txHash.length });
}

function checkPrivateKey(curve: PolyCurve, privateKey: Uint8Array): void {
  const ok = curve === 'P-256' ? p256.utils.isValidPrivateKey(privateKey) : secp256k1.utils.isValidPrivateKey(privateKey);
  if (privateKey.length !== 32 || !ok) throw new SpvError('POLY_KEY_INVALID', 'invalid private key');
}

function secpDigest(txHash: Uint8Array, digest: Secp256k1Digest): Uint8Array {
  return digest === 'keccak256' ? keccak_256(txHash) : sha3_256(txHash);
}

/** Compressed public key of a private key, serialized the Poly way (33 bytes P-256, `1205‖33` secp256k1). */
export function polyPublicKey(curve: PolyCurve, privateKey: Uint8Array): Uint8Array {
  checkPrivateKey(curve, privateKey);
  const pk = curve === 'P-256' ? p256.getPublicKey(privateKey, true) : secp256k1.getPublicKey(privateKey, true);
  return serializePublicKey(curve, pk);
}

/** SHA256withECDSA (P-256, RFC 6979, low-S) over the 32-byte tx hash → raw 64-byte r‖s. */
export function signP256(txHash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  checkHash(txHash);
  checkPrivateKey('P-256', privateKey);
  // low-S like noble's default (and the computed vectors); Go signs with any s and verifies either.
  return p256.sign(sha256(txHash), privateKey, { prehash: false, lowS: true }).toCompactRawBytes();
}

/** secp256k1 recoverable signature → `05 ‖ (27+recid) ‖ r ‖ s` (66 bytes). */
export function signSecp256k1(txHash: Uint8Array, privateKey: Uint8Array, digest: Secp256k1Digest): Uint8Array {
  checkHash(txHash);
  checkPrivateKey('secp256k1', privateKey);
  const sig = secp256k1.sign(secpDigest(txHash, digest), privateKey, { prehash: false });
  return concatBytes(Uint8Array.of(SCHEME_SHA3_256_WITH_ECDSA, 27 + sig.recovery), sig.toCompactRawBytes());
}

/** Verify a P-256 Poly signature (64-byte r‖s, or 65-byte `01‖r‖s`); any s accepted as Go does. */
export function verifyP256(txHash: Uint8Array, signature: Uint8Array, compressedPk: Uint8Array): boolean {
  checkHash(txHash);
  let rs = signature;
  if (signature.length === 65 && signature[0] === SCHEME_SHA256_WITH_ECDSA) rs = signature.subarray(1);
  if (rs.length !== 64) throw new SpvError('POLY_SIGNATURE_INVALID', 'P-256 signature must be 64 bytes', { length: signature.length });
  try {
    return p256.verify(rs, sha256(txHash), compressedPk, { prehash: false, lowS: false });
  } catch {
    return false;
  }
}

/** Recover the compressed secp256k1 key of a `scheme ‖ (27+recid) ‖ r ‖ s` signature; null if it does not recover. */
export function recoverSecp256k1(txHash: Uint8Array, signature: Uint8Array, digest: Secp256k1Digest): Uint8Array | null {
  checkHash(txHash);
  if (signature.length !== 66) {
    throw new SpvError('POLY_SIGNATURE_INVALID', 'secp256k1 signature must be 66 bytes', { length: signature.length });
  }
  const v = signature[1]!;
  // SignCompact: 27 + recid (+4 when compressed); we accept both.
  const recid = v >= 31 && v <= 34 ? v - 31 : v - 27;
  if (recid < 0 || recid > 3) throw new SpvError('POLY_SIGNATURE_INVALID', 'bad recovery byte', { v });
  try {
    const sig = secp256k1.Signature.fromCompact(signature.subarray(2)).addRecoveryBit(recid);
    return sig.recoverPublicKey(secpDigest(txHash, digest)).toRawBytes(true);
  } catch {
    return null;
  }
}

/** Verify a secp256k1 Poly signature against the 33-byte compressed key (by recovery, like the Go verifier). */
export function verifySecp256k1(
  txHash: Uint8Array,
  signature: Uint8Array,
  compressedPk: Uint8Array,
  digest: Secp256k1Digest,
): boolean {
  const rec = recoverSecp256k1(txHash, signature, digest);
  return rec !== null && bytesEqual(rec, compressedPk);
}

/** Sign with whichever curve the key is on. */
export function signPolyTxHash(
  curve: PolyCurve,
  txHash: Uint8Array,
  privateKey: Uint8Array,
  digest: Secp256k1Digest = 'keccak256',
): Uint8Array {
  return curve === 'P-256' ? signP256(txHash, privateKey) : signSecp256k1(txHash, privateKey, digest);
}

/** Verify against a serialized Poly public key (33-byte P-256 or `1205‖33` secp256k1). */
export function verifyPolySignature(
  txHash: Uint8Array,
  signature: Uint8Array,
  serializedPublicKey: Uint8Array,
  digest: Secp256k1Digest = 'keccak256',
): boolean {
  const { curve, compressed } = parseSerializedPublicKey(serializedPublicKey);
  return curve === 'P-256'
    ? verifyP256(txHash, signature, compressed)
    : verifySecp256k1(txHash, signature, compressed, digest);
}
