import http, { type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * The print routes are served by a fast lane in front of express (src/http/fast-lane.ts). Whatever
 * a client sends them, the answer must be the one express gives: each request below goes to the
 * gateway (edge → lane) and to a second server running the gateway's own express app alone, and
 * status, Content-Type, the error and the shape of the body are compared — odd paths included
 * (capitals, a trailing slash, escapes good and bad), every way of presenting a key, bad input.
 */
describe('the print routes’ fast lane answers exactly as express does', () => {
  let gw: TestGateway;
  let sink: TcpSink;
  let expressOnly: Server;
  let expressUrl: string;
  let key: string;

  beforeAll(async () => {
    sink = await startTcpSink();
    gw = await startTestGateway({
      limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 } },
      printers: [{ name: 'Till A', group: 'shopa', appId: 'tilla', uri: sink.uri, language: 'raw' }],
    });
    key = gw.createKey(['PrintToDevice', 'ViewJobs']).key;
    const edge = gw.gateway.server.listeners('request')[0] as unknown as { app: { express: RequestListener } };
    expressOnly = http.createServer(edge.app.express);
    await new Promise<void>((resolve) => expressOnly.listen(0, '127.0.0.1', resolve));
    expressUrl = `http://127.0.0.1:${(expressOnly.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => expressOnly.close(resolve));
    await gw.stop();
    await sink.close();
  });

  interface Answer {
    status: number;
    contentType: string | null;
    requestId: string | null;
    location: string | null;
    body: Record<string, unknown>;
  }
  const send = async (base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> => {
    const answer = await fetch(`${base}${path}`, { method: init.method ?? 'POST', headers: { 'content-type': 'text/plain', ...init.headers }, body: init.body ?? 'receipt\n' });
    const text = await answer.text();
    return {
      status: answer.status,
      contentType: answer.headers.get('content-type'),
      requestId: answer.headers.get('x-request-id'),
      location: answer.headers.get('location'),
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  /** What must be equal: ids differ between two answers, their presence and form must not. */
  const shape = (answer: Answer): unknown => ({
    status: answer.status,
    contentType: answer.contentType,
    location: answer.location?.replace(/[0-9a-f-]{36}$/, '{id}') ?? null,
    requestIdMatchesHeader: answer.requestId !== null && (answer.body.error === undefined || (answer.body.error as { requestId?: string }).requestId === answer.requestId),
    error: answer.body.error ? { ...(answer.body.error as object), requestId: 'x' } : undefined,
    keys: Object.keys(answer.body).sort(),
  });

  const cases: [string, string, () => { method?: string; headers?: Record<string, string>; body?: string }][] = [
    ['a receipt, Bearer key', '/v1/a/shopa/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['a receipt, Star-Api-Key', '/v1/a/shopa/d/tilla/q', () => ({ headers: { 'star-api-key': key } })],
    ['a receipt, ?key=', `/v1/a/shopa/d/tilla/q?key=${'KEY'}`, () => ({})],
    ['capitals in the path', '/V1/A/shopa/D/tilla/Q', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['a trailing slash', '/v1/a/shopa/d/tilla/q/', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['an escaped group', '/v1/a/shop%61/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['a malformed escape', '/v1/a/sh%E0pa/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['no key', '/v1/a/shopa/d/tilla/q', () => ({})],
    ['a wrong key', '/v1/a/shopa/d/tilla/q', () => ({ headers: { authorization: `Bearer pgk_live_${'0'.repeat(64)}` } })],
    ['an unknown group', '/v1/a/nosuch/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['a form body', '/v1/a/shopa/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' } })],
    ['an empty document', '/v1/a/shopa/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}` }, body: '' })],
    ['bad print options', '/v1/a/shopa/d/tilla/q?copies=many', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['an Idempotency-Key', '/v1/a/shopa/d/tilla/q', () => ({ headers: { authorization: `Bearer ${key}`, 'idempotency-key': `order-${Math.random()}` } })],
    ['another method', '/v1/a/shopa/d/tilla/q', () => ({ method: 'PUT', headers: { authorization: `Bearer ${key}` } })],
    ['the native route', '/api/v1/printers/till-a/jobs', () => ({ headers: { authorization: `Bearer ${key}` } })],
    ['the native route, unknown printer', '/api/v1/printers/nosuch/jobs', () => ({ headers: { authorization: `Bearer ${key}` } })],
  ];

  for (const [title, path, init] of cases) {
    it(`${title}: the same answer`, async () => {
      const url = path.replace('KEY', key);
      const lane = await send(gw.url, url, init());
      const plain = await send(expressUrl, url, init());
      expect(shape(lane)).toEqual(shape(plain));
    });
  }

  it('logs a print request once, as "job accepted" with its job and its key id; a refused one as a request', async () => {
    const path = '/v1/a/shopa/d/tilla/q';
    const requests = (): Record<string, unknown>[] => gw.logs.find('request').filter((line) => line.path === path);
    const accepted = (): Record<string, unknown>[] => gw.logs.find('job accepted');
    const before = { requests: requests().length, accepted: accepted().length };
    const answer = await send(gw.url, path, { headers: { authorization: `Bearer ${key}` } });
    expect(answer.status).toBe(201);
    expect(requests()).toHaveLength(before.requests);
    expect(accepted()).toHaveLength(before.accepted + 1);
    expect(accepted().at(-1)).toMatchObject({
      reqId: answer.requestId,
      method: 'POST',
      path,
      status: 201,
      keyId: expect.stringMatching(/^key_/),
      jobId: answer.body.JobId,
      printerId: expect.any(String),
      bytes: 'receipt\n'.length,
      contentType: 'text/plain',
      source: 'star',
    });
    const refused = await send(gw.url, path, { headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-unknown' } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(accepted()).toHaveLength(before.accepted + 1);
    expect(requests().at(-1)).toMatchObject({ reqId: refused.requestId, status: refused.status, keyId: expect.stringMatching(/^key_/) });
  });
});
