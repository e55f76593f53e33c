import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.js';

let gw: TestGateway;
let sink: TcpSink;
let receiver: WebhookReceiver;
let key: string;

async function call(method: string, path: string, auth: string | null, body?: unknown) {
  const init: RequestInit = { method, headers: auth ? { 'Star-Api-Key': auth } : {} };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${gw.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as any, headers: res.headers };
}

beforeAll(async () => {
  sink = await startTcpSink();
  receiver = await startWebhookReceiver();
  gw = await startTestGateway({ printers: [{ name: 'Till', group: 'shop', uri: sink.uri }], webhooks: { allowPrivateTargets: ['127.0.0.1'] } });
  key = gw.createKey(['ManageNotifications', 'DeleteDeviceGroups', 'CreateDeviceGroups']).key;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
  await receiver?.close();
});

describe('Star notification targets', () => {
  it('CRUD: add (201), list, fetch, partial PUT, delete; fields Id, Name, Url, Enabled, Events', async () => {
    expect((await call('GET', '/v1/a/shop/n', key)).json()).toEqual([]);
    const added = await call('POST', '/v1/a/shop/n', key, { Name: 'POS backend', Url: `${receiver.url}/hook` });
    expect(added.status).toBe(201);
    const target = added.json();
    expect(target).toEqual({ Id: expect.any(String), Name: 'POS backend', Url: `${receiver.url}/hook`, Enabled: true, Events: ['connection', 'status', 'job', 'peripheral'] });
    expect(added.headers.get('location')).toBe(`/v1/a/shop/n/${target.Id}`);

    expect((await call('GET', '/v1/a/shop/n', key)).json()).toEqual([target]);
    expect((await call('GET', `/v1/a/shop/n/${target.Id}`, key)).json()).toEqual(target);

    const put = await call('PUT', `/v1/a/shop/n/${target.Id}`, key, { Enabled: false, Events: ['job'], Name: null });
    expect(put.status).toBe(200);
    expect(put.text).toBe('');
    expect((await call('GET', `/v1/a/shop/n/${target.Id}`, key)).json()).toEqual({ ...target, Enabled: false, Events: ['job'] });

    const del = await call('DELETE', `/v1/a/shop/n/${target.Id}`, key);
    expect(del.status).toBe(200);
    expect((await call('GET', `/v1/a/shop/n/${target.Id}`, key)).status).toBe(404);
    expect((await call('DELETE', `/v1/a/shop/n/${target.Id}`, key)).status).toBe(404);
  });

  it('refuses bad URLs, unknown event types, unknown fields and bad JSON with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ Name: 'x' }, 'Url'],
      [{ Url: 'ftp://example.com/x' }, 'Url'],
      [{ Url: 'not a url' }, 'Url'],
      [{ Url: `${receiver.url}/x`, Events: ['jobs'] }, 'Events'],
      [{ Url: `${receiver.url}/x`, Enabled: 'true' }, 'Enabled'],
      [{ Url: `${receiver.url}/x`, Secret: 'x' }, 'Secret'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/v1/a/shop/n', key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    expect((await call('POST', '/v1/a/shop/n', key, '{')).status).toBe(400);
    expect((await call('GET', '/v1/a/shop/n', key)).json()).toEqual([]);
  });

  it('the test route sends test/sub_test even to a disabled target', async () => {
    const target = (await call('POST', '/v1/a/shop/n', key, { Name: 'off', Url: `${receiver.url}/t/{event}/{sub}/{path}`, Enabled: false })).json();
    const res = await call('GET', `/v1/a/shop/n/test/${target.Id}`, key);
    expect(res.status).toBe(200);
    const [request] = await receiver.waitForAccepted(1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/t/test/sub_test/shop');
    expect(request!.headers['user-agent']).toBe('StarIO_Online/1.0');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.json()).toEqual({
      EventType: 'test',
      SubType: 'sub_test',
      DeviceGroup: { Path: 'shop', Name: 'shop' },
      Device: { Mac: '000000000000', Name: 'Test Name', AppID: '00000000' },
    });
    expect((await call('GET', '/v1/a/shop/n/test/no-such-id', key)).status).toBe(404);
  });

  it('needs ManageNotifications; other groups are 404 for a group-limited key; unknown group is 404', async () => {
    const other = gw.createKey(['ViewDeviceGroups']).key;
    expect((await call('GET', '/v1/a/shop/n', other)).status).toBe(403);
    expect((await call('POST', '/v1/a/shop/n', other, { Url: `${receiver.url}/x` })).status).toBe(403);
    await call('POST', '/v1/a', key, { Name: 'Bar', MatchPath: 'bar' });
    const limited = gw.createKey(['ManageNotifications'], { groups: ['bar'] }).key;
    expect((await call('GET', '/v1/a/shop/n', limited)).status).toBe(404);
    expect((await call('GET', '/v1/a/bar/n', limited)).status).toBe(200);
    expect((await call('GET', '/v1/a/nope/n', key)).status).toBe(404);
  });

  it('deleting a group deletes its targets', async () => {
    await call('POST', '/v1/a', key, { Name: 'Gone', MatchPath: 'gone' });
    const target = (await call('POST', '/v1/a/gone/n', key, { Url: `${receiver.url}/x` })).json();
    expect((await call('DELETE', '/v1/a/gone', key)).status).toBe(200);
    await call('POST', '/v1/a', key, { Name: 'Gone', MatchPath: 'gone' });
    expect((await call('GET', `/v1/a/gone/n/${target.Id}`, key)).status).toBe(404);
  });
});
