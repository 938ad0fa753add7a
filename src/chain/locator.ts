/**
 * Heights of a block locator from `tipHeight` down to `floorHeight`: the 12 most recent one by one,
 * then doubling steps, always ending with the floor (genesis in Core, our start anchor here).
 * Core: CChain::GetLocator / LocatorEntries (src/chain.cpp). Stays well under Core's
 * MAX_LOCATOR_SZ of 101 entries for any chain height.
 */
export function locatorHeights(tipHeight: number, floorHeight: number): number[] {
  const out: number[] = [];
  let step = 1;
  let h = tipHeight;
  while (h > floorHeight) {
    out.push(h);
    // Core's order: the next height uses the current step, then the step doubles once 11 are listed.
    h -= step;
    if (out.length > 10) step *= 2;
  }
  out.push(floorHeight);
  return out;
}
