import type { ChainParams } from '../../src/chain/params.js';
import { HeaderStore } from '../../src/store/headerStore.js';
import type { StartPoint } from '../../src/store/headerStore.js';
import { tempDir } from './tmp.js';

export interface OpenStore {
  readonly store: HeaderStore;
  /** Closes the store and removes its temp dir. */
  close(): Promise<void>;
}

/** A real LevelDB header store in a fresh temp dir. */
export async function openTempStore(
  params: ChainParams,
  start: StartPoint = { kind: 'genesis' },
  now?: () => number,
): Promise<OpenStore> {
  const dir = tempDir('spv-store-');
  let store: HeaderStore;
  try {
    store = await HeaderStore.open({ path: dir.path, params, start, ...(now !== undefined ? { now } : {}) });
  } catch (err) {
    dir.cleanup();
    throw err;
  }
  return {
    store,
    close: async () => {
      await store.close();
      dir.cleanup();
    },
  };
}

/** A temp dir for a test that opens and closes stores itself; tracked stores are closed at the end. */
export async function withStoreDir(
  fn: (path: string, track: (s: HeaderStore) => HeaderStore) => Promise<void>,
): Promise<void> {
  const dir = tempDir('spv-stores-');
  const stores: HeaderStore[] = [];
  try {
    await fn(dir.path, (s) => {
      stores.push(s);
      return s;
    });
  } finally {
    for (const s of stores) await s.close();
    dir.cleanup();
  }
}
