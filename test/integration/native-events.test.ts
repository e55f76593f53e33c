import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

interface SseEvent {
  id: string | undefined;
  event: string;
  data: any;
}

interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  ended(): boolean;
  waitFor(predicate: (events: SseEvent[]) => boolean, what: string): Promise<SseEvent[]>;
  close(): void;
}

/** A minimal EventSource over node:http (the stream is parsed as the SSE spec says). */
function openStream(url: string, key: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let index: number;
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line);
            const match = /^([a-z]+): ?(.*)$/i.exec(line);
            if (match) fields[match[1]!] = match[2]!;
          }
          if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      });
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        ended: () => ended,
        waitFor: (predicate, what) => waitFor(what, () => (predicate(events) ? [...events] : null)),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

let gw: TestGateway;
let sink: TcpSink;
let key: string;

async function print(printer: string, text: string): Promise<string> {
  const res = await fetch(`${gw.url}/api/v1/printers/${printer}/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/plain' },
    body: text,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const completed = (jobId: string) => (events: SseEvent[]) => events.some((e) => e.event === 'job' && e.data.id === jobId && e.data.state === 'completed');

beforeAll(async () => {
  sink = await startTcpSink();
  gw = await startTestGateway({
    printers: [
      { name: 'Counter', group: 'shop', uri: sink.uri },
      { name: 'Bar', group: 'bar', uri: sink.uri },
    ],
  });
  key = gw.createKey(['ViewJobs', 'PrintToDevice']).key;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('GET /api/v1/events (Server-Sent Events)', () => {
  it('streams job state changes with increasing ids', async () => {
    const stream = await openStream(`${gw.url}/api/v1/events`, key);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const jobId = await print('counter', 'one\n');
    const events = await stream.waitFor(completed(jobId), 'the job to complete on the stream');
    const states = events.filter((e) => e.event === 'job' && e.data.id === jobId).map((e) => e.data.state);
    expect(states).toEqual(['pending', 'processing', 'completed']);
    const ids = events.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(events.some((e) => e.event === 'printer' && e.data.id === 'counter' && e.data.state === 'processing')).toBe(true);
    stream.close();
  });

  it('resumes after Last-Event-ID with exactly the missed events', async () => {
    const first = await openStream(`${gw.url}/api/v1/events?printer=counter`, key);
    const a = await print('counter', 'a\n');
    const seen = await first.waitFor(completed(a), 'job a');
    const lastId = seen.at(-1)!.id!;
    first.close();
    const b = await print('counter', 'b\n');
    await waitFor('job b to complete', async () => {
      const res = await fetch(`${gw.url}/api/v1/jobs/${b}`, { headers: { Authorization: `Bearer ${key}` } });
      return ((await res.json()) as { state: string }).state === 'completed';
    });
    const resumed = await openStream(`${gw.url}/api/v1/events?printer=counter`, key, { 'Last-Event-ID': lastId });
    const replay = await resumed.waitFor(completed(b), 'the missed events of job b');
    expect(replay.every((e) => Number(e.id) > Number(lastId))).toBe(true);
    expect(replay.filter((e) => e.event === 'job').map((e) => `${e.data.id}:${e.data.state}`)).toEqual([`${b}:pending`, `${b}:processing`, `${b}:completed`]);
    resumed.close();
  });

  it('an id it cannot resume from gets a reset event', async () => {
    const stream = await openStream(`${gw.url}/api/v1/events`, key, { 'Last-Event-ID': '1' });
    const [reset] = await stream.waitFor((events) => events.length > 0, 'the reset event');
    expect(reset!.event).toBe('reset');
    stream.close();
    const bad = await fetch(`${gw.url}/api/v1/events`, { headers: { Authorization: `Bearer ${key}`, 'Last-Event-ID': 'abc' } });
    expect(bad.status).toBe(400);
  });

  it('a group-limited key sees only its groups; ViewJobs is required', async () => {
    const barOnly = gw.createKey(['ViewJobs'], { groups: ['bar'] }).key;
    const stream = await openStream(`${gw.url}/api/v1/events`, barOnly);
    const shopJob = await print('counter', 'shop\n');
    const barJob = await print('bar', 'bar\n');
    await stream.waitFor(completed(barJob), 'the bar job');
    expect(stream.events.some((e) => e.data.id === shopJob || e.data.id === 'counter')).toBe(false);
    stream.close();
    const noPerm = await fetch(`${gw.url}/api/v1/events`, { headers: { Authorization: `Bearer ${gw.createKey(['PrintToDevice']).key}` } });
    expect(noPerm.status).toBe(403);
  });

  it('a revoked key loses its stream at the next event', async () => {
    const doomed = gw.createKey(['ViewJobs'], { name: 'doomed' });
    const stream = await openStream(`${gw.url}/api/v1/events`, doomed.key);
    gw.withKeyStore((store) => store.revoke(doomed.id));
    await print('counter', 'after revoke\n');
    const events = await stream.waitFor((all) => all.some((e) => e.event === 'error'), 'the error event');
    expect(events.find((e) => e.event === 'error')!.data.code).toBe('TOKEN_REVOKED');
    await waitFor('the stream to end', () => stream.ended());
  });

  it('shutdown ends open streams and is not held by them', async () => {
    const own = await startTestGateway({ printers: [{ name: 'Counter', group: 'shop', uri: sink.uri }] });
    try {
      const ownKey = own.createKey(['ViewJobs']).key;
      const streams = await Promise.all([openStream(`${own.url}/api/v1/events`, ownKey), openStream(`${own.url}/api/v1/events`, ownKey)]);
      await own.stop();
      await waitFor('both streams to end', () => streams.every((s) => s.ended()));
    } finally {
      await own.stop();
    }
  });
});
