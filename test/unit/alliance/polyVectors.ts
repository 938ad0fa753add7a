/** Typed access to shared/fixtures/poly/vectors.json (read from FIXTURES_DIR, never copied). */
import { readFixtureJson, skipUnlessFixture } from '../../helpers/fixtures.js';

export const POLY_VECTORS = 'poly/vectors.json';

export interface WalletVector {
  readonly walletDat: Record<string, unknown>;
  readonly expected: { readonly d: string; readonly publicKeySerialized: string; readonly polyAddress: string; readonly polyHash160: string };
}

interface ProtectedKey {
  readonly address: string;
  readonly 'enc-alg': string;
  readonly key: string;
  readonly salt: string;
  readonly parameters: { readonly curve: string };
}

interface VoteVector {
  readonly invokeCode: string;
  readonly unsigned: string;
  readonly hashInternal: string;
  readonly hashDisplay: string;
  readonly voteParam?: string;
}

interface SecpSig {
  readonly digest: string;
  readonly recid: number;
  readonly serializedSig: string;
  readonly signedTx: string;
  readonly recoversTo: string;
}

export interface PolyVectors {
  readonly found: {
    readonly ontology_crypto_gcm_test: {
      readonly protectedKey: ProtectedKey;
      readonly scrypt: { n: number; r: number; p: number; dkLen: number };
      readonly password: string;
      readonly wrongPassword: string;
      readonly expected: { readonly d: string };
      readonly derived: { readonly publicKeySerialized: string; readonly polyAddress: string };
    };
    readonly spvclient_wallet_p256: WalletVector & { readonly password: string; readonly wrongPassword: string };
    readonly spvclient_wallet_secp256k1: WalletVector & { readonly password: string; readonly wrongPassword: string };
    readonly ontology_ts_sdk_wallets: { readonly password: string; readonly wallets: readonly WalletVector[] };
    readonly ontology_ts_sdk_scrypt_test: {
      readonly account: ProtectedKey;
      readonly password: string;
      readonly scrypt: { n: number; r: number; p: number; dkLen: number };
      readonly expected: { readonly d: string; readonly publicKeySerialized: string; readonly polyAddress: string };
    };
    readonly ontology_ts_sdk_wif: { readonly wif: string; readonly d: string };
    readonly poly_genesis_peers: {
      readonly peers: readonly { readonly peerPubkey: string; readonly address: string; readonly hash160: string }[];
    };
    readonly btcproof_bp1: {
      readonly rawTx: string;
      readonly proofMerkleBlock: string;
      readonly height: number;
      readonly blocksToWait: number;
      readonly derived: {
        readonly txidDisplay: string;
        readonly txidInternal: string;
        readonly outputs: readonly { readonly value: number; readonly script: string; readonly class: string }[];
        readonly opReturnOldBigEndian: { readonly toChainIdBE: number; readonly feeBE: number; readonly address20: string };
        readonly opReturnReadAsEraA3FieldLE: {
          readonly toChainId: string;
          readonly fee: number;
          readonly address: string;
          readonly trailingBytesIgnored: string;
        };
      };
    };
  };
  readonly computed_not_node_confirmed: {
    readonly btcproof_bp1_E1: { readonly hex: string; readonly len: number };
    readonly btcproof_bp1_E0: { readonly hex: string; readonly len: number };
    readonly opreturn_eraA_LE_example: { readonly script: string };
    readonly vote_eraA_p256: VoteVector & { readonly sig: string; readonly signedTx: string; readonly voteParam: string };
    readonly vote_eraC_p256: VoteVector & { readonly sig: string; readonly signedTx: string };
    readonly vote_eraA_secp256k1: VoteVector & {
      readonly voteParam: string;
      readonly sig_keccak256_ontologyCrypto_2019_10_to_2020_04: SecpSig;
      readonly sig_sha3_256_ontologyCrypto_from_2020_04: SecpSig;
    };
    readonly secp256k1_sig_over_vote_eraC_hash: {
      readonly digestSha3_256: string;
      readonly serializedSig_sha3: string;
      readonly recoversTo: string;
    };
    readonly multisign_param_eraA_layout_example: {
      readonly fields: { chainId: number; txHash: string; address: string; count: number; sigs: string[] };
      readonly hex: string;
    };
  };
}

export const skipPoly = skipUnlessFixture(POLY_VECTORS);

let cached: PolyVectors | undefined;
export function polyVectors(): PolyVectors {
  cached ??= readFixtureJson<PolyVectors>(POLY_VECTORS);
  return cached;
}
