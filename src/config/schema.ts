import { z } from 'zod';
import { NETWORK_NAMES } from '../chain/params.js';

const hex = (what: string) => z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, `${what} must be hex`);

/** A trusted anchor given in conf.json: a header at a retarget height and its cumulative chainwork. */
const AnchorSchema = z.strictObject({
  height: z.number().int().min(0).refine((h) => h % 2016 === 0, 'height must be a multiple of 2016'),
  header: hex('header').length(160, 'header must be 80 bytes (160 hex digits)'),
  chainwork: hex('chainwork').max(64, 'chainwork must be at most 32 bytes'),
});

const ChainSchema = z.strictObject({
  /**
   * Where an empty store starts: "builtin" (the network's built-in anchor; genesis where it has none),
   * "genesis", or an explicit anchor object.
   */
  start: z.union([z.enum(['builtin', 'genesis']), AnchorSchema]).default('builtin'),
});

/** conf.json. Unknown keys are rejected everywhere; every key has a default. */
export const ConfigSchema = z.strictObject({
  network: z.enum(NETWORK_NAMES).default('mainnet'),
  /** Base data directory; each network gets its own sub-folder. */
  dataDir: z.string().min(1).default('./data'),
  /** 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 fatal, 6 silent (--loglevel overrides). */
  logLevel: z.number().int().min(0).max(6).default(2),
  chain: ChainSchema.prefault({}),
});

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
