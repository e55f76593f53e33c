import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/** The status page's routes without a browser: access, what the data holds and hides, the live feed, TLS. */

let gw: TestGateway;
let sink: TcpSink;
const keys: Record<string, string> = {};

beforeAll(async () => {
  sink = await startTcpSink();
  gw = await startTestGateway({
    printers: [
      { name: 'Kitchen', group: 'store1', uri: sink.uri, language: 'escpos' },
      { name: 'Bar', group: 'store2', uri: sink.uri, language: 'escpos' },
    ],
  });
  keys.status = gw.createKey(['ViewStatus'], { name: 'tech' }).key;
  keys.store2 = gw.createKey(['ViewStatus'], { name: 'store2 tech', groups: ['store2'] }).key;
  keys.jobs = gw.createKey(['ViewJobs'], { name: 'jobs only' }).key;
  keys.print = gw.createKey(['PrintToDevice'], { name: 'till' }).key;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

const get = (path: string, key?: string): Promise<Response> => fetch(`${gw.url}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });

async function print(printer: string, text: string): Promise<string> {
  const answer = await fetch(`${gw.url}/api/v1/printers/${printer}/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.print}`, 'Content-Type': 'text/plain' },
    body: text,
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { id: string }).id;
}

/** Reads SSE frames from a fetch body until `done` says so (bounded). */
async function readFrames(answer: Response, done: (frames: { event: string; data: any }[]) => boolean, timeoutMs = 10_000): Promise<{ event: string; data: any }[]> {
  const reader = answer.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: { event: string; data: any }[] = [];
  let buffer = '';
  const timer = setTimeout(() => void reader.cancel('timeout'), timeoutMs);
  try {
    while (!done(frames)) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error(`stream ended after ${frames.map((f) => f.event).join(', ')}`);
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
        const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
        if (event && data) frames.push({ event, data: JSON.parse(data) });
      }
    }
    return frames;
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => undefined);
  }
}

describe('the status page routes', () => {
  it('serves the page and its files without a key, under a policy that allows only its own origin', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/status/app.js">');
    expect(html).not.toMatch(/https?:\/\//); // no CDN, nothing from elsewhere
    const script = await get('/status/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).not.toMatch(/new EventSource|[?&]key=/); // the key never goes in a URL
    expect((await get('/status/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const missing = await get('/status/secret.txt');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('GET /api/v1/status needs ViewStatus and shows printers, queues, jobs, keys, cloud, TLS and errors, no secret', async () => {
    expect((await get('/api/v1/status')).status).toBe(401);
    const refused = await get('/api/v1/status', keys.jobs);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', details: { required: 'ViewStatus' } });

    const jobId = await print('kitchen', 'status page\n');
    const answer = await get('/api/v1/status', keys.status);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const text = await answer.text();
    for (const secret of Object.values(keys)) expect(text).not.toContain(secret);
    const status = JSON.parse(text);
    expect(status.gateway).toMatchObject({ version: expect.any(String), status: 'ok', problems: [], db: 'ok' });
    expect(status.printers.map((p: { id: string }) => p.id).sort()).toEqual(['bar', 'kitchen']);
    expect(status.printers[0]).toMatchObject({ state: expect.any(String), reasons: expect.any(Array), source: 'config', queuedJobs: expect.any(Number), heldJobs: 0 });
    expect(status.jobs[0]).toMatchObject({ id: jobId, printerId: 'kitchen', preview: `/api/v1/status/jobs/${jobId}/preview.png` });
    expect(status.keys.map((k: { name: string }) => k.name).sort()).toEqual(['jobs only', 'store2 tech', 'tech', 'till']);
    expect(status.keys[0].hint).toMatch(/^pgk_live_…[0-9a-f]{4}$/);
    expect(status).toMatchObject({ cloud: null, tls: null, errors: [] });

    // A ViewStatus key may read the preview through the status route; the jobs route still wants ViewJobs.
    const preview = await get(status.jobs[0].preview, keys.status);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect((await get(`/api/v1/jobs/${jobId}/preview.png`, keys.status)).status).toBe(403);
  });

  it('limits a group-limited key to its groups: printers, jobs, keys', async () => {
    const kitchenJob = await print('kitchen', 'for store1\n');
    const barJob = await print('bar', 'for store2\n');
    const status = (await (await get('/api/v1/status', keys.store2)).json()) as any;
    expect(status.printers.map((p: { id: string }) => p.id)).toEqual(['bar']);
    const ids = status.jobs.map((j: { id: string }) => j.id);
    expect(ids).toContain(barJob);
    expect(ids).not.toContain(kitchenJob);
    expect(status.keys.map((k: { name: string }) => k.name)).toEqual(['store2 tech']);
    expect((await get(`/api/v1/status/jobs/${kitchenJob}/preview.png`, keys.store2)).status).toBe(404);
  });

  it('GET /api/v1/status/events opens with a snapshot, then sends the job and its printer as they change', async () => {
    const controller = new AbortController();
    const answer = await fetch(`${gw.url}/api/v1/status/events`, { headers: { Authorization: `Bearer ${keys.status}` }, signal: controller.signal });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    let jobId = '';
    const frames = await readFrames(answer, (seen) => {
      if (seen.length === 1 && jobId === '') void print('kitchen', 'live\n').then((id) => (jobId = id));
      return seen.some((f) => f.event === 'job' && f.data.id === jobId && f.data.state === 'completed');
    });
    controller.abort();
    expect(frames[0]!.event).toBe('snapshot');
    expect(frames[0]!.data.printers.length).toBe(2);
    const job = frames.find((f) => f.event === 'job' && f.data.id === jobId)!;
    expect(job.data.preview).toBe(`/api/v1/status/jobs/${jobId}/preview.png`);
    const printer = frames.find((f) => f.event === 'printer' && f.data.id === 'kitchen');
    expect(printer?.data).toMatchObject({ id: 'kitchen', source: 'config', queuedJobs: expect.any(Number), heldJobs: 0 });
  });

  it('keeps the errors it saw in a ring: a printer that went offline is one entry', async () => {
    const port = sink.port;
    await sink.close();
    const jobId = await print('kitchen', 'while off\n');
    const deadline = Date.now() + 15_000;
    let status: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await (await get('/api/v1/status', keys.status)).json();
    } while (!status.errors.some((e: { source: string }) => e.source === 'printer') && Date.now() < deadline);
    const printerErrors = status.errors.filter((e: { source: string; printerId: string }) => e.source === 'printer' && e.printerId === 'kitchen');
    expect(printerErrors).toHaveLength(1);
    expect(printerErrors[0]).toMatchObject({ code: 'offline', message: expect.stringContaining('connection refused'), groupPath: 'store1' });
    expect(status.errors.some((e: { jobId: string | null; code: string }) => e.jobId === jobId && e.code === 'PRINTER_UNREACHABLE')).toBe(true);
    // The store2 technician does not see store1's errors.
    const other = (await (await get('/api/v1/status', keys.store2)).json()) as any;
    expect(other.errors.filter((e: { groupPath: string }) => e.groupPath !== 'store2')).toEqual([]);
    sink = await startTcpSink({ port });
    await sink.waitForText('while off', 20_000);
  });
});

describe('the status page with TLS on', () => {
  it('shows the fingerprint of the certificate HTTPS serves', async () => {
    const secure = await startTestGateway({ server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1, tls: { enabled: true, port: 0 } } });
    try {
      const key = secure.createKey(['ViewStatus']).key;
      const status = (await (await fetch(`${secure.url}/api/v1/status`, { headers: { Authorization: `Bearer ${key}` } })).json()) as any;
      const served = await new Promise<string>((resolve, reject) => {
        const url = new URL(secure.gateway.httpsUrl!);
        const socket = tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.once('error', reject);
      });
      expect(status.tls).toMatchObject({ source: 'generated', sha256: served, spkiSha256: expect.any(String), names: expect.arrayContaining(['localhost']) });
    } finally {
      await secure.stop();
    }
  });
});
