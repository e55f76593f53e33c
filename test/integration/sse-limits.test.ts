import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Authenticator } from '../../src/keys/authenticator.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Bounded event streams: at most limits.streams.perKey per key and limits.streams.total in all
 * (429 TOO_MANY_STREAMS with Retry-After beyond), events fanned out from memory (no key read per
 * stream per event; one per key when keys change), and a client that does not read dropped past
 * limits.streams.maxBufferedBytes, counted in /metrics.
 */

interface Stream {
  status: number;
  text(): string;
  ended(): boolean;
  close(): void;
}

function open(url: string, key: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('close', () => (ended = true));
      resolve({ status: res.statusCode ?? 0, text: () => text, ended: () => ended, close: () => req.destroy() });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('stream test timed out')));
    req.on('error', reject);
  });
}

const print = (gw: TestGateway, key: string, name: string) =>
  fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', 'star-job-name': name }, body: `${name}\n` });

describe('event stream caps', () => {
  let gw: TestGateway;
  let sink: TcpSink;
  const streams: Stream[] = [];
  beforeAll(async () => {
    sink = await startTcpSink();
    gw = await startTestGateway({
      limits: { streams: { perKey: 2, total: 3 } },
      printers: [{ name: 'Till', group: 'shop', appId: 'till', uri: sink.uri, language: 'raw' }],
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await gw.stop();
    await sink.close();
  });

  it('answers 429 TOO_MANY_STREAMS past limits.streams.perKey and limits.streams.total, and frees a slot when a stream closes', async () => {
    const a = gw.createKey(['ViewJobs']).key;
    const b = gw.createKey(['ViewJobs']).key;
    const c = gw.createKey(['ViewJobs']).key;
    const first = await open(gw.url, a);
    const second = await open(gw.url, a);
    streams.push(first, second);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await fetch(`${gw.url}/api/v1/events`, { headers: { authorization: `Bearer ${a}` } });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const refusal = (await third.json()) as { error: { code: string; message: string; details: { scope: string } } };
    expect(refusal.error).toMatchObject({ code: 'TOO_MANY_STREAMS', details: { scope: 'key' } });
    expect(refusal.error.message).toContain('limits.streams.perKey');
    const fromB = await open(gw.url, b);
    streams.push(fromB);
    expect(fromB.status).toBe(200);
    const fromC = await fetch(`${gw.url}/api/v1/events`, { headers: { authorization: `Bearer ${c}` } });
    expect(fromC.status).toBe(429);
    expect(((await fromC.json()) as { error: { details: { scope: string } } }).error.details.scope).toBe('total');

    first.close();
    const again = await waitFor('a freed slot', async () => {
      const stream = await open(gw.url, a);
      if (stream.status === 200) return stream;
      stream.close();
      return null;
    });
    streams.push(again);
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.createKey(['ViewStatus']).key}` } })).text();
    expect(metrics).toMatch(/printgate_http_limited_total\{code="TOO_MANY_STREAMS"\} 2/);
    expect(metrics).toMatch(/printgate_event_streams_open 3/);
  });
});

describe('event fan-out', () => {
  let gw: TestGateway;
  let sink: TcpSink;
  const streams: Stream[] = [];
  beforeAll(async () => {
    sink = await startTcpSink();
    gw = await startTestGateway({
      limits: { streams: { perKey: 4, total: 64, maxBufferedBytes: 4096 }, perKey: { ratePerSecond: 10_000, burst: 10_000 } },
      printers: [
        { name: 'Till', group: 'shop', appId: 'till', uri: sink.uri, language: 'raw' },
        { name: 'Receipt', group: 'shop', appId: 'receipt', uri: sink.uri, language: 'escpos' },
      ],
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await gw.stop();
    await sink.close();
  });

  it('sends every event to 8 streams of 2 keys without reading a key per event; a key change reads each key once', async () => {
    const revalidate = vi.spyOn(Authenticator.prototype, 'revalidate');
    const admin = gw.createKey(['ManageKeys', 'ViewJobs', 'PrintToDevice']);
    const viewer = gw.createKey(['ViewJobs']);
    for (const key of [admin.key, viewer.key]) for (let i = 0; i < 4; i += 1) streams.push(await open(gw.url, key));
    expect(streams.map((stream) => stream.status)).toEqual(Array(8).fill(200));
    // The keys were just minted by another connection: let the change watcher's re-check pass first.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    revalidate.mockClear();
    for (let i = 0; i < 20; i += 1) expect((await print(gw, admin.key, `fanout-${i}`)).status).toBe(201);
    await waitFor('20 jobs completed on every stream', () => streams.every((stream) => (stream.text().match(/"state":"completed"/g) ?? []).length >= 20), 20_000);
    expect(revalidate).not.toHaveBeenCalled();

    // An edit of a key re-checks the open streams: one read per key, not one per stream.
    const edited = await fetch(`${gw.url}/api/v1/keys/${viewer.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'renamed' }) });
    expect(edited.status).toBe(200);
    expect(revalidate).toHaveBeenCalledTimes(2);
    expect(new Set(revalidate.mock.calls.map(([id]) => id))).toEqual(new Set([admin.id, viewer.id]));
  });

  it('drops a client that stops reading past limits.streams.maxBufferedBytes, counts it, and keeps serving the others', async () => {
    const key = gw.createKey(['ViewJobs', 'PrintToDevice']).key;
    const reader = await open(gw.url, key);
    streams.push(reader);
    // A client that sends its request and never reads a byte of the answer.
    const stalled = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
    stalled.on('error', () => undefined);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`);
    stalled.pause();
    const viewStatus = gw.createKey(['ViewStatus']).key;
    const dropped = async (): Promise<boolean> => {
      const text = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${viewStatus}` } })).text();
      return /printgate_event_streams_dropped_total\{reason="slow-reader"\} 1/.test(text);
    };
    // Receipts whose unknown markup tags come back as warnings make each job's events large: the
    // kernel's socket buffers (megabytes on loopback) fill, then the gateway's.
    const markup = Array.from({ length: 100 }, (_, i) => `[not-a-tag-${i}-${'x'.repeat(150)}]`).join('\n');
    let sent = 0;
    const name = (i: number): string => `slow-${i}`;
    await waitFor('the stalled stream dropped', async () => {
      for (let i = 0; i < 10; i += 1, sent += 1) {
        const answer = await fetch(`${gw.url}/v1/a/shop/d/receipt/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/vnd.star.markup', 'star-job-name': name(sent) }, body: markup });
        expect(answer.status).toBe(201);
      }
      return dropped();
    }, 90_000);
    expect(gw.logs.find('event stream dropped: client does not read')).toHaveLength(1);
    // The reading stream got every job up to the last.
    await waitFor('the reader saw the last job', () => reader.text().includes(`"name":"${name(sent - 1)}"`), 20_000);
    expect(reader.ended()).toBe(false);
    stalled.destroy();
  });
});
