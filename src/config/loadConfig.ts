import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { SpvError } from '../errors/spvError.js';
import { ConfigSchema } from './schema.js';
import type { Config } from './schema.js';

export interface LoadedConfig {
  readonly config: Readonly<Config>;
  /** Absolute path of the file read, or null when the defaults were used. */
  readonly path: string | null;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function keyPath(path: ReadonlyArray<PropertyKey>, extra?: string): string {
  const parts = path.map(String);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '(top level)' : parts.join('.');
}

/** One readable line per problem, each naming the key: `chain.start: ...`, `unknown key "rest.foo"`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => `unknown key "${keyPath(i.path, k)}"`)
      : [`"${keyPath(i.path)}": ${i.message}`],
  );
}

/** Validates a parsed conf.json value; relative paths are resolved against `baseDir`. */
export function parseConfig(raw: unknown, baseDir: string, source = 'conf.json'): Readonly<Config> {
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const problems = describeIssues(r.error.issues);
    throw new SpvError('CONFIG_INVALID', `${source}: ${problems.join('; ')}`, {
      problems,
      keys: r.error.issues.map((i) => keyPath(i.path)),
    });
  }
  const tokenFile = r.data.rest.tokenFile;
  const a = r.data.alliance;
  const orNull = (p: string | null): string | null => (p === null ? null : resolve(baseDir, p));
  if (a.enabled && a.redeemScript === null) {
    throw new SpvError('CONFIG_INVALID', `${source}: "alliance.redeemScript" is required when the alliance is enabled`, {
      problems: ['"alliance.redeemScript" is required when alliance.enabled'],
      keys: ['alliance.redeemScript'],
    });
  }
  return deepFreeze({
    ...r.data,
    dataDir: resolve(baseDir, r.data.dataDir),
    rest: { ...r.data.rest, tokenFile: orNull(tokenFile) },
    alliance: {
      ...a,
      walletFile: resolve(baseDir, a.walletFile),
      walletPasswordFile: orNull(a.walletPasswordFile),
      signer: { ...a.signer, btcKeyFile: orNull(a.signer.btcKeyFile) },
    },
  });
}

/**
 * Reads and validates conf.json once. A missing file is an error only when the path was given
 * explicitly; otherwise the defaults apply.
 */
export function loadConfig(path: string, explicit: boolean): LoadedConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { config: parseConfig({}, process.cwd()), path: null };
    }
    throw new SpvError('CONFIG_NOT_FOUND', `cannot read config file ${abs}`, { path: abs }, { cause: err });
  }
  // Editors on Windows may save UTF-8 with a byte order mark; JSON.parse refuses it, so drop it first.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SpvError('CONFIG_PARSE', `${abs} is not valid JSON: ${(err as Error).message}`, { path: abs });
  }
  return { config: parseConfig(json, dirname(abs), abs), path: abs };
}
