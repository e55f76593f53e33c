import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '../../../src/cloud/cloud-feed.js';
import { registerCloudMetrics } from '../../../src/cloud/cloud-metrics.js';
import type { CloudSyncStatus } from '../../../src/cloud/cloud-sync-status.js';

const status: CloudSyncStatus = {
  enabled: true,
  appliedSeq: 42,
  issuedAt: '2030-01-01T00:00:00.000Z',
  lastSuccessAt: '2030-01-01T00:00:01.000Z',
  syncAgeSeconds: 3,
  streamConnected: true,
  stale: false,
  lastError: null,
  clockSkewSeconds: -600,
  clockSkewed: true,
  maxClockSkewSeconds: 120,
  rejected: Object.fromEntries(REJECT_REASONS.map((reason, i) => [reason, i])) as CloudSyncStatus['rejected'],
};

describe('cloud metrics', () => {
  it('pass promtool check metrics (names, types, units) and carry the clock skew', async () => {
    const registry = new Registry();
    registerCloudMetrics(registry, () => status);
    const text = await registry.metrics();
    expect(text).toContain('printgate_cloud_clock_skew_seconds -600');
    expect(text).toContain('printgate_cloud_clock_skewed 1');
    expect(text).toMatch(/^# TYPE printgate_cloud_clock_skew_seconds gauge$/m);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
    if (promtool.error) throw new Error('promtool is missing: apt-get install prometheus (npm test installs it as root)');
    expect(`${promtool.stdout}${promtool.stderr}`.trim()).toBe('');
    expect(promtool.status).toBe(0);
  });
});
