import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * What the box tells strangers: /healthz without a key (or with one lacking ViewStatus) says only
 * ok/degraded and the version; the printers, problems, database and cloud sync, and /metrics, are
 * for a key with ViewStatus — unless metrics.requireKey is false.
 */

const get = (gw: TestGateway, path: string, key?: string) => fetch(`${gw.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('/healthz and /metrics access', () => {
  let gw: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    const printers = [{ name: 'Kitchen', group: 'shop', appId: 'kitchen', uri: 'socket://127.0.0.1:9', language: 'escpos' }];
    gw = await startTestGateway({ printers });
    open = await startTestGateway({ printers, metrics: { requireKey: false } });
  });
  afterAll(async () => {
    await gw.stop();
    await open.stop();
  });

  it('tells anyone only the status and version, and the details to a key with ViewStatus', async () => {
    const anonymous = await get(gw, '/healthz');
    expect(anonymous.status).toBe(200);
    const minimal = (await anonymous.json()) as Record<string, unknown>;
    expect(Object.keys(minimal).sort()).toEqual(['status', 'version']);
    expect(['ok', 'degraded']).toContain(minimal.status);
    const printing = gw.createKey(['PrintToDevice', 'ViewJobs', 'EnumDevices']).key;
    expect(Object.keys((await (await get(gw, '/healthz', printing)).json()) as object).sort()).toEqual(['status', 'version']);
    const full = (await (await get(gw, '/healthz', gw.createKey(['ViewStatus']).key)).json()) as Record<string, unknown>;
    expect(full).toMatchObject({ db: 'ok', printers: [{ id: 'kitchen' }] });
    expect(full.problems).toBeInstanceOf(Array);
    expect(full.status).toBe(minimal.status);
  });

  it('keeps /metrics for a key with ViewStatus by default (metrics.requireKey: true)', async () => {
    expect(gw.config.metrics.requireKey).toBe(true);
    const none = await get(gw, '/metrics');
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('printgate_');
    const jobsOnly = await get(gw, '/metrics', gw.createKey(['ViewJobs']).key);
    expect(jobsOnly.status).toBe(403);
    expect(((await jobsOnly.json()) as { error: { details: { required: string } } }).error.details.required).toBe('ViewStatus');
    const scrape = await get(gw, '/metrics', gw.createKey(['ViewStatus']).key);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('printgate_printer_up{printer="kitchen"}');
  });

  it('serves /metrics to anyone with metrics.requireKey: false, /healthz still without details', async () => {
    const scrape = await get(open, '/metrics');
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('printgate_event_streams_open');
    expect(Object.keys((await (await get(open, '/healthz')).json()) as object).sort()).toEqual(['status', 'version']);
  });
});
