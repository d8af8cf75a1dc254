// A worker thread of `smtnest sweep` and `smtnest paper`: registers tsx's
// loader, as bin/smtnest.js does, then runs one scenario.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/run-worker.ts');
