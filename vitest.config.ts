import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Timing-sensitive suites share two cores; run files one by one.
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['test/helpers/temp-root.ts'],
  },
});
