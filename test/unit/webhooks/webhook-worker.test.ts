import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { GroupStore } from '../../../src/printers/group-store.js';
import { NotificationStore } from '../../../src/webhooks/notification-store.js';
import type { StarEnvelope } from '../../../src/webhooks/star-envelope.js';
import { WebhookTargetPolicy } from '../../../src/webhooks/target-policy.js';
import { WebhookOutbox } from '../../../src/webhooks/webhook-outbox.js';
import { WebhookWorker } from '../../../src/webhooks/webhook-worker.js';
import { LogCapture } from '../../helpers/log-capture.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../peers/webhook-receiver.js';

/** The webhook worker against real HTTP receivers, with the clock injected (retries, give-up) and DNS injected (rebinding). */

let dir: string;
let db: Db;
let nowMs: number;
let logs: LogCapture;
let receiver: WebhookReceiver;
let worker: WebhookWorker | undefined;
const closers: (() => Promise<void>)[] = [];

const now = (): Date => new Date(nowMs);
const envelope = (n: number): StarEnvelope => ({
  EventType: 'job', SubType: 'completed', DeviceGroup: { Path: 'shop', Name: 'Shop' },
  Device: { Mac: '00:11:62:00:00:01', Name: 'Counter', AppID: 'counter01' }, EventData: { JobName: `job ${n}` },
});
const loopbackAllowed = new WebhookTargetPolicy({ allowPrivateTargets: ['127.0.0.1'] });

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'printgate-webhook-worker-'));
  db = openDatabase({ dataDir: dir });
  new GroupStore({ db, now: () => new Date() }).ensure('shop');
  nowMs = Date.parse('2030-01-01T00:00:00.000Z');
  logs = new LogCapture();
  receiver = await startWebhookReceiver();
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await receiver.close();
  for (const close of closers.splice(0)) await close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function build(url: string, policy: WebhookTargetPolicy, timing = { retryInitialMs: 1000, retryMaxMs: 4000, giveUpAfterMs: 3_600_000, timeoutMs: 2000 }) {
  const notifications = new NotificationStore({ db, now, targets: loopbackAllowed });
  const target = notifications.create('shop', { name: 'pos', url, enabled: true, events: ['job'] });
  const outbox = new WebhookOutbox({ db, now, notifications });
  worker = new WebhookWorker({ outbox, log: createLogger({ level: 'debug', destination: logs }), now, timing, random: () => 1, targets: policy });
  worker.start();
  return { outbox, target };
}

const lastError = (): string | null => (db.prepare('SELECT last_error AS e FROM webhook_outbox ORDER BY seq LIMIT 1').get() as { e: string | null } | undefined)?.e ?? null;

describe('WebhookWorker', () => {
  it('delivers in order, and retries a failing receiver only when the clock says so', async () => {
    const { outbox } = build(`${receiver.url}/hook`, loopbackAllowed);
    receiver.setBehaviour('fail');
    outbox.enqueue('shop', envelope(1));
    outbox.enqueue('shop', envelope(2));
    await receiver.waitForAny(1);
    // The clock stands still: no retry however long we wait in real time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.all()).toHaveLength(1);
    expect(lastError()).toBe('HTTP 500');
    receiver.setBehaviour('accept');
    nowMs += 1000; // the first back-off (random() = 1: the full 1000 ms)
    const got = await receiver.waitForAccepted(2);
    expect(got.map((request) => (request.json().EventData as { JobName: string }).JobName)).toEqual(['job 1', 'job 2']);
    await waitFor('the outbox to empty', () => outbox.count() === 0);
    expect(logs.find('webhook delivery failed; will retry')).toHaveLength(1);
  });

  it('gives a row up after giveUpAfterMs on the injected clock', async () => {
    const { outbox } = build(`${receiver.url}/hook`, loopbackAllowed);
    receiver.setBehaviour('fail');
    outbox.enqueue('shop', envelope(1));
    await receiver.waitForAny(1);
    nowMs += 3_600_000;
    await waitFor('the row to be given up', () => outbox.count() === 0);
    expect(logs.find('webhook given up')).toHaveLength(1);
  });

  it('refuses at delivery a name that resolves to a loopback address (DNS rebinding), and a literal one', async () => {
    const rebinding = new WebhookTargetPolicy({
      allowPrivateTargets: [],
      lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    });
    const { outbox } = build(`http://rebind.example:${receiver.port}/hook`, rebinding);
    outbox.enqueue('shop', envelope(1));
    await waitFor('the refusal', () => lastError());
    expect(lastError()).toContain('"rebind.example" is a loopback address: list it in webhooks.allowPrivateTargets');
    expect(receiver.all()).toEqual([]);
    await worker!.stop();

    const strict = new WebhookTargetPolicy({ allowPrivateTargets: [] });
    db.prepare('DELETE FROM webhook_outbox').run();
    db.prepare('DELETE FROM notification_targets').run();
    const second = build(`${receiver.url}/literal`, strict);
    second.outbox.enqueue('shop', envelope(2));
    await waitFor('the refusal', () => lastError());
    expect(lastError()).toContain('"127.0.0.1" is a loopback address');
    expect(receiver.all()).toEqual([]);
  });

  it('never follows a redirect (a receiver cannot bounce the POST to the gateway itself)', async () => {
    const bounced = await startWebhookReceiver();
    closers.push(() => bounced.close());
    const redirector = http.createServer((req, res) => {
      req.resume();
      res.writeHead(307, { Location: `${bounced.url}/api/v1/keys` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise((resolve) => redirector.close(() => resolve())));
    const { outbox } = build(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`, loopbackAllowed);
    outbox.enqueue('shop', envelope(1));
    await waitFor('the failure', () => lastError());
    expect(lastError()).toBe('HTTP 307 (redirects are not followed)');
    expect(bounced.all()).toEqual([]);
  });
});
