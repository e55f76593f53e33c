import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/** Every auth error code of shared/spec/api-keys.md, provoked against the real HTTP server. */

type Via = 'bearer' | 'star' | 'query';

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; requestId: string; details?: Record<string, unknown> } } & Record<string, unknown>;
}

async function call(base: string, route: string, options: { key?: string; via?: Via; method?: string; body?: string; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  let url = base + route;
  if (options.key !== undefined) {
    const via = options.via ?? 'bearer';
    if (via === 'bearer') headers.authorization = `Bearer ${options.key}`;
    if (via === 'star') headers['star-api-key'] = options.key;
    if (via === 'query') url += `${route.includes('?') ? '&' : '?'}key=${encodeURIComponent(options.key)}`;
  }
  if (options.contentType) headers['content-type'] = options.contentType;
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body: options.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status >= 400) expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(typeof answer.body.error?.message).toBe('string');
  expect(answer.body.error?.requestId).toBe(answer.headers.get('x-request-id'));
}

const printersDir = mkdtempSync(path.join(tmpdir(), 'printgate-keys-out-'));
const printers = [
  { name: 'Kitchen', group: 'store1', appId: 'kitchen01', uri: `file:${printersDir}/kitchen.bin`, language: 'raw' },
  { name: 'Bar', group: 'store2', appId: 'bar01', uri: `file:${printersDir}/bar.bin`, language: 'raw' },
];

describe('auth errors on the real server', () => {
  let clock = new Date('2030-01-01T00:00:00.000Z');
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ printers, limits: { authFailures: { maxFailures: 1000 } } }, () => clock);
  });
  afterAll(async () => gw.stop());
  afterEach(() => {
    clock = new Date('2030-01-01T00:00:00.000Z');
  });

  it('UNAUTHORIZED without a key in any of the three places', async () => {
    expectError(await call(gw.url, '/api/v1/me'), 401, 'UNAUTHORIZED');
    const answer = await call(gw.url, '/api/v1/me?other=1', { key: 'x', via: 'star' });
    expectError(answer, 401, 'TOKEN_INVALID');
  });

  it('accepts a key in each of the three places, and the first one found wins', async () => {
    const { id, key } = gw.createKey(['ViewJobs']);
    for (const via of ['bearer', 'star', 'query'] as const) {
      const answer = await call(gw.url, '/api/v1/me', { key, via });
      expect(answer.status).toBe(200);
      expect(answer.body.id).toBe(id);
    }
    const lowerBearer = await fetch(`${gw.url}/api/v1/me`, { headers: { authorization: `bearer ${key}` } });
    expect(lowerBearer.status).toBe(200);
    // Bearer is looked at first: a bad Bearer is not rescued by a good Star-Api-Key.
    const both = await fetch(`${gw.url}/api/v1/me?key=${key}`, { headers: { authorization: 'Bearer nope', 'star-api-key': key } });
    expect(both.status).toBe(401);
    expect(((await both.json()) as Answer['body']).error?.code).toBe('TOKEN_INVALID');
  });

  it('TOKEN_INVALID for malformed keys and for well-formed unknown ones', async () => {
    const { key } = gw.createKey(['ViewJobs']);
    const malformed = ['', 'abc', key.toUpperCase(), key.slice(0, -1), `${key}0`, `pgk_test_${key.slice(9)}`, '6800ffd6-2367-4c8d-b067-d6a28151276', "' OR 1=1 --"];
    for (const bad of malformed) {
      for (const via of ['bearer', 'star', 'query'] as const) {
        const answer = await call(gw.url, '/api/v1/me', { key: bad, via });
        expectError(answer, 401, 'TOKEN_INVALID');
        expect(JSON.stringify(answer.body)).not.toContain(key);
      }
    }
    const unknownLocal = `pgk_live_${'ab'.repeat(32)}`;
    expectError(await call(gw.url, '/api/v1/me', { key: unknownLocal }), 401, 'TOKEN_INVALID');
    expectError(await call(gw.url, '/api/v1/me', { key: '6800ffd6-2367-4c8d-b067-d6a28151276a', via: 'star' }), 401, 'TOKEN_INVALID');
  });

  it('TOKEN_REVOKED on the very next request after a revoke from another connection, for good', async () => {
    const { id, key } = gw.createKey(['ViewJobs']);
    expect((await call(gw.url, '/api/v1/me', { key })).status).toBe(200);
    gw.withKeyStore((store) => store.revoke(id));
    expectError(await call(gw.url, '/api/v1/me', { key }), 401, 'TOKEN_REVOKED');
    expect(() => gw.withKeyStore((store) => store.setDisabled(id, false))).toThrow(/revoked/);
    expectError(await call(gw.url, '/api/v1/me', { key, via: 'query' }), 401, 'TOKEN_REVOKED');
  });

  it('TOKEN_EXPIRED exactly at the expiry instant, not a millisecond before', async () => {
    const { key } = gw.createKey(['ViewJobs'], { expiresAt: '2030-01-01T00:01:00.000Z' });
    clock = new Date('2030-01-01T00:00:59.999Z');
    expect((await call(gw.url, '/api/v1/me', { key })).status).toBe(200);
    clock = new Date('2030-01-01T00:01:00.000Z');
    expectError(await call(gw.url, '/api/v1/me', { key }), 401, 'TOKEN_EXPIRED');
    clock = new Date('2031-01-01T00:00:00.000Z');
    expectError(await call(gw.url, '/api/v1/me', { key, via: 'star' }), 401, 'TOKEN_EXPIRED');
  });

  it('TOKEN_DISABLED while disabled, and the key works again once enabled', async () => {
    const { id, key } = gw.createKey(['ViewJobs']);
    gw.withKeyStore((store) => store.setDisabled(id, true));
    expectError(await call(gw.url, '/api/v1/me', { key }), 401, 'TOKEN_DISABLED');
    gw.withKeyStore((store) => store.setDisabled(id, false));
    expect((await call(gw.url, '/api/v1/me', { key })).status).toBe(200);
  });

  it('INSUFFICIENT_SCOPE for a valid key without the permission the route needs', async () => {
    const { key } = gw.createKey(['ViewJobs']);
    const answer = await call(gw.url, '/api/v1/printers', { key });
    expectError(answer, 403, 'INSUFFICIENT_SCOPE');
    expect(answer.body.error?.details).toEqual({ required: 'EnumDevices' });
    const print = await call(gw.url, '/v1/a/store1/d/kitchen01/q', { key, method: 'POST', body: 'hello', contentType: 'text/plain' });
    expectError(print, 403, 'INSUFFICIENT_SCOPE');
  });

  it('a group-limited key sees its group and gets 404 for another group', async () => {
    const { key } = gw.createKey(['EnumDevices', 'ViewDevice', 'PrintToDevice'], { groups: ['store1'] });
    const list = await call(gw.url, '/api/v1/printers', { key });
    expect((list.body.data as { id: string }[]).map((p) => p.id)).toEqual(['kitchen']);
    expect((await call(gw.url, '/api/v1/printers/kitchen', { key })).status).toBe(200);
    expectError(await call(gw.url, '/api/v1/printers/bar', { key }), 404, 'NOT_FOUND');
    const own = await call(gw.url, '/v1/a/store1/d/kitchen01/q', { key, method: 'POST', body: 'hello', contentType: 'application/octet-stream' });
    expect(own.status).toBe(201);
    const other = await call(gw.url, '/v1/a/store2/d/bar01/q', { key, method: 'POST', body: 'hello', contentType: 'application/octet-stream' });
    expectError(other, 404, 'NOT_FOUND');
    const missing = await call(gw.url, '/v1/a/store9/d/bar01/q', { key, method: 'POST', body: 'hello', contentType: 'application/octet-stream' });
    expect(missing.body.error?.code).toBe(other.body.error?.code);
  });

  it('expands the print-farm scope aliases printers:read, jobs:read, jobs:write', async () => {
    const { key } = gw.createKey(['printers:read', 'jobs:read', 'jobs:write']);
    const me = await call(gw.url, '/api/v1/me', { key });
    expect(me.body.permissions).toEqual(['EnumDevices', 'ViewDevice', 'PrintToDevice', 'ViewJobs']);
    expect((await call(gw.url, '/api/v1/printers', { key })).status).toBe(200);
    expect((await call(gw.url, '/api/v1/printers/kitchen', { key })).status).toBe(200);
    const print = await call(gw.url, '/v1/a/store1/d/kitchen01/q', { key, method: 'POST', body: 'hi', contentType: 'application/octet-stream' });
    expect(print.status).toBe(201);
    expectError(await call(gw.url, '/api/v1/keys', { key }), 403, 'INSUFFICIENT_SCOPE');
  });

  it('accepts cloud GUID keys in any case, in all three places', async () => {
    const guid = '6800ffd6-2367-4c8d-b067-d6a28151276a';
    const record = gw.withKeyStore((store) => store.insert(guid.toUpperCase(), { name: 'cloud POS', permissions: ['ViewDevice'] }, 'cloud'));
    for (const spelling of [guid, guid.toUpperCase(), '6800FFD6-2367-4c8d-B067-d6a28151276A']) {
      for (const via of ['bearer', 'star', 'query'] as const) {
        const answer = await call(gw.url, '/api/v1/me', { key: spelling, via });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ id: record.id, source: 'cloud' });
      }
    }
  });

  it('answers each auth failure with exactly {"error": {code, message, requestId}} and nothing else', async () => {
    const revoked = gw.createKey(['ViewJobs']);
    gw.withKeyStore((store) => store.revoke(revoked.id));
    const disabled = gw.createKey(['ViewJobs']);
    gw.withKeyStore((store) => store.setDisabled(disabled.id, true));
    const expired = gw.createKey(['ViewJobs'], { expiresAt: '2029-12-31T23:59:59.999Z' });
    const narrow = gw.createKey(['ViewJobs']);
    const cases: { key?: string; route?: string; status: number; code: string; message: string; details?: Record<string, unknown> }[] = [
      { status: 401, code: 'UNAUTHORIZED', message: 'No API key. Send it as "Authorization: Bearer <key>", a "Star-Api-Key" header or a "key" query parameter.' },
      { key: 'not-a-key', status: 401, code: 'TOKEN_INVALID', message: 'The API key is malformed: expected pgk_live_<64 hex> or a GUID.' },
      { key: `pgk_live_${'0'.repeat(64)}`, status: 401, code: 'TOKEN_INVALID', message: 'The API key is unknown.' },
      { key: revoked.key, status: 401, code: 'TOKEN_REVOKED', message: 'The API key was revoked. Ask for a new key.' },
      { key: expired.key, status: 401, code: 'TOKEN_EXPIRED', message: 'The API key has expired. Ask for a new key.' },
      { key: disabled.key, status: 401, code: 'TOKEN_DISABLED', message: 'The API key is disabled for now. Ask an administrator to enable it.' },
      {
        key: narrow.key,
        route: '/api/v1/keys',
        status: 403,
        code: 'INSUFFICIENT_SCOPE',
        message: 'The API key lacks the ManageKeys permission this endpoint needs.',
        details: { required: 'ManageKeys' },
      },
    ];
    for (const expected of cases) {
      for (const via of ['bearer', 'star', 'query'] as const) {
        const answer = await call(gw.url, expected.route ?? '/api/v1/me', expected.key === undefined ? {} : { key: expected.key, via });
        const error = { code: expected.code, message: expected.message, requestId: answer.headers.get('x-request-id'), ...(expected.details ? { details: expected.details } : {}) };
        expect({ status: answer.status, body: answer.body }, `${expected.code} via ${via}`).toEqual({ status: expected.status, body: { error } });
        expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(answer.headers.get('retry-after')).toBeNull();
        if (expected.key === undefined) break;
      }
    }
  });

  it('GET /api/v1/me tells the caller its id, name, permissions, groups and expiry', async () => {
    const { id, key } = gw.createKey(['ViewJobs'], { name: 'till 4', groups: ['store1'], expiresAt: '2031-06-01T00:00:00Z' });
    const me = await call(gw.url, '/api/v1/me', { key });
    expect(me.body).toMatchObject({ id, name: 'till 4', permissions: ['ViewJobs'], groups: ['store1'], expires: '2031-06-01T00:00:00.000Z' });
  });
});

describe('rate limits', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ limits: { perKey: { ratePerSecond: 0.01, burst: 3 }, authFailures: { maxFailures: 5, windowSeconds: 60, blockSeconds: 120 } } });
  });
  afterAll(async () => gw.stop());

  it('RATE_LIMITED with Retry-After once a key spends its burst; other keys are not affected', async () => {
    const { key } = gw.createKey(['ViewJobs']);
    for (let i = 0; i < 3; i++) expect((await call(gw.url, '/api/v1/me', { key })).status).toBe(200);
    const limited = await call(gw.url, '/api/v1/me', { key, via: 'star' });
    expectError(limited, 429, 'RATE_LIMITED');
    expect(limited.body).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Too many requests with this API key. Retry after the Retry-After seconds.', requestId: limited.headers.get('x-request-id') },
    });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const other = gw.createKey(['ViewJobs']);
    expect((await call(gw.url, '/api/v1/me', { key: other.key })).status).toBe(200);
  });

  it('AUTH_THROTTLED for the address after N failed guesses, even with a good key; known-but-revoked keys are not guesses', async () => {
    const good = gw.createKey(['ViewJobs']);
    const revoked = gw.createKey(['ViewJobs']);
    gw.withKeyStore((store) => store.revoke(revoked.id));
    for (let i = 0; i < 8; i++) expectError(await call(gw.url, '/api/v1/me', { key: revoked.key }), 401, 'TOKEN_REVOKED');
    for (let i = 0; i < 4; i++) expectError(await call(gw.url, '/api/v1/me', { key: `pgk_live_${String(i).repeat(64)}` }), 401, 'TOKEN_INVALID');
    expect((await call(gw.url, '/api/v1/me', { key: good.key })).status).toBe(200);
    expectError(await call(gw.url, '/api/v1/me', { key: 'guess-5' }), 401, 'TOKEN_INVALID');
    const throttled = await call(gw.url, '/api/v1/me', { key: good.key });
    expectError(throttled, 429, 'AUTH_THROTTLED');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(throttled.body).toEqual({
      error: { code: 'AUTH_THROTTLED', message: 'Too many failed authentications from this address. Retry after the Retry-After seconds.', requestId: throttled.headers.get('x-request-id') },
    });
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});

describe('compat.starAuthStatus', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ printers, compat: { starAuthStatus: true } });
  });
  afterAll(async () => gw.stop());

  it('answers 403 with the same JSON body for auth failures on /v1/a… only', async () => {
    const { id, key } = gw.createKey(['PrintToDevice']);
    const star = '/v1/a/store1/d/kitchen01/q';
    const post = { method: 'POST', body: 'x', contentType: 'application/octet-stream' };
    expectError(await call(gw.url, star, post), 403, 'UNAUTHORIZED');
    expectError(await call(gw.url, star, { ...post, key: 'nope', via: 'star' }), 403, 'TOKEN_INVALID');
    gw.withKeyStore((store) => store.setDisabled(id, true));
    expectError(await call(gw.url, star, { ...post, key, via: 'star' }), 403, 'TOKEN_DISABLED');
    gw.withKeyStore((store) => store.revoke(id));
    expectError(await call(gw.url, star, { ...post, key, via: 'query' }), 403, 'TOKEN_REVOKED');
    // The native API keeps 401.
    expectError(await call(gw.url, '/api/v1/me'), 401, 'UNAUTHORIZED');
    expectError(await call(gw.url, '/api/v1/me', { key }), 401, 'TOKEN_REVOKED');
  });
});
