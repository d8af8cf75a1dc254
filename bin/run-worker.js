// A worker thread of the run pool started from the TypeScript sources (under
// tsx or vitest): the worker has no loader of its own, so it takes one here,
// as bin/smtnest.js does. Started from dist/, the pool runs dist/cli/run-worker.js itself.
import { importModule } from './modules.js';

await importModule('cli/run-worker');
