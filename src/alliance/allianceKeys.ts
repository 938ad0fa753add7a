/**
 * Loads the validator's two keys at alliance-worker start: the Poly account (wallet.dat, default account, password
 * from a file or typed at the terminal) and, when signing is configured, the BTC key. Key material stays in this
 * worker and is never logged.
 */
import { readFile } from 'node:fs/promises';
import type { NetworkName } from '../chain/params.js';
import type { AllianceConfig } from '../config/schema.js';
import { SpvError } from '../errors/spvError.js';
import { bytesEqual, fromHex } from '../util/bytes.js';
import { openWallet } from './poly/index.js';
import type { PolySigner } from './poly/index.js';
import { loadBtcKeyFile, p2pkhAddress, parseMultisigRedeem } from './signer/index.js';
import type { BtcKey } from './signer/index.js';

export interface AllianceKeys {
  readonly poly: PolySigner;
  readonly btc: BtcKey | null;
  /** Our BTC P2PKH address (the MultiSign `Address`), null when not signing. */
  readonly btcAddress: string | null;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new SpvError('CONFIG_NOT_FOUND', `cannot read the ${what}`, { path }, { cause: err });
  }
}

export async function loadAllianceKeys(cfg: AllianceConfig, network: NetworkName, typedPassword: string | null): Promise<AllianceKeys> {
  const walletText = await readText(cfg.walletFile, 'wallet file');
  let password: string;
  if (cfg.walletPasswordFile !== null) {
    // A trailing newline from `echo pw > file` is not part of the password.
    password = (await readText(cfg.walletPasswordFile, 'wallet password file')).replace(/\r?\n$/, '');
  } else if (typedPassword !== null) {
    password = typedPassword;
  } else {
    throw new SpvError('CONFIG_INVALID', 'no wallet password: set alliance.walletPasswordFile or start on a terminal', {
      keys: ['alliance.walletPasswordFile'],
    });
  }
  const poly = await openWallet(walletText, password);
  if (cfg.signer.btcKeyFile === null) return { poly, btc: null, btcAddress: null };
  const btc = await loadBtcKeyFile(cfg.signer.btcKeyFile, network);
  if (cfg.redeemScript !== null) {
    const { pubkeys } = parseMultisigRedeem(fromHex(cfg.redeemScript));
    if (!pubkeys.some((pk) => bytesEqual(pk, btc.publicKey))) {
      throw new SpvError('SIGNER_KEY_NOT_IN_REDEEM', 'the BTC key is not one of the redeem script keys', { keys: ['alliance.signer.btcKeyFile'] });
    }
  }
  return { poly, btc, btcAddress: p2pkhAddress(btc.publicKey, network) };
}
