import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { metricTypes, promtoolCheckMetrics } from '../peers/promtool.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/** A gateway with cloud sync off, one printer that prints (a raw TCP sink) and one that is off. */
describe('/metrics passes promtool check metrics', () => {
  let gateway: TestGateway;
  let sink: TcpSink;
  let scrape: string;

  beforeAll(async () => {
    sink = await startTcpSink();
    const dead = await startTcpSink();
    const deadUri = dead.uri;
    await dead.close();
    gateway = await startTestGateway({
      printers: [
        { name: 'Raw', group: 'store1', appId: 'raw01', uri: sink.uri, language: 'raw' },
        { name: 'Off', group: 'store1', appId: 'off01', uri: deadUri, language: 'raw' },
      ],
    });
    const { key } = gateway.createKey(['PrintToDevice', 'ViewDevice']);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'text/plain' };
    for (let i = 0; i < 3; i += 1) {
      const answer = await fetch(`${gateway.url}/v1/a/store1/d/raw01/q`, { method: 'POST', headers, body: `job ${i}\n` });
      expect(answer.status).toBe(201);
    }
    await fetch(`${gateway.url}/v1/a/store1/d/off01/q`, { method: 'POST', headers, body: 'waits\n' });
    // Jobs queued one after another may share a connection: count them by what they say.
    for (let i = 0; i < 3; i += 1) await sink.waitForText(`job ${i}\n`);
    // A refused request, as a client with a wrong key makes.
    await fetch(`${gateway.url}/api/v1/jobs`, { headers: { authorization: 'Bearer pgk_live_nope' } });
    // /metrics needs a key with ViewStatus (metrics.requireKey defaults to true), as Prometheus sends it.
    const scraper = gateway.createKey(['ViewStatus']).key;
    scrape = await waitFor('all three jobs in the latency histogram and the dead printer stopped', async () => {
      const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${scraper}` } })).text();
      return /^printgate_job_latency_seconds_count\{printer="raw"\} 3$/m.test(text) && /^printgate_printers\{state="stopped"\} 1$/m.test(text) ? text : null;
    }, 20_000);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sink?.close();
  });

  it('is accepted by promtool without a single lint', () => {
    expect(promtoolCheckMetrics(scrape)).toEqual({ status: 0, output: '' });
  });

  it('names and types: no doubled prefix, no gauge ending in _total, counters end in _total', () => {
    const types = metricTypes(scrape);
    expect([...types.keys()].filter((name) => name.includes('process_process') || name.startsWith('printgate_process_'))).toEqual([]);
    expect([...types].filter(([name, type]) => type !== 'counter' && name.endsWith('_total'))).toEqual([]);
    expect([...types].filter(([name, type]) => type === 'counter' && !name.endsWith('_total'))).toEqual([]);
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('printgate_http_requests_total')).toBe('counter');
  });

  it('has a job latency histogram (accepted → delivered) per printer', () => {
    expect(metricTypes(scrape).get('printgate_job_latency_seconds')).toBe('histogram');
    expect(scrape).toMatch(/^printgate_job_latency_seconds_bucket\{le="\+Inf",printer="raw"\} 3$/m);
    const sum = Number(/^printgate_job_latency_seconds_sum\{printer="raw"\} (\S+)$/m.exec(scrape)?.[1]);
    expect(sum).toBeGreaterThan(0);
    // The job for the printer that is off is not delivered: it is not in the histogram.
    expect(scrape).not.toMatch(/printgate_job_latency_seconds_count\{printer="off"\}/);
  });

  it('counts printers by state, every state present', () => {
    expect(metricTypes(scrape).get('printgate_printers')).toBe('gauge');
    expect(scrape).toMatch(/^printgate_printers\{state="idle"\} 1$/m);
    expect(scrape).toMatch(/^printgate_printers\{state="processing"\} 0$/m);
    expect(scrape).toMatch(/^printgate_printers\{state="stopped"\} 1$/m);
    expect(scrape).toMatch(/^printgate_printer_up\{printer="off"\} 0$/m);
    expect(scrape).toMatch(/^printgate_queue_depth\{printer="off"\} 1$/m);
  });

  it('exports auth failures by code, each from 0', () => {
    expect(metricTypes(scrape).get('printgate_auth_failures_total')).toBe('counter');
    for (const code of ['UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TOKEN_EXPIRED', 'TOKEN_DISABLED', 'INSUFFICIENT_SCOPE', 'AUTH_THROTTLED']) {
      expect(scrape).toMatch(new RegExp(`^printgate_auth_failures_total\\{code="${code}"\\} \\d+$`, 'm'));
    }
  });

  it('shows no cloud metrics while cloud sync is off', () => {
    expect(scrape).not.toContain('printgate_cloud_');
  });
});
