import { networks } from 'bitcoinjs-lib';
import type { Network } from 'bitcoinjs-lib';
import type { NetworkName } from '../../chain/params.js';

/**
 * bitcoinjs-lib's address parameters for our network names. testnet3, testnet4 and signet share testnet's version
 * bytes (P2PKH 0x6f, P2SH 0xc4, WIF 0xef, bech32 "tb"); regtest has the same base58 bytes but bech32 "bcrt"
 * (Core: chainparams.cpp base58Prefixes / bech32_hrp).
 */
export function bitcoinjsNetwork(name: NetworkName): Network {
  switch (name) {
    case 'mainnet':
      return networks.bitcoin;
    case 'testnet3':
    case 'testnet4':
    case 'signet':
      return networks.testnet;
    case 'regtest':
    case 'benchnet':
      // benchnet (local benchmarks only) borrows regtest's address bytes.
      return networks.regtest;
  }
}
