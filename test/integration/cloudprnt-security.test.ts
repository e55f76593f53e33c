import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { SimulatedStarPrinter } from '../peers/simulated-star-printer.js';

/**
 * The CloudPRNT findings of issue 14, each reproduced against a real gateway: receipts only for
 * their printer, a token bound to the MAC and the job, confirmation only by DELETE, device keys
 * on by default and settable, wrong-MAC polls throttled, auto-create bounded, poll intervals
 * bounded and not changeable by an impostor.
 */

const MAC = '00:11:62:1d:9a:b7';
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

interface Setup {
  gw: TestGateway;
  admin: string;
  api(path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  print(group: string, appId: string, text: string): Promise<string>;
  job(id: string): Promise<any>;
}

async function setup(overrides: Record<string, unknown> = {}): Promise<Setup> {
  gw = await startTestGateway({
    limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 } },
    printers: [{ name: 'Counter', group: 'store1', uri: `cloudprnt:${MAC}`, language: 'starprnt' }],
    ...overrides,
  });
  const started = gw;
  const admin = started.createKey(['EnumDevices', 'ViewDevice', 'PrintToDevice', 'ViewJobs', 'CreateDeviceGroups', 'ModifyDeviceGroups', 'ViewDeviceGroups']).key;
  SimulatedStarPrinter.defaultKey = started.createKey(['PrintToDevice'], { name: 'printers' }).key;
  const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${started.url}${path}`, { ...init, headers: { 'Star-Api-Key': admin, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  };
  const print = async (group: string, appId: string, text: string): Promise<string> => {
    const res = await api(`/v1/a/${group}/d/${appId}/q`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: text });
    expect(res.status).toBe(201);
    return res.body.JobId as string;
  };
  return { gw: started, admin, api, print, job: async (id) => (await api(`/api/v1/jobs/${id}`)).body };
}

const appIdOf = async (s: Setup, group: string, name: string): Promise<string> =>
  ((await s.api(`/v1/a/${group}/d`)).body as any[]).find((device) => device.Id === name).AccessIdentifier;

describe('CloudPRNT: a receipt only reaches its printer', () => {
  it('requires a device key on new groups (config printers and API-created): the MAC alone gets nothing', async () => {
    const s = await setup();
    expect((await s.api('/v1/a/store1')).body.RequireDeviceKey).toBe(true);
    expect((await s.api('/v1/a', { method: 'POST', body: JSON.stringify({ Name: 'Cafe', MatchPath: 'cafe' }) })).body.RequireDeviceKey).toBe(true);
    const printer = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC);
    await printer.poll();
    const jobId = await s.print('store1', await appIdOf(s, 'store1', 'Counter'), 'customer receipt\n');
    const answer = await printer.pollUntilJob();

    // The attack of the finding: poll twice as that MAC, GET the job, DELETE it with 200 — no key.
    const impostor = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC, { basicAuth: null });
    const polled = await impostor.poll();
    expect(polled.status).toBe(401);
    expect(JSON.stringify(polled.answer)).not.toContain(answer.jobToken);
    expect((await impostor.fetchJob('text/plain', answer.jobToken)).status).toBe(401);
    expect((await impostor.confirm('200%20OK', answer.jobToken)).status).toBe(401);
    expect((await s.job(jobId)).state).toBe('processing');

    // The printer with its key prints it.
    expect(await (await printer.fetchJob('text/plain', answer.jobToken)).text()).toBe('customer receipt\n');
    expect((await printer.confirm('200 OK', answer.jobToken)).status).toBe(200);
    await waitFor('the job to complete', async () => (await s.job(jobId)).state === 'completed');
  });

  it('needs the job token, for that MAC, on fetch and on confirm; confirms only by DELETE', async () => {
    const s = await setup({ groups: [{ path: 'store1', requireDeviceKey: false }] });
    // Without the config wiring the API still turns the key off for this test's keyless group.
    expect((await s.api('/v1/a/store1', { method: 'PUT', body: JSON.stringify({ RequireDeviceKey: false }) })).status).toBe(200);
    const printer = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC, { basicAuth: null });
    await printer.poll();
    const jobId = await s.print('store1', await appIdOf(s, 'store1', 'Counter'), 'token bound\n');
    const { jobToken } = await printer.pollUntilJob();
    expect(jobToken).toMatch(/^[0-9a-f]{32}$/);

    // No token, or a wrong one: nothing to fetch or to close.
    expect((await printer.fetchJob('text/plain')).status).toBe(404);
    expect((await printer.fetchJob('text/plain', 'f'.repeat(32))).status).toBe(404);
    expect((await printer.confirm('200 OK')).status).toBe(404);
    expect((await printer.confirm('200 OK', 'f'.repeat(32))).status).toBe(404);
    // The right token under another MAC (configured in the same group) names no job either.
    const other = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, '00:11:62:aa:bb:01', { basicAuth: null });
    expect((await other.fetchJob('text/plain', jobToken)).status).toBe(404);
    // Star's GET form of the confirmation, which a web page in a browser could send: refused here.
    const viaGet = await printer.confirmWithGet('200 OK', jobToken);
    expect(viaGet.status).toBe(405);
    expect(((await viaGet.json()) as any).error.message).toContain('groups[].cloudprntDeleteMethod');
    expect((await s.job(jobId)).state).toBe('processing');

    expect(await (await printer.fetchJob('text/plain', jobToken)).text()).toBe('token bound\n');
    expect((await printer.confirm('200 OK', jobToken)).status).toBe(200);
    await waitFor('the job to complete', async () => (await s.job(jobId)).state === 'completed');
  });

  it('lets PUT /v1/a/{group} set RequireDeviceKey on any group, and off again', async () => {
    const s = await setup();
    expect((await s.api('/v1/a/store1', { method: 'PUT', body: JSON.stringify({ RequireDeviceKey: false }) })).status).toBe(200);
    expect((await s.api('/v1/a/store1')).body.RequireDeviceKey).toBe(false);
    expect((await new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC, { basicAuth: null }).poll()).status).toBe(200);
    expect((await s.api('/v1/a/store1', { method: 'PUT', body: JSON.stringify({ RequireDeviceKey: true }) })).status).toBe(200);
    expect((await new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC, { basicAuth: null }).poll()).status).toBe(401);
    // The key may also ride in the Server URL (?key=), for firmware without an authentication field.
    const inUrl = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1?key=${SimulatedStarPrinter.defaultKey}`, MAC, { basicAuth: null });
    expect((await inUrl.poll()).status).toBe(200);
  });
});

describe('CloudPRNT: guessing and flooding are refused early', () => {
  it('throttles wrong-MAC polls like bad keys: 429 AUTH_THROTTLED with Retry-After', async () => {
    const s = await setup({ limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 }, authFailures: { maxFailures: 5, windowSeconds: 60, blockSeconds: 120 } } });
    await s.api('/v1/a/store1', { method: 'PUT', body: JSON.stringify({ RequireDeviceKey: false }) });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const guess = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, `00:11:62:00:00:${String(i).padStart(2, '0')}`, { basicAuth: null });
      statuses.push((await guess.poll()).status);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const blocked = await fetch(`${s.gw.url}/cloudprnt/store1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ printerMAC: MAC }) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as any).error.code).toBe('AUTH_THROTTLED');
  });

  it('refuses 1,500 unauthenticated printers at a new auto-create group without storing anything', async () => {
    const s = await setup({ limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 }, authFailures: { maxFailures: 20, windowSeconds: 60, blockSeconds: 300 } } });
    expect((await s.api('/v1/a', { method: 'POST', body: JSON.stringify({ Name: 'Open', MatchPath: 'open', AutoCreateDeviceQueue: true }) })).status).toBe(201);
    const counts = new Map<number, number>();
    for (let i = 0; i < 1500; i += 1) {
      const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const res = await fetch(`${s.gw.url}/cloudprnt/open`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ printerMAC: mac, statusCode: '200%20OK' }) });
      await res.arrayBuffer();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    }
    expect(counts.get(401)).toBe(20);
    expect(counts.get(429)).toBe(1480);
    // The flooding address is refused everywhere now, even with a good key; the database tells the rest.
    expect((await s.api('/v1/a/open/d')).status).toBe(429);
    expect(s.gw.gateway.db.prepare("SELECT COUNT(*) AS n FROM printers WHERE group_path = 'open'").get()).toEqual({ n: 0 });
    expect(s.gw.gateway.db.prepare('SELECT COUNT(*) AS n FROM cloudprnt_devices').get()).toEqual({ n: 0 });
  });

  it('admits new printers at a keyless auto-create group no faster than cloudprnt.autoCreate.newDevicesPerMinute', async () => {
    const s = await setup();
    await s.api('/v1/a', { method: 'POST', body: JSON.stringify({ Name: 'Open', MatchPath: 'open', AutoCreateDeviceQueue: true, RequireDeviceKey: false }) });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) {
      const printer = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/open`, `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, { basicAuth: null });
      statuses.push((await printer.poll()).status);
    }
    // The default is 10 a minute: the eleventh newcomer waits, told when to come back.
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
    expect((await s.api('/v1/a/open/d')).body).toHaveLength(10);
    const refused = await new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/open`, '02:00:00:00:02:00', { basicAuth: null }).poll();
    expect((refused.answer as any).error.code).toBe('CLOUDPRNT_JOIN_RATE');
  });
});

describe('CloudPRNT: what a printer says about itself', () => {
  it('bounds the poll interval a printer reports, and ignores answers nobody asked for (an impostor cannot change it)', async () => {
    const s = await setup();
    await s.api('/v1/a/store1', { method: 'PUT', body: JSON.stringify({ RequireDeviceKey: false }) });
    const printer = new SimulatedStarPrinter(`${s.gw.url}/cloudprnt/store1`, MAC, { basicAuth: null, pollSeconds: 3600 });
    expect((await printer.poll()).status).toBe(200);
    const stored = (): unknown => s.gw.gateway.db.prepare('SELECT poll_seconds AS seconds FROM cloudprnt_devices WHERE mac = ?').get(MAC);
    expect(stored()).toEqual({ seconds: 120 });
    // An impostor sends answers of its own: a 1-hour interval would keep a dead printer "online" for 3 hours.
    const forged = await fetch(`${s.gw.url}/cloudprnt/store1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ printerMAC: MAC, statusCode: '200%20OK', clientAction: [{ request: 'GetPollInterval', result: '1' }, { request: 'PageInfo', result: { printWidth: '10' } }] }),
    });
    expect(forged.status).toBe(200);
    expect(stored()).toEqual({ seconds: 120 });
    expect(s.gw.gateway.db.prepare('SELECT print_width_mm AS mm FROM cloudprnt_devices WHERE mac = ?').get(MAC)).toEqual({ mm: 72 });
  });
});
