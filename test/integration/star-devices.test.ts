import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starCalls } from '../helpers/star-calls.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

let gw: TestGateway;
let counter: TcpSink;
let deadPort: number;
let key: string;

const call = starCalls(() => gw.url);

const DEVICE_FIELDS = [
  'Mac', 'Id', 'Status', 'AccessIdentifier', 'HorizontalResolution', 'VerticalResolution', 'PrintableWidthMM', 'PaperWidthMM',
  'ClientType', 'LastConnection', 'QueuedJobs', 'GroupInfo',
];
const STATUS_FLAGS = [
  'Online', 'CoverOpen', 'CompulsionSwitch', 'OverTemperature', 'Recoverable', 'CutterError', 'MechanicalError',
  'ReceiveBufferOverflow', 'BlackMarkError', 'PresenterPaperJam', 'VoltageError', 'PaperEmpty', 'PaperLow',
];

const ALL = ['ViewDeviceGroups', 'ModifyDeviceGroups', 'DeleteDeviceGroups', 'EnumDevices', 'ViewDevice', 'ModifyDevice', 'DeleteDevice', 'PrintToDevice', 'FlushQueue'];

async function device(name: string): Promise<any> {
  const list = (await call('GET', '/v1/a/shop/d', key)).json();
  return list.find((d: any) => d.Id === name);
}

beforeAll(async () => {
  counter = await startTcpSink();
  const dead = await startTcpSink();
  deadPort = dead.port;
  await dead.close();
  gw = await startTestGateway({
    printers: [
      { name: 'Front Counter', group: 'shop', uri: counter.uri, language: 'escpos' },
      { name: 'Kitchen', group: 'shop', uri: `socket://127.0.0.1:${deadPort}`, language: 'escpos' },
      { name: 'Fixed', group: 'shop', appId: 'fixed0001', uri: counter.uri, language: 'escpos' },
      { name: 'Spare', group: 'spare', uri: counter.uri, language: 'escpos' },
    ],
  });
  key = gw.createKey(ALL).key;
});

afterAll(async () => {
  await gw?.stop();
  await counter?.close();
});

describe('Star devices and print queue, walked as a Star client would', () => {
  it('list groups → pick a device → print with options → QueuedJobs → flush', async () => {
    const groups = (await call('GET', '/v1/a', key)).json();
    expect(groups.map((g: any) => g.MatchPath)).toContain('shop');

    const devices = (await call('GET', '/v1/a/shop/d', key)).json();
    expect(devices).toHaveLength(3);
    const kitchen = devices.find((d: any) => d.Id === 'Kitchen');
    expect(Object.keys(kitchen).sort()).toEqual([...DEVICE_FIELDS].sort());
    expect(Object.keys(kitchen.Status)).toEqual(STATUS_FLAGS);
    expect(kitchen.AccessIdentifier).toMatch(/^[0-9a-f]{8}$/);
    expect(kitchen.GroupInfo).toEqual({ Name: 'shop', MatchPath: 'shop', Owner: expect.any(String) });
    expect(kitchen).toMatchObject({ HorizontalResolution: 8, VerticalResolution: 8, PrintableWidthMM: 72, PaperWidthMM: 80, QueuedJobs: 0 });
    expect(typeof kitchen.LastConnection).toBe('number');

    const appId = kitchen.AccessIdentifier as string;
    const first = await call('POST', `/v1/a/shop/d/${appId}/q?name=Order42&copies=2&startbuzzer=1&drawer=end`, key, 'Hello World\n', {
      'Content-Type': 'text/plain',
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.json()).toEqual({ JobId: expect.any(String), QueuedJobs: 1 });
    const second = await call('POST', `/v1/a/shop/d/${appId}/q`, key, 'Second\n', { 'Content-Type': 'text/plain', 'Star-Job-Name': 'Order43' });
    expect(second.status).toBe(201);

    // The kitchen printer is unreachable: its jobs wait, and Star's Online flag says so.
    const offline = await waitFor('the kitchen printer to be offline', async () => {
      const view = (await call('GET', `/v1/a/shop/d/${appId}`, key)).json();
      return view.Status.Online === false ? view : null;
    });
    expect(offline.QueuedJobs).toBe(2);

    const flush = await call('DELETE', `/v1/a/shop/d/${appId}/q`, key);
    expect(flush.status).toBe(200);
    expect(flush.json().sort()).toEqual([first.json().JobId, second.json().JobId].sort());
    expect((await call('GET', `/v1/a/shop/d/${appId}`, key)).json().QueuedJobs).toBe(0);
    expect((await call('DELETE', `/v1/a/shop/d/${appId}/q`, key)).json()).toEqual([]);
  });

  it('the welcome page prints on the device', async () => {
    const counterDevice = await device('Front Counter');
    const before = counter.jobs().length;
    const res = await call('PUT', `/v1/a/shop/d/${counterDevice.AccessIdentifier}/welcome`, key);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const jobs = await counter.waitForJobs(before + 1);
    expect(jobs.at(-1)!.toString('latin1')).toContain('Welcome to shop');
  });

  it('an unknown device or group is 404 on every device route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/a/shop/d/ffffffff'],
      ['PUT', '/v1/a/shop/d/ffffffff'],
      ['DELETE', '/v1/a/shop/d/ffffffff'],
      ['PUT', '/v1/a/shop/d/ffffffff/welcome'],
      ['DELETE', '/v1/a/shop/d/ffffffff/q'],
      ['GET', '/v1/a/nope/d'],
    ] as const) {
      const res = await call(method, path, key, method === 'PUT' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('PUT renames (RequestIdChange) and renews the AccessIdentifier; the old one is 404', async () => {
    const spare = (await call('GET', '/v1/a/spare/d', key)).json()[0];
    const rename = await call('PUT', `/v1/a/spare/d/${spare.AccessIdentifier}`, key, { RequestIdChange: 'Spare Till', RenewPageInfo: true });
    expect(rename.status).toBe(200);
    expect(rename.text).toBe('');
    expect((await call('GET', `/v1/a/spare/d/${spare.AccessIdentifier}`, key)).json().Id).toBe('Spare Till');

    const renew = await call('PUT', `/v1/a/spare/d/${spare.AccessIdentifier}`, key, { GenerateNewAccessID: true });
    expect(renew.status).toBe(200);
    const fresh = (await call('GET', '/v1/a/spare/d', key)).json()[0];
    expect(fresh.AccessIdentifier).not.toBe(spare.AccessIdentifier);
    expect(renew.headers.get('location')).toBe(`/v1/a/spare/d/${fresh.AccessIdentifier}`);
    expect((await call('GET', `/v1/a/spare/d/${spare.AccessIdentifier}`, key)).status).toBe(404);
    expect((await call('GET', `/v1/a/spare/d/${fresh.AccessIdentifier}`, key)).json().Id).toBe('Spare Till');
  });

  it('PUT refuses a new AccessIdentifier the config fixes (409), unknown fields and wrong types (400)', async () => {
    const fixed = await call('PUT', '/v1/a/shop/d/fixed0001', key, { GenerateNewAccessID: true });
    expect(fixed.status).toBe(409);
    expect(fixed.json().error.code).toBe('CONFLICT');
    const unknown = await call('PUT', '/v1/a/shop/d/fixed0001', key, { Rename: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error.message).toContain('Rename');
    const wrong = await call('PUT', '/v1/a/shop/d/fixed0001', key, { RenewPageInfo: 'yes' });
    expect(wrong.status).toBe(400);
    expect(wrong.json().error.message).toContain('RenewPageInfo');
  });

  it('each device route needs its permission', async () => {
    const view = gw.createKey(['ViewDeviceGroups']).key;
    const appId = 'fixed0001';
    expect((await call('GET', '/v1/a/shop/d', view)).status).toBe(403);
    expect((await call('GET', `/v1/a/shop/d/${appId}`, view)).status).toBe(403);
    expect((await call('PUT', `/v1/a/shop/d/${appId}`, view, {})).status).toBe(403);
    expect((await call('DELETE', `/v1/a/shop/d/${appId}`, view)).status).toBe(403);
    expect((await call('DELETE', `/v1/a/shop/d/${appId}/q`, view)).status).toBe(403);
    expect((await call('PUT', `/v1/a/shop/d/${appId}/welcome`, view)).status).toBe(403);
    const limited = gw.createKey(ALL, { groups: ['spare'] }).key;
    expect((await call('GET', '/v1/a/shop/d', limited)).status).toBe(404);
    expect((await call('GET', `/v1/a/shop/d/${appId}`, limited)).status).toBe(404);
  });

  it('DELETE removes a device; its group still cannot be deleted while the config names it', async () => {
    const res = await call('DELETE', '/v1/a/shop/d/fixed0001', key);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect((await call('GET', '/v1/a/shop/d/fixed0001', key)).status).toBe(404);
    expect((await call('GET', '/v1/a/shop/d', key)).json()).toHaveLength(2);
    const spare = (await call('GET', '/v1/a/spare/d', key)).json()[0];
    expect((await call('DELETE', `/v1/a/spare/d/${spare.AccessIdentifier}`, key)).status).toBe(200);
    const group = await call('DELETE', '/v1/a/spare', key);
    expect(group.status).toBe(409);
    expect(group.json().error.code).toBe('CONFLICT');
  });
});
