import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/open-database.js';
import type { Job } from '../../src/jobs/job-store.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { createLogger } from '../../src/log/create-logger.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { jobSubType } from '../../src/webhooks/webhook-events.js';
import { LogCapture } from '../helpers/log-capture.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function call(base: string, method: string, path: string, auth: string, body?: string | object, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { 'Star-Api-Key': auth, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (typeof body !== 'string') (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as any };
}

const PERMS = ['ManageNotifications', 'EnumDevices', 'PrintToDevice', 'ViewDevice'];

async function withGateway(printers: object[]): Promise<{ gw: TestGateway; key: string; appId: (name: string, group?: string) => Promise<string> }> {
  const gw = await startTestGateway({ printers, webhooks: { allowPrivateTargets: ['127.0.0.1'] } });
  cleanups.push(() => gw.stop());
  const key = gw.createKey(PERMS).key;
  const appId = async (name: string, group = 'shop'): Promise<string> =>
    (await call(gw.url, 'GET', `/v1/a/${group}/d`, key)).json().find((d: any) => d.Id === name).AccessIdentifier;
  return { gw, key, appId };
}

async function receiverFor(behaviour: 'accept' | 'fail' | 'stall' = 'accept'): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver({ behaviour });
  cleanups.push(() => receiver.close());
  return receiver;
}

async function sinkFor(): Promise<TcpSink> {
  const sink = await startTcpSink();
  cleanups.push(() => sink.close());
  return sink;
}

const names = (requests: { json(): Record<string, unknown> }[]): string[] => requests.map((r) => `${r.json().EventType}/${r.json().SubType}`);

describe('webhooks', () => {
  it('job events arrive in order in the Star envelope, with URL placeholders filled', async () => {
    const sink = await sinkFor();
    const receiver = await receiverFor();
    const { gw, key, appId } = await withGateway([{ name: 'Front Counter', group: 'shop', uri: sink.uri }]);
    const target = await call(gw.url, 'POST', '/v1/a/shop/n', key, {
      Name: 'pos',
      Url: `${receiver.url}/hook/{event}/{sub}?group={path}&app={appid}&device={name}&mac={mac}`,
      Events: ['job'],
    });
    expect(target.status).toBe(201);
    const id = await appId('Front Counter');
    const printed = await call(gw.url, 'POST', `/v1/a/shop/d/${id}/q`, key, 'Hello\n', { 'Content-Type': 'text/plain', 'Star-Job-Name': 'Order42' });
    expect(printed.status).toBe(201);

    const requests = await receiver.waitForAccepted(3);
    expect(names(requests)).toEqual(['job/received', 'job/requested', 'job/completed']);
    expect(requests[0]!.url).toBe(`/hook/job/received?group=shop&app=${id}&device=Front%20Counter&mac=`);
    for (const request of requests) {
      expect(request.headers['user-agent']).toBe('StarIO_Online/1.0');
      expect(request.headers['content-type']).toBe('application/json');
      const body = request.json();
      expect(Object.keys(body)).toEqual(['EventType', 'SubType', 'DeviceGroup', 'Device', 'EventData']);
      expect(body.DeviceGroup).toEqual({ Path: 'shop', Name: 'shop' });
      expect(body.Device).toEqual({ Mac: '', Name: 'Front Counter', AppID: id });
      expect(body.EventData).toMatchObject({ JobName: 'Order42', JobId: printed.json().JobId });
    }
    expect(requests[1]!.json().EventData).toMatchObject({ RequestedMediaType: 'application/vnd.escpos' });
    expect(requests[2]!.json().EventData).toMatchObject({ Code: 200, CodeDescription: 'OK' });
  });

  it('status/offline with the 13 flags when a printer stops answering; targets not subscribed get nothing', async () => {
    const dead = await startTcpSink();
    const port = dead.port;
    await dead.close();
    const receiver = await receiverFor();
    const jobsOnly = await receiverFor();
    const { gw, key, appId } = await withGateway([{ name: 'Kitchen', group: 'shop', uri: `socket://127.0.0.1:${port}` }]);
    await call(gw.url, 'POST', '/v1/a/shop/n', key, { Url: `${receiver.url}/s`, Events: ['status'] });
    await call(gw.url, 'POST', '/v1/a/shop/n', key, { Url: `${jobsOnly.url}/j`, Events: ['connection'] });
    const id = await appId('Kitchen');
    await call(gw.url, 'POST', `/v1/a/shop/d/${id}/q`, key, 'Hello\n', { 'Content-Type': 'text/plain' });
    const [offline] = await receiver.waitForAccepted(1);
    expect(offline!.json()).toMatchObject({ EventType: 'status', SubType: 'offline', Device: { Name: 'Kitchen', AppID: id } });
    const status = (offline!.json().EventData as any).Status;
    expect(Object.keys(status)).toHaveLength(13);
    expect(status.Online).toBe(false);
    expect(jobsOnly.all()).toEqual([]);
  });

  it('connection/deleted_complete when a device is deleted', async () => {
    const sink = await sinkFor();
    const receiver = await receiverFor();
    const { gw, appId } = await withGateway([{ name: 'Front Counter', group: 'shop', uri: sink.uri }]);
    const admin = gw.createKey(['ManageNotifications', 'EnumDevices', 'DeleteDevice']).key;
    await call(gw.url, 'POST', '/v1/a/shop/n', admin, { Url: `${receiver.url}/c`, Events: ['connection'] });
    const id = await appId('Front Counter');
    expect((await call(gw.url, 'DELETE', `/v1/a/shop/d/${id}`, admin)).status).toBe(200);
    const [event] = await receiver.waitForAccepted(1);
    expect(event!.json()).toMatchObject({ EventType: 'connection', SubType: 'deleted_complete', Device: { Name: 'Front Counter', AppID: id } });
    expect(Object.keys((event!.json().EventData as any).Status)).toHaveLength(13);
  });

  it('a stalled receiver never slows printing, and does not hold the shutdown', async () => {
    const sink = await sinkFor();
    const receiver = await receiverFor('stall');
    const { gw, key, appId } = await withGateway([{ name: 'Front Counter', group: 'shop', uri: sink.uri }]);
    await call(gw.url, 'POST', '/v1/a/shop/n', key, { Url: `${receiver.url}/slow`, Events: ['job'] });
    const id = await appId('Front Counter');
    for (let i = 0; i < 3; i += 1) {
      const res = await call(gw.url, 'POST', `/v1/a/shop/d/${id}/q`, key, `job ${i}\n`, { 'Content-Type': 'text/plain' });
      expect(res.status).toBe(201);
    }
    await sink.waitForText('job 2\n');
    // One POST is stuck at the receiver; everything else waits behind it, in the outbox.
    expect(receiver.all()).toHaveLength(1);
    await gw.stop();
  });

  it('a failing receiver is retried with back-off until it accepts; order is kept', async () => {
    const sink = await sinkFor();
    const receiver = await receiverFor('fail');
    const { gw, key, appId } = await withGateway([{ name: 'Front Counter', group: 'shop', uri: sink.uri }]);
    await call(gw.url, 'POST', '/v1/a/shop/n', key, { Url: `${receiver.url}/flaky`, Events: ['job'] });
    const id = await appId('Front Counter');
    await call(gw.url, 'POST', `/v1/a/shop/d/${id}/q`, key, 'Hello\n', { 'Content-Type': 'text/plain' });
    await sink.waitForJobs(1);
    const failures = await receiver.waitForAny(2);
    expect(names(failures)).toEqual(['job/received', 'job/received']);
    expect(gw.logs.find('webhook delivery failed; will retry').length).toBeGreaterThanOrEqual(1);
    receiver.setBehaviour('accept');
    const delivered = await receiver.waitForAccepted(3, 20_000);
    expect(names(delivered)).toEqual(['job/received', 'job/requested', 'job/completed']);
    // The log never holds the target URL (it may carry a secret).
    expect(gw.logs.text()).not.toContain('/flaky');
  });

  it('a restart loses no event: receiver down, gateway restarted, receiver up → everything delivered', async () => {
    const sink = await sinkFor();
    const probe = await startWebhookReceiver();
    const port = probe.port;
    await probe.close();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-webhooks-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig({
      dataDir,
      server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
      webhooks: { allowPrivateTargets: ['127.0.0.1'] }, // the test's receivers listen on loopback
      printers: [{ name: 'Front Counter', group: 'shop', uri: sink.uri }],
    });
    const boot = async (): Promise<Gateway> => {
      const gateway = await startGateway({ config, log: createLogger({ level: 'debug', destination: new LogCapture() }) });
      cleanups.push(() => gateway.stop());
      return gateway;
    };
    const db = openDatabase({ dataDir });
    const key = new KeyStore({ db, now: () => new Date() }).create({ name: 't', permissions: PERMS }).key;
    db.close();

    const first = await boot();
    await call(first.url, 'POST', '/v1/a/shop/n', key, { Url: `http://127.0.0.1:${port}/hook`, Events: ['job'] });
    const id = (await call(first.url, 'GET', '/v1/a/shop/d', key)).json()[0].AccessIdentifier;
    await call(first.url, 'POST', `/v1/a/shop/d/${id}/q`, key, 'Hello\n', { 'Content-Type': 'text/plain', 'Star-Job-Name': 'kept' });
    await sink.waitForJobs(1);
    await waitFor('three events in the outbox', () => (first.db.prepare('SELECT COUNT(*) AS n FROM webhook_outbox').get() as { n: number }).n === 3);
    await first.stop();

    const receiver = await startWebhookReceiver({ port });
    cleanups.push(() => receiver.close());
    const second = await boot();
    const delivered = await receiver.waitForAccepted(3);
    expect(names(delivered)).toEqual(['job/received', 'job/requested', 'job/completed']);
    expect(delivered.every((r) => (r.json().EventData as any).JobName === 'kept')).toBe(true);
    await waitFor('an empty outbox', () => (second.db.prepare('SELECT COUNT(*) AS n FROM webhook_outbox').get() as { n: number }).n === 0);
  });

  it('maps job states to Star sub-types (aborted → failed; canceled, held and re-queued → none)', () => {
    const job = (state: Job['state'], attempts: number, stateReason: string | null) => ({ state, attempts, stateReason }) as Job;
    expect(jobSubType(job('pending', 0, null))).toBe('received');
    expect(jobSubType(job('pending', 0, 'printer-offline'))).toBeNull();
    expect(jobSubType(job('pending', 1, 'printer-timeout'))).toBeNull();
    expect(jobSubType(job('processing', 1, null))).toBe('requested');
    expect(jobSubType(job('completed', 1, null))).toBe('completed');
    expect(jobSubType(job('aborted', 1, 'document-format-error'))).toBe('failed');
    expect(jobSubType(job('canceled', 0, 'canceled-by-user'))).toBeNull();
    expect(jobSubType(job('held', 1, 'printer-error'))).toBeNull();
  });
});
