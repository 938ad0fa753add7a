import { Resolver } from 'node:dns/promises';

/**
 * Resolves the network's DNS seeds in parallel, each bounded by `timeoutMs`; a seed that fails or hangs
 * only contributes nothing, so one unresolvable host never blocks start-up (neutrino#212).
 */
export async function resolveSeeds(seeds: readonly string[], timeoutMs: number): Promise<string[]> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  const one = async (seed: string): Promise<string[]> => {
    const timer = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref());
    const lookup = Promise.allSettled([resolver.resolve4(seed), resolver.resolve6(seed)]).then((rs) =>
      rs.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])),
    );
    return Promise.race([lookup, timer]);
  };
  const all = await Promise.all(seeds.map(one));
  resolver.cancel();
  return [...new Set(all.flat())];
}
