import { afterEach, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const ESC_INIT = Buffer.from([0x1b, 0x40]);
const PARTIAL_CUT = Buffer.from([0x1d, 0x56, 0x01]);

let gateway: TestGateway | undefined;
const sinks: TcpSink[] = [];

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function sink(): Promise<TcpSink> {
  const started = await startTcpSink();
  sinks.push(started);
  return started;
}

function printer(name: string, appId: string, uri: string, language: string) {
  return { name, group: 'store1', appId, uri, language };
}

async function print(url: string, path: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body });
}

// Idempotency-Key, QUEUE_FULL and 413 are the jobs service's (test/unit/jobs/jobs-service.test.ts) and,
// over HTTP, Star's documented behaviour (star-conformance.test.ts); not tested again here.
describe('printing a Star API job to a raw TCP printer', () => {
  it('accepts the key in each of the three places and delivers raw bodies byte for byte', async () => {
    const raw = await sink();
    gateway = await startTestGateway({ printers: [printer('Raw', 'raw01', raw.uri, 'raw')] });
    const { key } = gateway.createKey(['PrintToDevice']);
    const bodies = [Buffer.from('first\n'), Buffer.from([0x00, 0xff, 0x1b, 0x40, 0x0a]), Buffer.from('third é\n')];
    const answers = [
      await print(gateway.url, '/v1/a/store1/d/raw01/q', bodies[0]!, { authorization: `Bearer ${key}` }),
      await print(gateway.url, '/v1/a/store1/d/raw01/q', bodies[1]!, { 'star-api-key': key, 'content-type': 'application/octet-stream' }),
      await print(gateway.url, `/v1/a/store1/d/raw01/q?key=${key}`, bodies[2]!, {}),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      const body = (await answer.json()) as { JobId: string; QueuedJobs: number };
      expect(body.JobId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isInteger(body.QueuedJobs)).toBe(true);
      expect(answer.headers.get('location')).toBe(`/api/v1/jobs/${body.JobId}`);
    }
    // Byte for byte and in order (jobs queued together may share one connection).
    const all = Buffer.concat(bodies);
    await waitFor('the three bodies at the sink', () => Buffer.concat(raw.jobs()).length >= all.length);
    expect(Buffer.concat(raw.jobs())).toEqual(all);
  });

  it('renders text/plain for escpos: initialise, text in a code page that holds it, feed, cut', async () => {
    const kitchen = await sink();
    gateway = await startTestGateway({ printers: [printer('Kitchen', 'kitchen01', kitchen.uri, 'escpos')] });
    const { key } = gateway.createKey(['PrintToDevice']);
    const answer = await print(gateway.url, '/v1/a/store1/d/kitchen01/q', 'Grüße €5\nПривет ✓\n', { authorization: `Bearer ${key}` });
    expect(answer.status).toBe(201);
    const [bytes] = await kitchen.waitForJobs(1);
    expect(bytes!.subarray(0, 2)).toEqual(ESC_INIT);
    // ü in CP437 (0x81), ß (0xE1); € is not in CP437: a page holding it at 0xD5 (Epson's PC858, ESC t 19);
    // Cyrillic in CP866 (ESC t 17); ✓ in no page → "?".
    expect(bytes!.includes(Buffer.from([0x1b, 0x74, 0x00, 0x47, 0x72, 0x81, 0xe1, 0x65]))).toBe(true);
    expect(bytes!.includes(Buffer.from([0x1b, 0x74, 0x13, 0xd5, 0x35]))).toBe(true);
    expect(bytes!.includes(Buffer.from([0x1b, 0x74, 0x11, 0x8f, 0xe0, 0xa8, 0xa2, 0xa5, 0xe2, 0x20, 0x3f]))).toBe(true);
    expect(bytes!.includes(PARTIAL_CUT)).toBe(true);
    expect(bytes!.subarray(bytes!.indexOf(PARTIAL_CUT) - 4, bytes!.indexOf(PARTIAL_CUT))).toEqual(Buffer.from('\n\n\n\n'));
    // No UTF-8 leaked through (that would print as mojibake): ü = C3 BC, € = E2 82 AC.
    expect(bytes!.includes(Buffer.from([0xc3, 0xbc]))).toBe(false);
    expect(bytes!.includes(Buffer.from([0xe2, 0x82, 0xac]))).toBe(false);
  });

  it('language auto speaks the profile\'s language, else ESC/POS on a socket', async () => {
    const label = await sink();
    const receipt = await sink();
    gateway = await startTestGateway({
      printers: [
        { ...printer('Labels', 'labels01', label.uri, 'auto'), profile: 'zebra-203dpi' },
        printer('Counter', 'counter01', receipt.uri, 'auto'),
      ],
    });
    const { key } = gateway.createKey(['PrintToDevice']);
    expect((await print(gateway.url, '/v1/a/store1/d/labels01/q', 'SKU 42\n', { authorization: `Bearer ${key}` })).status).toBe(201);
    expect((await print(gateway.url, '/v1/a/store1/d/counter01/q', 'Table 7\n', { authorization: `Bearer ${key}` })).status).toBe(201);
    const [zpl] = await label.waitForJobs(1);
    expect(zpl!.toString('latin1')).toMatch(/^\^XA[\s\S]*\^XZ\s*$/);
    const [escpos] = await receipt.waitForJobs(1);
    expect(escpos!.subarray(0, 2)).toEqual(ESC_INIT);
    expect(escpos!.includes(Buffer.from('Table 7'))).toBe(true);
  });

  it('keeps the job pending while the printer is down and delivers it once it comes up', async () => {
    const probe = await startTcpSink();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    gateway = await startTestGateway({ printers: [printer('Late', 'late01', `socket://127.0.0.1:${port}`, 'raw')] });
    const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'EnumDevices']);
    const answer = await print(gateway.url, '/v1/a/store1/d/late01/q', 'arrives late', { authorization: `Bearer ${key}` });
    expect(answer.status).toBe(201);
    const { JobId } = (await answer.json()) as { JobId: string };
    const auth = { authorization: `Bearer ${key}` };
    await waitFor('the printer to be stopped/offline', async () => {
      const printers = (await (await fetch(`${gateway!.url}/api/v1/printers`, { headers: auth })).json()) as { data: { state: string; reasons: string[] }[] };
      return printers.data[0]?.state === 'stopped' && printers.data[0].reasons.includes('offline');
    });
    const waiting = (await (await fetch(`${gateway.url}/api/v1/jobs/${JobId}`, { headers: auth })).json()) as { state: string; stateReason: string };
    expect(waiting).toMatchObject({ state: 'pending', stateReason: 'printer-offline' });

    const late = await startTcpSink({ port });
    sinks.push(late);
    const [bytes] = await late.waitForJobs(1, 15_000);
    expect(bytes!.toString()).toBe('arrives late');
    const done = await waitFor('the job to complete', async () => {
      const job = (await (await fetch(`${gateway!.url}/api/v1/jobs/${JobId}`, { headers: auth })).json()) as { state: string; attempts: number };
      return job.state === 'completed' ? job : null;
    });
    expect(done.attempts).toBe(1);
    // Logged once at error, then quietly.
    expect(gateway.logs.find('printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(gateway.logs.find('printer back online')).toHaveLength(1);
  });

  it('prints jobs of one printer in the order they were accepted', async () => {
    const raw = await sink();
    gateway = await startTestGateway({ printers: [printer('Raw', 'raw01', raw.uri, 'raw')] });
    const { key } = gateway.createKey(['PrintToDevice']);
    for (let i = 0; i < 20; i += 1) {
      const answer = await print(gateway.url, '/v1/a/store1/d/raw01/q', `job ${i}\n`, { authorization: `Bearer ${key}` });
      expect(answer.status).toBe(201);
    }
    // Jobs queued together may share one connection; either way they arrive in order, each once.
    const expected = Array.from({ length: 20 }, (_, i) => `job ${i}\n`).join('');
    await waitFor('20 jobs at the sink', () => Buffer.concat(raw.jobs()).length >= expected.length);
    expect(Buffer.concat(raw.jobs()).toString()).toBe(expected);
  });

  it('answers the failure cases with catalogue codes as JSON', async () => {
    const raw = await sink();
    gateway = await startTestGateway({ printers: [printer('Raw', 'raw01', raw.uri, 'raw')] });
    const { key } = gateway.createKey(['PrintToDevice']);
    const { key: viewer } = gateway.createKey(['ViewJobs']);
    const cases: [string, Record<string, string>, number, string][] = [
      ['/v1/a/store1/d/raw01/q', {}, 401, 'UNAUTHORIZED'],
      ['/v1/a/store1/d/raw01/q', { authorization: 'Bearer pgk_live_' + '0'.repeat(64) }, 401, 'TOKEN_INVALID'],
      ['/v1/a/store1/d/raw01/q', { 'star-api-key': 'not-a-key' }, 401, 'TOKEN_INVALID'],
      ['/v1/a/store1/d/raw01/q', { authorization: `Bearer ${viewer}` }, 403, 'INSUFFICIENT_SCOPE'],
      ['/v1/a/nogroup/d/raw01/q', { authorization: `Bearer ${key}` }, 404, 'NOT_FOUND'],
      ['/v1/a/store1/d/nodevice/q', { authorization: `Bearer ${key}` }, 404, 'NOT_FOUND'],
      ['/v1/a/store1/d/raw01/q', { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['/v1/a/store1/d/raw01/q?copies=0', { authorization: `Bearer ${key}` }, 400, 'BAD_REQUEST'],
      ['/v1/a/store1/d/raw01/q', { authorization: `Bearer ${key}`, 'star-cash-drawer': 'sideways' }, 400, 'BAD_REQUEST'],
    ];
    for (const [path, headers, status, code] of cases) {
      const answer = await print(gateway.url, path, 'x', headers);
      expect(answer.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await answer.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
      expect(body.error.requestId).toBe(answer.headers.get('x-request-id'));
    }
    // Anyone learns ok/degraded; the details are for a key with ViewStatus.
    const anonymous = await fetch(`${gateway.url}/healthz`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok', version: expect.any(String) });
    const statusViewer = { authorization: `Bearer ${gateway.createKey(['ViewStatus']).key}` };
    const health = await fetch(`${gateway.url}/healthz`, { headers: statusViewer });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', db: 'ok' });
    const unknownRoute = await fetch(`${gateway.url}/nothing/here`);
    expect(unknownRoute.status).toBe(404);
    expect(((await unknownRoute.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const wrongMethod = await fetch(`${gateway.url}/healthz`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    // Nothing was accepted, so nothing reached the printer (it was only checked for being there).
    expect(raw.jobs()).toEqual([]);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${gateway.url}/metrics`, { headers: statusViewer });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/printgate_http_requests_total\{method="POST",status="401"\} 3/);
    expect(text).toMatch(/printgate_printer_up\{printer="raw"\} 1/);
    expect(text).toMatch(/printgate_queue_depth\{printer="raw"\} 0/);
  });
});
