import { defineConfig } from 'vitest/config';

/**
 * Two tiers: unit (no peers, milliseconds each, injected clocks and memory transports) and
 * integration (real peers: TCP sinks, ippeveprinter, socat ptys, FIFOs, private cupsd, the
 * reference cloud, network namespaces). `npm test` runs both; `npx vitest run --project unit` one.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: integration tests start real peers and gateways; keep contention sane.
    maxWorkers: 2,
    restoreMocks: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
    ],
  },
});
