/**
 * The devnet CLI's JSON config: DevnetOptions with the redeem script as hex. Shapes are checked here; values are
 * checked again by startDevnet.
 */
import { SpvError } from '../../src/errors/spvError.js';
import { fromHexOrNull } from '../../src/util/bytes.js';
import type { DevnetOptions } from './devnet.js';

function invalid(message: string): never {
  throw new SpvError('CONFIG_INVALID', `devnet config: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_KEYS = new Set([
  'host',
  'port',
  'voters',
  'redeemScript',
  'btcNetwork',
  'blocksToWait',
  'changeKind',
  'feeRate',
  'ccmAddressHex',
  'secp256k1Digest',
  'opReturnLayout',
]);

export function parseDevnetConfig(json: unknown): DevnetOptions {
  if (!isRecord(json)) invalid('must be a JSON object');
  for (const k of Object.keys(json)) if (!KNOWN_KEYS.has(k)) invalid(`unknown key ${JSON.stringify(k)}`);
  const str = (k: string): string => {
    const v = json[k];
    if (typeof v !== 'string') invalid(`${k} must be a string`);
    return v;
  };
  const num = (k: string): number => {
    const v = json[k];
    if (typeof v !== 'number') invalid(`${k} must be a number`);
    return v;
  };
  const optional = <T>(k: string, read: (k: string) => T): T | undefined => (json[k] === undefined ? undefined : read(k));
  const voters = json['voters'];
  if (!Array.isArray(voters) || !voters.every((v): v is string => typeof v === 'string')) invalid('voters must be an array of strings');
  const redeemScript = fromHexOrNull(str('redeemScript'));
  if (redeemScript === null || redeemScript.length === 0) invalid('redeemScript must be non-empty hex');
  const host = optional('host', str);
  const port = optional('port', num);
  const ccmAddressHex = optional('ccmAddressHex', str);
  const secp256k1Digest = optional('secp256k1Digest', str);
  const opReturnLayout = optional('opReturnLayout', str);
  return {
    voters,
    redeemScript,
    btcNetwork: str('btcNetwork') as DevnetOptions['btcNetwork'],
    blocksToWait: num('blocksToWait'),
    changeKind: str('changeKind') as DevnetOptions['changeKind'],
    feeRate: num('feeRate'),
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(ccmAddressHex === undefined ? {} : { ccmAddressHex }),
    ...(secp256k1Digest === undefined ? {} : { secp256k1Digest: secp256k1Digest as DevnetOptions['secp256k1Digest'] }),
    ...(opReturnLayout === undefined ? {} : { opReturnLayout: opReturnLayout as DevnetOptions['opReturnLayout'] }),
  };
}
