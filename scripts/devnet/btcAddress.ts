/**
 * Bitcoin address <-> output script for the devnet (withdrawal outputs, MultiSign signer addresses).
 * Scripts are built here rather than with bitcoinjs `payments`/`address.toOutputScript`, which need an ECC library for
 * taproot outputs: base58check (P2PKH / P2SH, BIP13) and segwit (BIP173 bech32 v0, BIP350 bech32m v1+).
 */
import { address as bjsAddress } from 'bitcoinjs-lib';
import { bitcoinjsNetwork } from '../../src/alliance/signer/bitcoinjsNetwork.js';
import { hash160 } from '../../src/chain/hash.js';
import type { NetworkName } from '../../src/chain/params.js';
import { concatBytes } from '../../src/util/bytes.js';

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;

// Address parameters and HASH160 are plain facts, shared with src; the devnet stays independent of the signer's
// policy and signing code, which it judges.
export { bitcoinjsNetwork, hash160 };

/** Compressed-key P2PKH address (how the era-A contract names a MultiSign signer). */
export function p2pkhAddress(publicKey: Uint8Array, network: NetworkName): string {
  return bjsAddress.toBase58Check(hash160(publicKey), bitcoinjsNetwork(network).pubKeyHash);
}

function p2pkhScript(h: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_DUP, OP_HASH160, 20), h, Uint8Array.of(OP_EQUALVERIFY, OP_CHECKSIG));
}

export function p2shScript(h: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_HASH160, 20), h, Uint8Array.of(OP_EQUAL));
}

function witnessScript(version: number, program: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(version === 0 ? OP_0 : OP_1 + version - 1, program.length), program);
}

/** The output script an address pays to on `network`, or null when it is not a valid address there. */
export function outputScriptForAddress(text: string, network: NetworkName): Uint8Array | null {
  const net = bitcoinjsNetwork(network);
  try {
    const { version, hash } = bjsAddress.fromBase58Check(text);
    if (hash.length !== 20) return null;
    if (version === net.pubKeyHash) return p2pkhScript(hash);
    if (version === net.scriptHash) return p2shScript(hash);
    return null;
  } catch {
    // not base58check: try segwit below
  }
  try {
    const { version, prefix, data } = bjsAddress.fromBech32(text);
    if (prefix !== net.bech32 || version > 16) return null;
    // BIP141: v0 programs are 20 or 32 bytes; other versions 2..40 bytes.
    if (version === 0 ? data.length !== 20 && data.length !== 32 : data.length < 2 || data.length > 40) return null;
    return witnessScript(version, data);
  } catch {
    return null;
  }
}
