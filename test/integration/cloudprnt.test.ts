import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStar, eventsOf, printedLines } from '../helpers/receipt-decoder.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { SimulatedStarPrinter } from '../peers/simulated-star-printer.js';
import { startWebhookReceiver } from '../peers/webhook-receiver.js';

const MAC = '00:11:62:1d:9a:b7';
let gw: TestGateway;
let key: string;
let appId: string;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}${path}`, { ...init, headers: { 'Star-Api-Key': key, ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

async function print(group: string, device: string, body: string | Uint8Array, type = 'text/vnd.star.markup', query = ''): Promise<string> {
  const res = await api(`/v1/a/${group}/d/${device}/q${query}`, { method: 'POST', headers: { 'Content-Type': type }, body });
  expect(res.status).toBe(201);
  return res.body.JobId as string;
}

const job = async (id: string): Promise<any> => (await api(`/api/v1/jobs/${id}`)).body;
const waitForJob = (id: string, state: string): Promise<any> =>
  waitFor(`job ${id} to be ${state}`, async () => {
    const current = await job(id);
    return current.state === state ? current : null;
  });

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(255);
  for (let x = 0; x < width; x += 1) image.data.fill(0, (x * 4) % image.data.length, ((x * 4) % image.data.length) + 3);
  return PNG.sync.write(image);
}

beforeAll(async () => {
  gw = await startTestGateway({
    webhooks: { allowPrivateTargets: ['127.0.0.1'] }, // the test's receivers listen on loopback
    jobs: { retryInitialMs: 50, retryMaxMs: 200, connectTimeoutMs: 2000, confirmTimeoutMs: 2000 },
    limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 } },
    printers: [
      { name: 'Counter', group: 'store1', uri: `cloudprnt:${MAC}`, language: 'starprnt' },
      { name: 'Bar', group: 'store1', uri: 'cloudprnt://00-11-62-aa-bb-01', language: 'starprnt' },
    ],
  });
  key = gw.createKey(['EnumDevices', 'ViewDevice', 'PrintToDevice', 'ViewJobs', 'CreateDeviceGroups', 'ModifyDeviceGroups', 'ViewDeviceGroups', 'FlushQueue', 'ManageNotifications']).key;
  SimulatedStarPrinter.defaultKey = gw.createKey(['PrintToDevice'], { name: 'cloudprnt printers' }).key;
  const devices = (await api('/v1/a/store1/d')).body as any[];
  appId = devices.find((device) => device.Id === 'Counter').AccessIdentifier;
});

afterAll(async () => {
  await gw?.stop();
});

describe('CloudPRNT server: a configured printer', () => {
  const printer = (): SimulatedStarPrinter => new SimulatedStarPrinter(`${gw.url}/cloudprnt/store1`, MAC);

  it('asks ClientType, PageInfo and the poll interval on first contact, then answers jobReady false on an empty queue', async () => {
    const sim = printer();
    const { status, answer } = await sim.poll();
    expect(status).toBe(200);
    expect(sim.asked).toEqual(expect.arrayContaining(['ClientType', 'PageInfo', 'GetPollInterval']));
    expect(answer).toEqual({ jobReady: false });
    // Asked once: the next poll (MAC in capitals, as some firmware sends it) gets the minimum answer.
    const res = await fetch(`${gw.url}/cloudprnt/store1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`printer:${SimulatedStarPrinter.defaultKey}`).toString('base64')}` },
      body: JSON.stringify({ printerMAC: MAC.toUpperCase(), statusCode: '200%20OK' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ jobReady: false });
  });

  it('prints markup: jobReady with media types, GET as StarPRNT (same bytes twice), DELETE 200 completes the job', async () => {
    const sim = printer();
    const jobId = await print('store1', appId, '[align: centre][bold]Hello CloudPRNT[bold: off]\nSecond line\n[cut]');
    const answer = await sim.pollUntilJob();
    expect(answer.mediaTypes?.[0]).toBe('application/vnd.star.starprnt');
    expect(answer.jobToken).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.deleteMethod).toBe('DELETE');
    expect((await job(jobId)).state).toBe('processing');

    const res = await sim.fetchJob('application/vnd.star.starprnt', answer.jobToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.star.starprnt');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const events = decodeStar(bytes);
    expect(printedLines(events).map((line) => line.trim())).toEqual(expect.arrayContaining(['Hello CloudPRNT', 'Second line']));
    expect(eventsOf(events, 'bold')[0]).toEqual({ type: 'bold', on: true });
    expect(eventsOf(events, 'cut')).toHaveLength(1);
    // GET is side-effect free: the same job again, still not completed.
    const again = new Uint8Array(await (await sim.fetchJob('application/vnd.star.starprnt', answer.jobToken)).arrayBuffer());
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    expect((await job(jobId)).state).toBe('processing');

    expect((await sim.confirm('200 OK', answer.jobToken)).status).toBe(200);
    const done = await waitForJob(jobId, 'completed');
    expect(done.stateReason).toBeNull();
    // A repeated DELETE of the same job is harmless; the queue is empty again.
    expect((await sim.confirm('200 OK', answer.jobToken)).status).toBe(200);
    expect((await sim.poll()).answer).toEqual({ jobReady: false });
  });

  it('offers text/plain and image/png documents as they are, next to the rendered StarPRNT', async () => {
    const sim = printer();
    const textJob = await print('store1', appId, 'Grüße aus der Küche\n', 'text/plain');
    const textAnswer = await sim.pollUntilJob();
    expect(textAnswer.mediaTypes).toEqual(['application/vnd.star.starprnt', 'text/plain']);
    const text = await sim.fetchJob('text/plain', textAnswer.jobToken);
    expect(text.headers.get('content-type')).toBe('text/plain');
    expect(await text.text()).toBe('Grüße aus der Küche\n');
    await sim.confirm('200%20OK', textAnswer.jobToken);
    await waitForJob(textJob, 'completed');

    const image = png(40, 10);
    const imageJob = await print('store1', appId, image, 'image/png');
    const imageAnswer = await sim.pollUntilJob();
    expect(imageAnswer.mediaTypes).toEqual(['application/vnd.star.starprnt', 'image/png']);
    const fetched = await sim.fetchJob('image/png', imageAnswer.jobToken);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(image)).toBe(true);
    // A type that was not offered is refused with the offered list.
    const refused = await sim.fetchJob('application/vnd.star.line', imageAnswer.jobToken);
    expect(refused.status).toBe(415);
    expect(((await refused.json()) as any).error.details.accepted).toEqual(['application/vnd.star.starprnt', 'image/png']);
    await sim.confirm('200', imageAnswer.jobToken);
    await waitForJob(imageJob, 'completed');

    // Copies cannot be carried by a plain text document: only the rendered stream is offered.
    const copiesJob = await print('store1', appId, 'twice\n', 'text/plain', '?copies=2');
    const copiesAnswer = await sim.pollUntilJob();
    expect(copiesAnswer.mediaTypes).toEqual(['application/vnd.star.starprnt']);
    const twice = printedLines(decodeStar(new Uint8Array(await (await sim.fetchJob('application/vnd.star.starprnt', copiesAnswer.jobToken)).arrayBuffer())));
    expect(twice.filter((line) => line === 'twice')).toHaveLength(2);
    await sim.confirm('200', copiesAnswer.jobToken);
    await waitForJob(copiesJob, 'completed');
  });

  it('retries a job the printer answers with 520 (download timeout) under a new token', async () => {
    const sim = printer();
    const jobId = await print('store1', appId, 'retry me\n', 'text/plain');
    const first = await sim.pollUntilJob();
    expect((await sim.confirm('520%20Download%20timeout', first.jobToken)).status).toBe(200);
    const second = await sim.pollUntilJob();
    expect(second.jobToken).not.toBe(first.jobToken);
    // The old token names no job any more.
    expect((await sim.fetchJob('text/plain', first.jobToken)).status).toBe(404);
    expect(await (await sim.fetchJob('text/plain', second.jobToken)).text()).toBe('retry me\n');
    await sim.confirm('200 OK', second.jobToken);
    const done = await waitForJob(jobId, 'completed');
    expect(done.attempts).toBe(2);
  });

  // Deliberate behaviour change to follow Star's CloudPRNT spec (star-api-research.md §6.3, issue 6
  // item 9), not a loosened test: a 4xx answer used to hold the job; Star clears every non-2xx,
  // non-520 job as failed, and the job/failed webhook carries the printer's own Code.
  it('clears a job the printer fails (411 jam, 511 decode error) as aborted, with its code in job/failed; 2xx codes in job/completed', async () => {
    const sim = printer();
    const receiver = await startWebhookReceiver();
    const target = await api('/v1/a/store1/n', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Url: `${receiver.url}/jobs`, Events: ['job'] }) });
    expect(target.status).toBe(201);
    const eventFor = (name: string, sub: string): Promise<any> =>
      waitFor(`job/${sub} for ${name}`, () => {
        const hit = receiver.accepted().find((r) => r.json().SubType === sub && (r.json().EventData as any)?.JobName === name);
        return hit ? hit.json() : null;
      });
    try {
      const jammed = await print('store1', appId, 'paper jam\n', 'text/plain', '?name=Jammed');
      const jamAnswer = await sim.pollUntilJob();
      expect((await sim.confirm('411 Paper jam', jamAnswer.jobToken)).status).toBe(200);
      const aborted = await waitForJob(jammed, 'aborted');
      expect(aborted.stateReason).toBe('printer-rejected-job');
      // Cleared, not retried: one attempt, and the next poll has nothing for the printer.
      expect(aborted.attempts).toBe(1);
      expect((await sim.poll()).answer.jobReady).toBe(false);
      const jamFailed = await eventFor('Jammed', 'failed');
      expect(jamFailed).toMatchObject({ EventType: 'job', DeviceGroup: { Path: 'store1' }, Device: { AppID: appId } });
      expect(jamFailed.EventData).toMatchObject({ JobName: 'Jammed', Code: 411, CodeDescription: 'Paper jam' });

      // A document error (5xx) stays distinguishable from a printer error (4xx); URL-encoded as printers send it.
      const broken = await print('store1', appId, 'cannot decode\n', 'text/plain', '?name=Broken');
      const answer = await sim.pollUntilJob();
      await sim.confirm('511%20Decode%20error', answer.jobToken);
      expect((await waitForJob(broken, 'aborted')).stateReason).toBe('document-format-error');
      expect((await eventFor('Broken', 'failed')).EventData).toMatchObject({ Code: 511, CodeDescription: 'Decode error' });

      // A 2xx that is not 200 is still printed, and job/completed carries that code; digits alone get Star's text.
      const low = await print('store1', appId, 'paper low\n', 'text/plain', '?name=Low');
      const lowAnswer = await sim.pollUntilJob();
      await sim.confirm('211 Paper low', lowAnswer.jobToken);
      expect((await waitForJob(low, 'completed')).stateReason).toBeNull();
      expect((await eventFor('Low', 'completed')).EventData).toMatchObject({ JobName: 'Low', Code: 211, CodeDescription: 'Paper low' });
      const plain = await print('store1', appId, 'plain ok\n', 'text/plain', '?name=Plain');
      await sim.confirm('200', (await sim.pollUntilJob()).jobToken);
      await waitForJob(plain, 'completed');
      expect((await eventFor('Plain', 'completed')).EventData).toMatchObject({ Code: 200, CodeDescription: 'OK' });
    } finally {
      await api(`/v1/a/store1/n/${target.body.Id}`, { method: 'DELETE' });
      await receiver.close();
    }
  });

  it('turns the poll status into the Star device view: 13 flags, Mac and LastConnection', async () => {
    const sim = printer();
    sim.statusCode = '410%20Out%20of%20paper';
    sim.status = '23 86 20 00 00 00 00 00 00';
    await sim.poll();
    const device = (await api(`/v1/a/store1/d/${appId}`)).body;
    expect(device.Mac).toBe(MAC);
    expect(device.Status).toMatchObject({ Online: true, PaperEmpty: true, CoverOpen: true, PaperLow: false, CutterError: false });
    expect(Object.keys(device.Status)).toHaveLength(13);
    expect(device.LastConnection).toBeGreaterThanOrEqual(0);
    expect(device.LastConnection).toBeLessThan(5);
    const printerView = (await api('/api/v1/printers/counter')).body;
    expect(printerView.reasons).toEqual(expect.arrayContaining(['media-empty', 'cover-open']));
    sim.statusCode = '200%20OK';
    sim.status = '23 86 00 00 00 00 00 00 00';
    await sim.poll();
    expect((await api(`/v1/a/store1/d/${appId}`)).body.Status).toMatchObject({ PaperEmpty: false, CoverOpen: false });
  });

  it('leaks nothing and serves nothing to a printer that is not the one the job waits for', async () => {
    const sim = printer();
    const jobId = await print('store1', appId, 'private receipt\n', 'text/plain');
    const answer = await sim.pollUntilJob();
    const stranger = new SimulatedStarPrinter(`${gw.url}/cloudprnt/store1`, '00:11:62:ff:ff:ff');
    const unknown = await stranger.poll();
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.answer)).not.toContain('private');
    expect((await stranger.fetchJob('text/plain', answer.jobToken)).status).toBe(404);
    expect((await stranger.confirm('200', answer.jobToken)).status).toBe(404);
    // The other configured printer of the group has no job: nothing to fetch, nothing to close.
    const bar = new SimulatedStarPrinter(`${gw.url}/cloudprnt/store1`, '00:11:62:aa:bb:01');
    expect((await bar.poll()).answer.jobReady).toBe(false);
    expect((await bar.fetchJob('text/plain')).status).toBe(404);
    // The right printer with a wrong token gets nothing either; the group path must match too.
    expect((await sim.fetchJob('text/plain', 'f'.repeat(32))).status).toBe(404);
    expect((await new SimulatedStarPrinter(`${gw.url}/cloudprnt/nosuchgroup`, MAC).poll()).status).toBe(404);
    expect((await job(jobId)).state).toBe('processing');
    await sim.confirm('200', answer.jobToken);
    await waitForJob(jobId, 'completed');
  });

  it('marks a printer that stops polling stopped/offline; its job waits and prints once it polls again', async () => {
    const sim = printer();
    await sim.poll();
    // GetPollInterval said 1 s: three missed polls make it offline.
    await waitFor('the printer to go offline', async () => {
      const view = (await api('/api/v1/printers/counter')).body;
      return view.state === 'stopped' && view.reasons.includes('offline');
    }, 10_000, 100);
    expect((await api(`/v1/a/store1/d/${appId}`)).body.Status.Online).toBe(false);
    const jobId = await print('store1', appId, 'waits for the printer\n', 'text/plain');
    await waitFor('the job to wait as pending', async () => {
      const current = await job(jobId);
      return current.state === 'pending' && current.stateReason === 'printer-offline' ? current : null;
    });
    const answer = await sim.pollUntilJob();
    expect((await api('/api/v1/printers/counter')).body.reasons).not.toContain('offline');
    expect(await (await sim.fetchJob('text/plain', answer.jobToken)).text()).toBe('waits for the printer\n');
    await sim.confirm('200', answer.jobToken);
    await waitForJob(jobId, 'completed');
  });
});

describe('CloudPRNT server: printers joining a group', () => {
  it('adds an unknown printer to a group with AutoCreateDeviceQueue, at the width its PageInfo reports', async () => {
    expect((await api('/v1/a', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Name: 'Cafe', MatchPath: 'cafe', AutoCreateDeviceQueue: true }) })).status).toBe(201);
    const receiver = await startWebhookReceiver();
    const target = await api('/v1/a/cafe/n', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Url: `${receiver.url}/c`, Events: ['connection'] }) });
    expect(target.status).toBe(201);
    const mac = '00:11:62:0a:0b:0c';
    const sim = new SimulatedStarPrinter(`${gw.url}/cloudprnt/cafe`, mac, { clientType: 'Star mC-Print2', paperWidth: '58', printWidth: '48' });
    const { status, answer } = await sim.poll();
    expect(status).toBe(200);
    expect(answer.jobReady).toBe(false);
    const devices = (await api('/v1/a/cafe/d')).body as any[];
    expect(devices).toHaveLength(1);
    const device = devices[0];
    expect(device).toMatchObject({ Mac: mac, ClientType: 'Star mC-Print2', PaperWidthMM: 58, PrintableWidthMM: 48, HorizontalResolution: 8 });
    expect(device.Status.Online).toBe(true);
    const [added] = await receiver.waitForAccepted(1);
    await receiver.close();
    expect(JSON.parse(added!.body)).toMatchObject({ EventType: 'connection', SubType: 'added_new', DeviceGroup: { Path: 'cafe' }, Device: { AppID: device.AccessIdentifier } });

    // 48 mm at 8 dots/mm: 32 columns, so a column line is 32 characters wide.
    const jobId = await print('cafe', device.AccessIdentifier, '[column: left Coffee; right 3.50]\n[cut]');
    const ready = await sim.pollUntilJob();
    const lines = printedLines(decodeStar(new Uint8Array(await (await sim.fetchJob('application/vnd.star.starprnt', ready.jobToken)).arrayBuffer())));
    const line = lines.find((text) => text.startsWith('Coffee'));
    expect(line).toBeDefined();
    expect(line).toHaveLength(32);
    expect(line!.endsWith('3.50')).toBe(true);
    await sim.confirm('200 OK', ready.jobToken);
    await waitForJob(jobId, 'completed');
  });

  it('refuses an unknown printer in a group without AutoCreateDeviceQueue, and keeps a known printer out of another group', async () => {
    expect((await api('/v1/a', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Name: 'Closed', MatchPath: 'closed' }) })).status).toBe(201);
    const stranger = new SimulatedStarPrinter(`${gw.url}/cloudprnt/closed`, '00:11:62:99:99:99');
    const answer = await stranger.poll();
    expect(answer.status).toBe(404);
    expect((answer.answer as any).error.code).toBe('NOT_FOUND');
    expect((await api('/v1/a/closed/d')).body).toEqual([]);
    // A configured printer polling another group's URL is not moved there.
    expect((await new SimulatedStarPrinter(`${gw.url}/cloudprnt/cafe`, MAC).poll()).status).toBe(404);
    // MQTT-capable firmware first asks for cloudprnt-setting.json next to the URL: 404 keeps it on HTTP polling.
    expect((await fetch(`${gw.url}/cloudprnt/cloudprnt-setting.json?mac=${encodeURIComponent(MAC)}&replaced_path=store1`)).status).toBe(404);
    // A poll without a MAC is malformed.
    const bad = await fetch(`${gw.url}/cloudprnt/cafe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`printer:${SimulatedStarPrinter.defaultKey}`).toString('base64')}` },
      body: '{"statusCode":"200%20OK"}',
    });
    expect(bad.status).toBe(400);
  });

  it('answers a group with RequireDeviceKey only with an API key (PrintToDevice) as the CloudPRNT password', async () => {
    const create = { Name: 'Locked', MatchPath: 'locked', AutoCreateDeviceQueue: true, RequireDeviceKey: true };
    expect((await api('/v1/a', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(create) })).status).toBe(201);
    const mac = '00:11:62:0d:0e:0f';
    const url = `${gw.url}/cloudprnt/locked`;
    const without = await new SimulatedStarPrinter(url, mac, { basicAuth: null }).poll();
    expect(without.status).toBe(401);
    expect((without.answer as any).error.code).toBe('UNAUTHORIZED');
    expect((await new SimulatedStarPrinter(url, mac, { basicAuth: 'printer:pgk_live_' + '0'.repeat(64) }).poll()).status).toBe(401);
    const viewer = gw.createKey(['ViewDevice']).key;
    expect((await new SimulatedStarPrinter(url, mac, { basicAuth: `printer:${viewer}` }).poll()).status).toBe(403);
    const elsewhere = gw.createKey(['PrintToDevice'], { groups: ['cafe'] }).key;
    expect((await new SimulatedStarPrinter(url, mac, { basicAuth: `printer:${elsewhere}` }).poll()).status).toBe(404);
    expect((await api('/v1/a/locked/d')).body).toEqual([]);

    const deviceKey = gw.createKey(['PrintToDevice'], { groups: ['locked'] }).key;
    const sim = new SimulatedStarPrinter(url, mac, { basicAuth: `printer:${deviceKey}` });
    expect((await sim.poll()).status).toBe(200);
    const device = ((await api('/v1/a/locked/d')).body as any[])[0];
    expect(device.Mac).toBe(mac);
    const jobId = await print('locked', device.AccessIdentifier, 'locked receipt\n', 'text/plain');
    const answer = await sim.pollUntilJob();
    // Even with the right MAC and token, a request without the key gets nothing.
    expect((await new SimulatedStarPrinter(url, mac, { basicAuth: null }).fetchJob('text/plain', answer.jobToken)).status).toBe(401);
    expect(await (await sim.fetchJob('text/plain', answer.jobToken)).text()).toBe('locked receipt\n');
    expect((await sim.confirm('200 OK', answer.jobToken)).status).toBe(200);
    await waitForJob(jobId, 'completed');
  });
});
