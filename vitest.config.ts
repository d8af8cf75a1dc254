import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Vitest keeps one core for itself by default; on a two-core machine that
    // leaves one worker. The test files are independent, so both cores run them.
    maxWorkers: 2,
    // The files of a worker share one module graph: the sources are loaded,
    // and the interpreter's hot paths optimized, once per worker rather than
    // once per file. No test file relies on module state of its own: the
    // modules keep caches (assembled images, the run pool) whose contents
    // are the same whichever file filled them.
    isolate: false,
  },
});
