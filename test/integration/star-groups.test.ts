import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starCalls } from '../helpers/star-calls.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

let gw: TestGateway;
let sink: TcpSink;
let all: string;

const call = starCalls(() => gw.url);

const GROUP_LIST_FIELDS = ['Name', 'MatchPath', 'MatchDomain', 'AutoCreateDeviceQueue', 'Enabled', 'RequireDeviceKey', 'Created', 'Owner', 'DeviceCount'];
const GROUP_DETAIL_FIELDS = [...GROUP_LIST_FIELDS, 'ContactEMail', 'ContactName', 'AutoBuzzBeforePrint', 'AutoBuzzAfterPrint', 'Copies', 'AutoClaimBCR'];

beforeAll(async () => {
  sink = await startTcpSink();
  gw = await startTestGateway({ printers: [{ name: 'Front Counter', group: 'shop', uri: sink.uri, language: 'escpos' }] });
  all = gw.createKey(['ViewDeviceGroups', 'CreateDeviceGroups', 'ModifyDeviceGroups', 'DeleteDeviceGroups', 'EnumDevices']).key;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('Star device groups', () => {
  it('lists groups with the nine list fields, typed as Star documents them', async () => {
    const res = await call('GET', '/v1/a', all);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const shop = res.json().find((group: any) => group.MatchPath === 'shop');
    expect(Object.keys(shop).sort()).toEqual([...GROUP_LIST_FIELDS].sort());
    expect(shop.MatchDomain).toBeNull();
    expect(shop.DeviceCount).toBe(1);
    expect(Number.isInteger(shop.DeviceCount)).toBe(true);
    expect(shop.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(typeof shop.Owner).toBe('string');
    expect(typeof shop.Enabled).toBe('boolean');
  });

  it('the key may come as ?key= with the same answer', async () => {
    const header = await call('GET', '/v1/a', all);
    const query = await call('GET', `/v1/a?key=${all}`, null);
    expect(query.status).toBe(200);
    expect(query.json()).toEqual(header.json());
  });

  it('creates a group (201, detail form), refuses a duplicate MatchPath with 409 and a bad one with 400', async () => {
    const created = await call('POST', '/v1/a', all, { Name: 'Bar', MatchPath: 'bar-1', Copies: 2, ContactEMail: 'a@b.c' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.json()).sort()).toEqual([...GROUP_DETAIL_FIELDS].sort());
    expect(created.json()).toMatchObject({ Name: 'Bar', MatchPath: 'bar-1', Copies: 2, ContactEMail: 'a@b.c', DeviceCount: 0 });
    const again = await call('POST', '/v1/a', all, { Name: 'Bar again', MatchPath: 'bar-1' });
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
    const bad = await call('POST', '/v1/a', all, { Name: 'Bad', MatchPath: 'Bad Path!' });
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toContain('MatchPath');
    const missing = await call('POST', '/v1/a', all, { MatchPath: 'nameless' });
    expect(missing.status).toBe(400);
    expect(missing.json().error.message).toContain('Name');
  });

  it('fetches one group in detail form; unknown group is 404', async () => {
    const res = await call('GET', '/v1/a/shop', all);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual([...GROUP_DETAIL_FIELDS].sort());
    expect(res.json()).toMatchObject({ Copies: 1, AutoBuzzBeforePrint: 0, AutoBuzzAfterPrint: 0, AutoClaimBCR: false });
    const missing = await call('GET', '/v1/a/nope', all);
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });

  it('PUT is partial: absent or null leaves a field unchanged; answers 200 with no body', async () => {
    await call('PUT', '/v1/a/shop', all, { ContactName: 'Ann', AutoBuzzAfterPrint: 2 });
    const put = await call('PUT', '/v1/a/shop', all, { Copies: 2, ContactName: null });
    expect(put.status).toBe(200);
    expect(put.text).toBe('');
    const after = (await call('GET', '/v1/a/shop', all)).json();
    expect(after).toMatchObject({ Copies: 2, ContactName: 'Ann', AutoBuzzAfterPrint: 2, Name: 'shop' });
  });

  it('PUT refuses out-of-range values, wrong types, unknown fields and bad JSON with 400 naming the field, and writes nothing', async () => {
    const before = (await call('GET', '/v1/a/shop', all)).json();
    const cases: [unknown, string][] = [
      [{ Copies: 11 }, 'Copies'],
      [{ Copies: 1.5 }, 'Copies'],
      [{ AutoBuzzBeforePrint: 4 }, 'AutoBuzzBeforePrint'],
      [{ AutoClaimBCR: 'yes' }, 'AutoClaimBCR'],
      [{ ContactName: 'Bob', Colour: 'red' }, 'Colour'],
      [[1, 2], 'object'],
    ];
    for (const [body, field] of cases) {
      const res = await call('PUT', '/v1/a/shop', all, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
      expect(res.json().error.message).toContain(field);
    }
    const broken = await call('PUT', '/v1/a/shop', all, '{"Copies": 2,');
    expect(broken.status).toBe(400);
    expect(broken.json().error.code).toBe('BAD_REQUEST');
    expect((await call('GET', '/v1/a/shop', all)).json()).toEqual(before);
  });

  it('DELETE is 409 while devices remain, 200 (no body) for an empty group', async () => {
    const busy = await call('DELETE', '/v1/a/shop', all);
    expect(busy.status).toBe(409);
    expect(busy.json().error.code).toBe('CONFLICT');
    await call('POST', '/v1/a', all, { Name: 'Temp', MatchPath: 'temp' });
    const gone = await call('DELETE', '/v1/a/temp', all);
    expect(gone.status).toBe(200);
    expect(gone.text).toBe('');
    expect((await call('GET', '/v1/a/temp', all)).status).toBe(404);
  });

  it('enforces each permission: 403 INSUFFICIENT_SCOPE without it', async () => {
    const printOnly = gw.createKey(['PrintToDevice']).key;
    expect((await call('GET', '/v1/a', printOnly)).status).toBe(403);
    expect((await call('GET', '/v1/a/shop', printOnly)).status).toBe(403);
    expect((await call('POST', '/v1/a', printOnly, { Name: 'X', MatchPath: 'x' })).status).toBe(403);
    expect((await call('PUT', '/v1/a/shop', printOnly, { Copies: 1 })).status).toBe(403);
    expect((await call('DELETE', '/v1/a/shop', printOnly)).status).toBe(403);
    const res = await call('GET', '/v1/a', printOnly);
    expect(res.json().error.code).toBe('INSUFFICIENT_SCOPE');
    expect((await call('GET', '/v1/a', null)).status).toBe(401);
  });

  it('a group-limited key sees only its groups; another group is 404, not 403', async () => {
    await call('POST', '/v1/a', all, { Name: 'Hidden', MatchPath: 'hidden' });
    const limited = gw.createKey(['ViewDeviceGroups', 'ModifyDeviceGroups', 'CreateDeviceGroups'], { groups: ['shop'] }).key;
    const list = (await call('GET', '/v1/a', limited)).json();
    expect(list.map((group: any) => group.MatchPath)).toEqual(['shop']);
    expect((await call('GET', '/v1/a/hidden', limited)).status).toBe(404);
    expect((await call('PUT', '/v1/a/hidden', limited, { Copies: 3 })).status).toBe(404);
    expect((await call('POST', '/v1/a', limited, { Name: 'Other', MatchPath: 'other' })).status).toBe(403);
  });

  it('odd path segments are a JSON 4xx, never a 5xx', async () => {
    for (const path of ['/v1/a/%E0%A4%A', '/v1/a/..%2F..%2Fetc', `/v1/a/${'x'.repeat(5000)}`, '/v1/a/%00']) {
      const res = await call('GET', path, all);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.json().error.code).toBeTypeOf('string');
    }
  });
});
