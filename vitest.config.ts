import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Vitest keeps one core for itself by default; on a two-core machine that
    // leaves one worker. The test files are independent, so both cores run them.
    maxWorkers: 2,
  },
});
