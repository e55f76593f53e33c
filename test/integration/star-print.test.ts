import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

let gw: TestGateway;
let sink: TcpSink;
let key: string;
let counter: string;
let kitchen: string;

async function print(appId: string, body: BodyInit, headers: Record<string, string> = {}, query = '') {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { 'Star-Api-Key': key, 'Content-Type': 'text/plain', ...headers },
    body,
  };
  if (body instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${gw.url}/v1/a/shop/d/${appId}/q${query}`, init);
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) as any, headers: res.headers };
}

beforeAll(async () => {
  sink = await startTcpSink();
  const dead = await startTcpSink();
  const deadPort = dead.port;
  await dead.close();
  gw = await startTestGateway({
    limits: { maxDocumentBytes: 4096, maxQueuedJobs: 3 },
    printers: [
      { name: 'Counter', group: 'shop', uri: sink.uri },
      { name: 'Kitchen', group: 'shop', uri: `socket://127.0.0.1:${deadPort}` },
    ],
  });
  key = gw.createKey(['EnumDevices', 'PrintToDevice', 'ViewDevice']).key;
  const devices = (await (await fetch(`${gw.url}/v1/a/shop/d`, { headers: { 'Star-Api-Key': key } })).json()) as any[];
  counter = devices.find((d) => d.Id === 'Counter').AccessIdentifier;
  kitchen = devices.find((d) => d.Id === 'Kitchen').AccessIdentifier;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('Star print route: POST /v1/a/{group}/d/{appId}/q', () => {
  it('an Idempotency-Key retry returns the first answer and prints nothing new; another body is 409', async () => {
    const first = await print(counter, 'receipt 1\n', { 'Idempotency-Key': 'order-1' });
    expect(first.status).toBe(201);
    const retry = await print(counter, 'receipt 1\n', { 'Idempotency-Key': 'order-1' });
    expect(retry.status).toBe(201);
    expect(retry.json().JobId).toBe(first.json().JobId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const other = await print(counter, 'receipt 2\n', { 'Idempotency-Key': 'order-1' });
    expect(other.status).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    await sink.waitForJobs(1);
    const marker = await print(counter, 'marker\n');
    expect(marker.status).toBe(201);
    const jobs = await sink.waitForJobs(2);
    expect(jobs.filter((job) => job.toString('latin1').includes('receipt 1'))).toHaveLength(1);
  });

  it("Star's acceptance example: markup with Star-Job-Name prints, and the answer is 201 JSON", async () => {
    const before = sink.jobs().length;
    const res = await print(counter, 'Hello World[cut]', { 'Content-Type': 'text/vnd.star.markup', 'Star-Job-Name': 'Order42' }, '?copies=1&drawer=end');
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ JobId: expect.any(String), QueuedJobs: expect.any(Number) });
    const jobs = await sink.waitForJobs(before + 1);
    expect(jobs.at(-1)!.toString('latin1')).toContain('Hello World');
  });

  it('bad options are 400 naming the option', async () => {
    for (const [query, headers, field] of [
      ['?copies=0', {}, 'copies'],
      ['?copies=11', {}, 'copies'],
      ['', { 'Star-Pre-Buzzer': '4' }, 'star-pre-buzzer'],
      ['?endbuzzer=x', {}, 'endbuzzer'],
      ['?drawer=middle', {}, 'drawer'],
    ] as const) {
      const res = await print(counter, 'x', headers, query);
      expect(res.status, query).toBe(400);
      expect(res.json().error.message.toLowerCase()).toContain(field);
    }
  });

  it('an unsupported Content-Type is 415 listing the accepted types', async () => {
    const res = await print(counter, 'GIF89a', { 'Content-Type': 'image/gif' });
    expect(res.status).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.json().error.details.accepted).toContain('text/plain');
  });

  it('a body over limits.maxDocumentBytes is 413, declared or streamed', async () => {
    const declared = await print(counter, 'x'.repeat(5000));
    expect(declared.status).toBe(413);
    expect(declared.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await print(counter, Readable.toWeb(Readable.from([Buffer.alloc(3000, 'a'), Buffer.alloc(3000, 'b')])) as ReadableStream);
    expect(streamed.status).toBe(413);
  });

  it('a full queue is 429 QUEUE_FULL with Retry-After; QueuedJobs counts the waiting jobs', async () => {
    for (let i = 0; i < 3; i += 1) expect((await print(kitchen, `k${i}\n`)).status).toBe(201);
    const full = await print(kitchen, 'one too many\n');
    expect(full.status).toBe(429);
    expect(full.json().error.code).toBe('QUEUE_FULL');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    const view = await waitFor('the kitchen device view', async () =>
      (await (await fetch(`${gw.url}/v1/a/shop/d/${kitchen}`, { headers: { 'Star-Api-Key': key } })).json()) as any,
    );
    expect(view.QueuedJobs).toBe(3);
  });

  it('needs PrintToDevice; an unknown device is 404', async () => {
    const viewOnly = gw.createKey(['ViewDevice']).key;
    const denied = await fetch(`${gw.url}/v1/a/shop/d/${counter}/q`, { method: 'POST', headers: { 'Star-Api-Key': viewOnly, 'Content-Type': 'text/plain' }, body: 'x' });
    expect(denied.status).toBe(403);
    expect((await print('ffffffff', 'x')).status).toBe(404);
  });
});
