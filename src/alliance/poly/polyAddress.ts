/**
 * Poly (alliance chain) public keys and addresses.
 *
 * - SerializePublicKey: ontio/ontology-crypto keypair/key_info.go (`SerializePublicKey`): P-256 is the bare 33-byte
 *   compressed point; other ECDSA curves are `0x12 ‖ curve label ‖ 33 bytes` (secp256k1 label 5 → `1205…`).
 * - Address: polynetwork/poly @ c6c3902b : core/types/address.go (`AddressFromPubKey`): RIPEMD160(SHA256(pk)), the bare
 *   serialized key (not Ontology's `0x21‖pk‖0xac` program); base58check with version 0x17; hex form reversed.
 */
import { sha256 } from '@noble/hashes/sha2';
import { ripemd160 } from '@noble/hashes/legacy';
import { base58 } from '@scure/base';
import { SpvError } from '../../errors/spvError.js';
import { bytesEqual, concatBytes, reversed, toHex } from '../../util/bytes.js';

export type PolyCurve = 'P-256' | 'secp256k1';

/** Base58 version byte of Poly/Ontology addresses (addresses start with "A"). */
export const POLY_ADDRESS_VERSION = 0x17;
export const POLY_ADDRESS_SIZE = 20;
/** keypair.PK_ECDSA / curve label secp256k1 (ontology-crypto keypair/key_info.go). */
const PK_ECDSA = 0x12;
const LABEL_SECP256K1 = 0x05;

/** keypair.SerializePublicKey for a 33-byte compressed SEC1 point on `curve`. */
export function serializePublicKey(curve: PolyCurve, compressed: Uint8Array): Uint8Array {
  if (compressed.length !== 33 || (compressed[0] !== 0x02 && compressed[0] !== 0x03)) {
    throw new SpvError('POLY_KEY_INVALID', 'public key must be 33-byte compressed SEC1', { length: compressed.length });
  }
  return curve === 'P-256' ? new Uint8Array(compressed) : concatBytes(Uint8Array.of(PK_ECDSA, LABEL_SECP256K1), compressed);
}

/** Inverse of serializePublicKey for the two curves we support. */
export function parseSerializedPublicKey(serialized: Uint8Array): { curve: PolyCurve; compressed: Uint8Array } {
  if (serialized.length === 33 && (serialized[0] === 0x02 || serialized[0] === 0x03)) {
    return { curve: 'P-256', compressed: new Uint8Array(serialized) };
  }
  if (
    serialized.length === 35 &&
    serialized[0] === PK_ECDSA &&
    serialized[1] === LABEL_SECP256K1 &&
    (serialized[2] === 0x02 || serialized[2] === 0x03)
  ) {
    return { curve: 'secp256k1', compressed: serialized.slice(2) };
  }
  throw new SpvError('POLY_KEY_INVALID', 'unsupported serialized public key', { hex: toHex(serialized) });
}

/** addr20 = RIPEMD160(SHA256(serializedPublicKey)). */
export function polyAddressFromPublicKey(serializedPublicKey: Uint8Array): Uint8Array {
  return ripemd160(sha256(serializedPublicKey));
}

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload)).subarray(0, 4);
}

/** Base58check of `0x17 ‖ addr20`. */
export function polyAddressToBase58(addr20: Uint8Array): string {
  if (addr20.length !== POLY_ADDRESS_SIZE) {
    throw new SpvError('POLY_ADDRESS_INVALID', 'address must be 20 bytes', { length: addr20.length });
  }
  const payload = concatBytes(Uint8Array.of(POLY_ADDRESS_VERSION), addr20);
  return base58.encode(concatBytes(payload, checksum(payload)));
}

/** AddressFromBase58: alphabet, length, version and checksum are all checked (POLY_ADDRESS_INVALID). */
export function polyAddressFromBase58(text: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = base58.decode(text);
  } catch (cause) {
    throw new SpvError('POLY_ADDRESS_INVALID', 'address is not base58', {}, { cause });
  }
  if (raw.length !== 1 + POLY_ADDRESS_SIZE + 4) {
    throw new SpvError('POLY_ADDRESS_INVALID', 'address has the wrong length', { length: raw.length });
  }
  const payload = raw.subarray(0, 21);
  if (!bytesEqual(checksum(payload), raw.subarray(21))) {
    throw new SpvError('POLY_ADDRESS_INVALID', 'address checksum mismatch');
  }
  if (raw[0] !== POLY_ADDRESS_VERSION) {
    throw new SpvError('POLY_ADDRESS_INVALID', 'address version is not 0x17', { version: raw[0] });
  }
  return raw.slice(1, 21);
}

/** common.Address.ToHexString: the 20 bytes reversed, lowercase hex. */
export function polyAddressToHex(addr20: Uint8Array): string {
  return toHex(reversed(addr20));
}

/** Base58 Poly address of a serialized public key. */
export function polyBase58FromPublicKey(serializedPublicKey: Uint8Array): string {
  return polyAddressToBase58(polyAddressFromPublicKey(serializedPublicKey));
}
