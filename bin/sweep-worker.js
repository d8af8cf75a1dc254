// A sweep's worker thread: registers tsx's loader, as bin/smtnest.js does, then runs one point.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/sweep-worker.ts');
