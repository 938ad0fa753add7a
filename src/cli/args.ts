import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { isNetworkName } from '../chain/params.js';
import type { NetworkName } from '../chain/params.js';
import { SpvError } from '../errors/spvError.js';

export interface GlobalOptions {
  readonly configPath: string;
  readonly configExplicit: boolean;
  /** 0-6, null = conf.json's logLevel. */
  readonly logLevel: number | null;
  /** Pow pool threads (the original's --gomaxprocs). */
  readonly gomaxprocs: number;
  readonly network: NetworkName | null;
  readonly dataDir: string | null;
  /** --connect HOST:PORT (repeatable): use only these peers. */
  readonly connect: readonly string[] | null;
  readonly restPort: number | null;
}

export type Command =
  | { readonly kind: 'help'; readonly topic: 'daemon' | 'import' | 'status' }
  | { readonly kind: 'version' }
  | { readonly kind: 'daemon'; readonly global: GlobalOptions }
  | {
      readonly kind: 'import';
      readonly global: GlobalOptions;
      readonly file: string;
      readonly height: number;
      readonly trustAnchor: boolean;
      readonly anchorChainwork: bigint | null;
      readonly json: boolean;
    }
  | { readonly kind: 'status'; readonly global: GlobalOptions; readonly json: boolean; readonly verify: boolean };

const GLOBAL = {
  config: { type: 'string' },
  loglevel: { type: 'string' },
  gomaxprocs: { type: 'string' },
  network: { type: 'string' },
  datadir: { type: 'string' },
  connect: { type: 'string', multiple: true },
  'rest-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function bad(message: string, details: Record<string, unknown> = {}): never {
  throw new SpvError('CLI_BAD_ARGS', message, details);
}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value)) bad(`--${name} must be a whole number`, { flag: name, value });
  const n = Number(value);
  if (n < min || n > max) bad(`--${name} must be between ${min} and ${max}`, { flag: name, value });
  return n;
}

function globalOptions(v: Record<string, string | boolean | string[] | undefined>): GlobalOptions {
  const network = v.network as string | undefined;
  if (network !== undefined && !isNetworkName(network)) {
    bad('--network must be one of mainnet, testnet3, testnet4, signet, regtest, benchnet', { flag: 'network', value: network });
  }
  const datadir = v.datadir as string | undefined;
  if (datadir !== undefined && datadir.length === 0) bad('--datadir must not be empty', { flag: 'datadir' });
  const connect = v.connect as string[] | undefined;
  for (const c of connect ?? []) {
    const m = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(c);
    if (m === null || Number(m[1]) < 1 || Number(m[1]) > 65535) bad('--connect must be HOST:PORT', { flag: 'connect', value: c });
  }
  return {
    connect: connect ?? null,
    restPort: intFlag('rest-port', v['rest-port'] as string | undefined, 0, 65535),
    configPath: (v.config as string | undefined) ?? './conf.json',
    configExplicit: v.config !== undefined,
    logLevel: intFlag('loglevel', v.loglevel as string | undefined, 0, 6),
    gomaxprocs: intFlag('gomaxprocs', v.gomaxprocs as string | undefined, 1, 256) ?? 4,
    network: network ?? null,
    dataDir: datadir ?? null,
  };
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse<O extends Options, P extends boolean>(argv: string[], options: O, positionals: P) {
  try {
    return parseArgs({ args: argv, options, strict: true as const, allowPositionals: positionals });
  } catch (err) {
    return bad((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** Parses the command line. Throws CLI_BAD_ARGS (exit code 2) on anything unknown or malformed. */
export function parseCommandLine(argv: string[]): Command {
  const sub = argv[0];
  if (sub === 'import') {
    const { values, positionals } = parse(
      argv.slice(1),
      {
        ...GLOBAL,
        height: { type: 'string' },
        'trust-anchor': { type: 'boolean' },
        'anchor-chainwork': { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    );
    if (values.help) return { kind: 'help', topic: 'import' };
    if (positionals.length !== 1) bad('import takes exactly one FILE', { positionals });
    const cw = values['anchor-chainwork'];
    if (cw !== undefined && !/^(0x)?[0-9a-fA-F]{1,64}$/.test(cw)) {
      bad('--anchor-chainwork must be up to 64 hex digits', { flag: 'anchor-chainwork' });
    }
    if (cw !== undefined && !values['trust-anchor']) bad('--anchor-chainwork needs --trust-anchor');
    const height = intFlag('height', values.height, 0, 0xffffffff) ?? 0;
    if (values['trust-anchor'] && height % 2016 !== 0) {
      bad('--trust-anchor needs --height to be a multiple of 2016', { flag: 'height', value: height });
    }
    return {
      kind: 'import',
      global: globalOptions(values),
      file: positionals[0]!,
      height,
      trustAnchor: values['trust-anchor'] ?? false,
      anchorChainwork: cw === undefined ? null : BigInt(cw.startsWith('0x') ? cw : `0x${cw}`),
      json: values.json ?? false,
    };
  }
  if (sub === 'status') {
    const { values } = parse(argv.slice(1), { ...GLOBAL, json: { type: 'boolean' }, verify: { type: 'boolean' } }, false);
    if (values.help) return { kind: 'help', topic: 'status' };
    return { kind: 'status', global: globalOptions(values), json: values.json ?? false, verify: values.verify ?? false };
  }
  if (sub !== undefined && !sub.startsWith('-')) bad(`unknown command "${sub}" (commands: import, status)`, { command: sub });
  const { values } = parse(argv, GLOBAL, false);
  if (values.help) return { kind: 'help', topic: 'daemon' };
  if (values.version) return { kind: 'version' };
  return { kind: 'daemon', global: globalOptions(values) };
}
