import { describe, expect, it } from 'vitest';
import { JobEvents } from '../../../src/jobs/job-events.js';
import type { Job } from '../../../src/jobs/job-store.js';
import { GatewayMetrics, type GatewayMetricsDeps } from '../../../src/metrics/gateway-metrics.js';

function job(state: Job['state'], createdAt: string, completedAt: string | null, printerId = 'kitchen'): Job {
  return { id: 'j', printerId, state, createdAt, updatedAt: completedAt ?? createdAt, completedAt } as Job;
}

function metrics() {
  const events = new JobEvents();
  const printers = [{ id: 'kitchen' }, { id: 'bar' }, { id: 'office' }];
  const states: Record<string, string> = { kitchen: 'idle', bar: 'stopped', office: 'stopped' };
  const deps = {
    events,
    registry: { list: () => printers, status: (id: string) => ({ state: states[id] }) },
    jobs: { countQueued: () => 0 },
  } as unknown as GatewayMetricsDeps;
  return { events, metrics: new GatewayMetrics(deps) };
}

describe('GatewayMetrics', () => {
  it('observes accepted → completed in the latency histogram, and nothing for other states', async () => {
    const { events, metrics: m } = metrics();
    events.emit(job('processing', '2026-01-01T00:00:00.000Z', null));
    events.emit(job('completed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.400Z'));
    events.emit(job('completed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:07.000Z'));
    events.emit(job('aborted', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:09.000Z'));
    const text = await m.registry.metrics();
    expect(text).toContain('printgate_job_latency_seconds_bucket{le="0.5",printer="kitchen"} 1');
    expect(text).toContain('printgate_job_latency_seconds_bucket{le="10",printer="kitchen"} 2');
    expect(text).toContain('printgate_job_latency_seconds_count{printer="kitchen"} 2');
    expect(text).toContain('printgate_job_latency_seconds_sum{printer="kitchen"} 7.4');
    expect(text).toContain('printgate_job_transitions_total{state="aborted"} 1');
  });

  it('counts printers by state with every state present, and auth failures by code', async () => {
    const { metrics: m } = metrics();
    m.authFailures.inc({ code: 'TOKEN_REVOKED' });
    const text = await m.registry.metrics();
    expect(text).toContain('printgate_printers{state="idle"} 1');
    expect(text).toContain('printgate_printers{state="processing"} 0');
    expect(text).toContain('printgate_printers{state="stopped"} 2');
    expect(text).toContain('printgate_auth_failures_total{code="TOKEN_REVOKED"} 1');
    expect(text).toContain('printgate_auth_failures_total{code="TOKEN_INVALID"} 0');
  });
});
