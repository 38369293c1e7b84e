import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Stopping the test PostgreSQL cluster runs in globalSetup's teardown.
    teardownTimeout: 60_000,
    // forks, not threads: native modules (better-sqlite3, duckdb) are not safe across worker threads.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
