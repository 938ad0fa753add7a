// Entry of the levelWorker.ts test worker: it registers tsx in this thread, then imports the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./levelWorker.ts');
