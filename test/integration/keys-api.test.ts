import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/** The native key API: GET/POST /api/v1/keys, GET/PATCH/DELETE /api/v1/keys/{id} (ManageKeys). */

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };
}

async function api(base: string, key: string, method: string, route: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(base + route, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

describe('key API', () => {
  let gw: TestGateway;
  let admin: { id: string; key: string };
  beforeAll(async () => {
    gw = await startTestGateway({ limits: { perKey: { ratePerSecond: 1000, burst: 1000 } } });
    admin = gw.createKey(['ManageKeys', 'ViewJobs', 'PrintToDevice', 'EnumDevices', 'ViewDevice'], { name: 'admin' });
  });
  afterAll(async () => gw.stop());

  it('creates a key shown once, lists it without the secret, and the new key works', async () => {
    const created = await api(gw.url, admin.key, 'POST', '/api/v1/keys', {
      name: 'POS 1',
      description: 'front till',
      permissions: ['jobs:write', 'ViewDevice'],
      expires: '2099-01-01T00:00:00Z',
    });
    expect(created.status).toBe(201);
    const key = String(created.body.key);
    expect(key).toMatch(/^pgk_live_[0-9a-f]{64}$/);
    expect(created.headers.get('location')).toBe(`/api/v1/keys/${String(created.body.id)}`);
    expect(created.body).toMatchObject({
      name: 'POS 1',
      description: 'front till',
      permissions: ['ViewDevice', 'PrintToDevice'],
      groups: [],
      state: 'active',
      source: 'local',
      expires: '2099-01-01T00:00:00.000Z',
      hint: `pgk_live_…${key.slice(-4)}`,
      lastUsed: null,
    });
    const me = await api(gw.url, key, 'GET', '/api/v1/me');
    expect(me.body.id).toBe(created.body.id);

    const list = await api(gw.url, admin.key, 'GET', '/api/v1/keys');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(key.slice(9));
    expect(list.text).not.toContain(admin.key.slice(9));
    const listed = (list.body.data as Record<string, unknown>[]).find((k) => k.id === created.body.id);
    expect(listed).toMatchObject({ name: 'POS 1', state: 'active' });
    expect(listed).not.toHaveProperty('key');
    const one = await api(gw.url, admin.key, 'GET', `/api/v1/keys/${String(created.body.id)}`);
    expect(one.body).toMatchObject({ id: created.body.id, name: 'POS 1' });
    expect(one.text).not.toContain(key);
  });

  it('PATCH edits fields and switches a key off and on; DELETE revokes for good', async () => {
    const created = await api(gw.url, admin.key, 'POST', '/api/v1/keys', { name: 'till', permissions: ['ViewJobs', 'EnumDevices'] });
    const id = String(created.body.id);
    const key = String(created.body.key);
    expect((await api(gw.url, key, 'GET', '/api/v1/printers')).status).toBe(200);

    const edited = await api(gw.url, admin.key, 'PATCH', `/api/v1/keys/${id}`, { name: 'till 2', permissions: ['ViewJobs'], groups: ['store1'], expires: null });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'till 2', permissions: ['ViewJobs'], groups: ['store1'], expires: null });
    expect((await api(gw.url, key, 'GET', '/api/v1/printers')).body.error?.code).toBe('INSUFFICIENT_SCOPE');

    expect((await api(gw.url, admin.key, 'PATCH', `/api/v1/keys/${id}`, { disabled: true })).body.state).toBe('disabled');
    expect((await api(gw.url, key, 'GET', '/api/v1/me')).body.error?.code).toBe('TOKEN_DISABLED');
    expect((await api(gw.url, admin.key, 'PATCH', `/api/v1/keys/${id}`, { disabled: false })).body.state).toBe('active');
    expect((await api(gw.url, key, 'GET', '/api/v1/me')).status).toBe(200);

    const revoked = await api(gw.url, admin.key, 'DELETE', `/api/v1/keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('revoked');
    expect((await api(gw.url, key, 'GET', '/api/v1/me')).body.error?.code).toBe('TOKEN_REVOKED');
    const again = await api(gw.url, admin.key, 'DELETE', `/api/v1/keys/${id}`);
    expect(again.body.revoked).toBe(revoked.body.revoked);
    const revive = await api(gw.url, admin.key, 'PATCH', `/api/v1/keys/${id}`, { disabled: false });
    expect({ status: revive.status, code: revive.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });
    expect((await api(gw.url, key, 'GET', '/api/v1/me')).body.error?.code).toBe('TOKEN_REVOKED');
    const listed = (await api(gw.url, admin.key, 'GET', '/api/v1/keys')).body.data as Record<string, unknown>[];
    expect(listed.find((k) => k.id === id)?.state).toBe('revoked');
  });

  it.each([
    ['an unknown field', { name: 'a', permissions: ['ViewJobs'], admin: true }, 'admin'],
    ['a missing name', { permissions: ['ViewJobs'] }, 'name'],
    ['an empty name', { name: '  ', permissions: ['ViewJobs'] }, 'name'],
    ['a name of the wrong type', { name: 5, permissions: ['ViewJobs'] }, 'name'],
    ['permissions as a string', { name: 'a', permissions: 'ViewJobs' }, 'permissions'],
    ['no permissions', { name: 'a', permissions: [] }, 'permissions'],
    ['an unknown permission', { name: 'a', permissions: ['ViewJobs', 'Root'] }, 'permissions'],
    ['a permission of the wrong type', { name: 'a', permissions: [1] }, 'permissions.0'],
    ['groups not a list', { name: 'a', permissions: ['ViewJobs'], groups: 'store1' }, 'groups'],
    ['a bad group MatchPath', { name: 'a', permissions: ['ViewJobs'], groups: ['Store 1'] }, 'groups'],
    ['expires not a date', { name: 'a', permissions: ['ViewJobs'], expires: 'tomorrow' }, 'expires'],
    ['a description too long', { name: 'a', permissions: ['ViewJobs'], description: 'x'.repeat(501) }, 'description'],
    ['a JSON array', [{ name: 'a' }], '(body)'],
  ])('POST refuses %s with 400 naming the field', async (_what, body, field) => {
    const answer = await api(gw.url, admin.key, 'POST', '/api/v1/keys', body);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(answer.body.error?.details).toMatchObject({ field });
    expect(answer.body.error?.message).toContain(field === '(body)' ? '' : field.split('.')[0]);
  });

  it.each([
    ['an unknown field', { nme: 'a' }, 'nme'],
    ['disabled as a string', { disabled: 'true' }, 'disabled'],
    ['an empty body', {}, '(body)'],
    ['expires as a number', { expires: 12 }, 'expires'],
  ])('PATCH refuses %s with 400 naming the field', async (_what, body, field) => {
    const { id } = gw.createKey(['ViewJobs']);
    const answer = await api(gw.url, admin.key, 'PATCH', `/api/v1/keys/${id}`, body);
    expect({ status: answer.status, code: answer.body.error?.code, field: answer.body.error?.details?.field }).toEqual({ status: 400, code: 'BAD_REQUEST', field });
  });

  it('refuses bodies that are not JSON, too big, or another media type', async () => {
    const broken = await api(gw.url, admin.key, 'POST', '/api/v1/keys', '{"name": ');
    expect({ status: broken.status, code: broken.body.error?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    const huge = await api(gw.url, admin.key, 'POST', '/api/v1/keys', { name: 'a', permissions: ['ViewJobs'], description: 'x'.repeat(40_000) });
    expect({ status: huge.status, code: huge.body.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const form = await api(gw.url, admin.key, 'POST', '/api/v1/keys', 'name=a', 'application/x-www-form-urlencoded');
    expect({ status: form.status, code: form.body.error?.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const missing = await api(gw.url, admin.key, 'PATCH', '/api/v1/keys/key_0000000000000000', { name: 'x' });
    expect({ status: missing.status, code: missing.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('needs ManageKeys on every key route, and auth comes before the body is read', async () => {
    const { key } = gw.createKey(['ViewJobs', 'ManageNotifications']);
    const target = gw.createKey(['ViewJobs']);
    for (const [method, route] of [
      ['GET', '/api/v1/keys'],
      ['POST', '/api/v1/keys'],
      ['GET', `/api/v1/keys/${target.id}`],
      ['PATCH', `/api/v1/keys/${target.id}`],
      ['DELETE', `/api/v1/keys/${target.id}`],
    ] as const) {
      const answer = await api(gw.url, key, method, route, method === 'POST' || method === 'PATCH' ? '{broken' : undefined);
      expect({ method, status: answer.status, code: answer.body.error?.code }).toEqual({ method, status: 403, code: 'INSUFFICIENT_SCOPE' });
    }
    expect((await api(gw.url, target.key, 'GET', '/api/v1/me')).status).toBe(200);
  });

  it('a manager cannot grant more than it holds; a group-limited manager sees only its groups', async () => {
    const manager = gw.createKey(['ManageKeys', 'ViewJobs'], { groups: ['store1'] });
    const escalate = await api(gw.url, manager.key, 'POST', '/api/v1/keys', { name: 'x', permissions: ['PrintToDevice'], groups: ['store1'] });
    expect({ status: escalate.status, code: escalate.body.error?.code }).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    const allGroups = await api(gw.url, manager.key, 'POST', '/api/v1/keys', { name: 'x', permissions: ['ViewJobs'] });
    expect(allGroups.body.error?.code).toBe('INSUFFICIENT_SCOPE');
    const ok = await api(gw.url, manager.key, 'POST', '/api/v1/keys', { name: 'x', permissions: ['ViewJobs'], groups: ['store1'] });
    expect(ok.status).toBe(201);
    const visible = ((await api(gw.url, manager.key, 'GET', '/api/v1/keys')).body.data as { id: string }[]).map((k) => k.id);
    expect(visible).toContain(ok.body.id);
    expect(visible).toContain(manager.id);
    expect(visible).not.toContain(admin.id);
    const hidden = await api(gw.url, manager.key, 'DELETE', `/api/v1/keys/${admin.id}`);
    expect(hidden.status).toBe(404);
    expect((await api(gw.url, admin.key, 'GET', '/api/v1/me')).status).toBe(200);
    const widen = await api(gw.url, manager.key, 'PATCH', `/api/v1/keys/${String(ok.body.id)}`, { groups: [] });
    expect(widen.body.error?.code).toBe('INSUFFICIENT_SCOPE');
  });
});
