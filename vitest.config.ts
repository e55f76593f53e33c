import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: integration tests start real peers and gateways; keep contention sane.
    maxWorkers: 2,
    restoreMocks: true,
  },
});
