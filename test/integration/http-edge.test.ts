import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * The HTTP edge, on a real gateway over raw sockets: the Host check (DNS rebinding), the Origin
 * policy (no CORS unless configured per origin), and node's own refusals answered as JSON.
 */

const portOf = (gw: TestGateway): number => Number(new URL(gw.url).port);
const errorCode = (json: unknown): string | undefined => (json as { error?: { code?: string } } | null)?.error?.code;

describe('the Host header', () => {
  let gw: TestGateway;
  let shop: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
    shop = await startTestGateway({ server: { host: '127.0.0.1', port: 0, allowedHosts: ['pos.shop.lan', '*.shop.example', '192.168.77.0/24'] } });
  });
  afterAll(async () => {
    await gw.stop();
    await shop.stop();
  });

  const get = (target: TestGateway, host: string | null, path = '/healthz', version = '1.1') =>
    rawRequest(portOf(target), `GET ${path} HTTP/${version}\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`, { untilAnswered: true });

  it('refuses a name re-pointed at the box (DNS rebinding) with 421 HOST_NOT_ALLOWED, before any route', async () => {
    for (const host of ['evil.example', 'evil.example:8631', `${hostname()}.evil.example`, 'localhost.evil.example', '[::2]:8631', 'a b']) {
      const answer = await get(gw, host);
      expect(answer.statuses, host).toEqual([421]);
      expect(errorCode(answer.json), host).toBe('HOST_NOT_ALLOWED');
      expect(answer.text, host).not.toContain('"version"');
    }
    // Not even CloudPRNT or the key routes are reached.
    expect(errorCode((await get(gw, 'evil.example', '/api/v1/keys')).json)).toBe('HOST_NOT_ALLOWED');
  });

  it("serves the box's own names and addresses: loopback, localhost, its host name, *.local", async () => {
    const port = portOf(gw);
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', '127.9.9.9', `[::1]:${port}`, `localhost:${port}`, 'LOCALHOST', 'app.localhost', hostname(), `${hostname()}.local`, 'printgate.local.', 'till-2.local']) {
      const answer = await get(gw, host);
      expect(answer.statuses, host).toEqual([200]);
      expect(answer.json, host).toMatchObject({ status: 'ok' });
    }
  });

  it('serves server.allowedHosts (names, *.suffix, networks) and nothing else', async () => {
    for (const host of ['pos.shop.lan', 'POS.shop.lan:8631', 'till.shop.example', '192.168.77.12:8631']) expect((await get(shop, host)).statuses, host).toEqual([200]);
    for (const host of ['shop.example', 'shop.example.evil.com', 'other.shop.lan', '192.168.78.1']) expect((await get(shop, host)).statuses, host).toEqual([421]);
  });

  it('answers an HTTP/1.1 request without Host 400 in JSON; HTTP/1.0 needs none', async () => {
    const missing = await get(gw, null);
    expect(missing.statuses).toEqual([400]);
    expect(errorCode(missing.json)).toBe('BAD_REQUEST');
    expect((await get(gw, null, '/healthz', '1.0')).statuses).toEqual([200]);
  });
});

describe('browser origins', () => {
  let gw: TestGateway;
  let cors: TestGateway;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    cors = await startTestGateway({ server: { host: '127.0.0.1', port: 0, cors: { origins: ['https://pos.example.com'] } } });
    key = cors.createKey(['ViewJobs']).key;
  });
  afterAll(async () => {
    await gw.stop();
    await cors.stop();
  });

  it('refuses a page of another origin (403 ORIGIN_NOT_ALLOWED) even for a "simple" cross-origin POST, and sends no CORS header', async () => {
    const answer = await fetch(`${gw.url}/cloudprnt/shop`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${gw.url}/api/v1/me`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("lets the gateway's own pages through (Origin = the Host it was asked as)", async () => {
    const port = portOf(gw);
    const answer = await rawRequest(port, `POST /v1/a HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nContent-Length: 2\r\n\r\n{}`, { untilAnswered: true });
    expect(errorCode(answer.json)).toBe('UNAUTHORIZED');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves a configured origin with CORS headers, and answers its preflight', async () => {
    const origin = 'https://pos.example.com';
    const preflight = await fetch(`${cors.url}/api/v1/me`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, idempotency-key');
    const me = await fetch(`${cors.url}/api/v1/me`, { headers: { origin, authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBe(origin);
    expect(me.headers.get('vary')).toContain('Origin');
    expect(me.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    // Errors carry them too, so the page can read the code.
    const refused = await fetch(`${cors.url}/api/v1/me`, { headers: { origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await fetch(`${cors.url}/api/v1/me`, { headers: { origin: 'https://pos.example.com.evil.example' } })).status).toBe(403);
  });
});

describe("node's own refusals", () => {
  let gw: TestGateway;
  let port: number;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, timeouts: { headersSeconds: 1, requestSeconds: 2 } } });
    port = portOf(gw);
    key = gw.createKey(['CreateDeviceGroups', 'PrintToDevice']).key;
  });
  afterAll(async () => gw.stop());

  const H = 'Host: 127.0.0.1';
  const cases: [string, () => string, number, string][] = [
    ['an Expect other than 100-continue', () => `POST /v1/a HTTP/1.1\r\n${H}\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}`, 417, 'EXPECTATION_FAILED'],
    ['headers over 16 KiB', () => `GET /healthz HTTP/1.1\r\n${H}\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a request line of 64 KiB', () => `GET /${'a'.repeat(64 * 1024)} HTTP/1.1\r\n${H}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a bad chunk size', () => `POST /v1/a HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400, 'BAD_REQUEST'],
    ['Content-Length and Transfer-Encoding together', () => `POST /v1/a HTTP/1.1\r\n${H}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'BAD_REQUEST'],
    ['an unknown HTTP version', () => `GET /healthz HTTP/9.9\r\n${H}\r\n\r\n`, 400, 'BAD_REQUEST'],
    ['an HTTP/0.9 request (no version: the headers never come)', () => 'GET /healthz\r\n', 408, 'REQUEST_TIMEOUT'],
    ['headers that never end (slowloris)', () => `GET /healthz HTTP/1.1\r\n${H}\r\nX-Slow: a`, 408, 'REQUEST_TIMEOUT'],
    ['a body that never arrives', () => `POST /v1/a HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Name":`, 408, 'REQUEST_TIMEOUT'],
  ];

  for (const [name, bytes, status, code] of cases) {
    it(`answers ${name} with ${status} ${code} in JSON and closes`, async () => {
      const answer = await rawRequest(port, bytes(), { waitMs: 8000 });
      expect(answer.statuses).toEqual([status]);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(errorCode(answer.json)).toBe(code);
      expect(answer.closedByServer).toBe(true);
    });
  }

  it('asks for a body (100 Continue) only when a route reads it', async () => {
    const refused = await rawRequest(port, `POST /v1/a/shop/d/till/q HTTP/1.1\r\n${H}\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\nContent-Length: 999999999\r\n\r\n`, { untilAnswered: true });
    expect(refused.statuses).toEqual([413]);
    const unauthenticated = await rawRequest(port, `POST /v1/a HTTP/1.1\r\n${H}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 20\r\n\r\n`, { untilAnswered: true });
    expect(unauthenticated.statuses).toEqual([401]);
    expect(unauthenticated.headers.connection).toBe('close');
    const body = JSON.stringify({ Name: 'Shop', MatchPath: 'shop' });
    const accepted = await rawRequest(port, `POST /v1/a HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`, {
      trickle: { chunk: Buffer.from(body), everyMs: 300, maxBytes: body.length },
      untilAnswered: true,
    });
    expect(accepted.statuses).toEqual([100, 201]);
  });
});
