/**
 * The Star API as a Star client sees it. Everything here is written from Star's own documentation
 * (shared/spec/star-api-research.md) and the contract (shared/spec/http-api.md) — field names,
 * PascalCase, types and status codes — never from this repository's code. The peers are real: a TCP
 * printer, an HTTP webhook receiver, raw sockets for what fetch() would refuse to send.
 */
import http from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/open-database.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { createLogger } from '../../src/log/create-logger.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { LogCapture } from '../helpers/log-capture.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.js';

// ---------------------------------------------------------------------------------------------
// What Star documents (star-api-research.md §3.1, §3.2, §5; http-api.md "Star-compatible API")
// ---------------------------------------------------------------------------------------------

const GROUP_LIST_FIELDS = ['Name', 'MatchPath', 'MatchDomain', 'AutoCreateDeviceQueue', 'Enabled', 'RequireDeviceKey', 'Created', 'Owner', 'DeviceCount'];
const GROUP_DETAIL_FIELDS = [...GROUP_LIST_FIELDS, 'ContactEMail', 'ContactName', 'AutoBuzzBeforePrint', 'AutoBuzzAfterPrint', 'Copies', 'AutoClaimBCR'];
const STATUS_FLAGS = [
  'Online', 'CoverOpen', 'CompulsionSwitch', 'OverTemperature', 'Recoverable', 'CutterError', 'MechanicalError',
  'ReceiveBufferOverflow', 'BlackMarkError', 'PresenterPaperJam', 'VoltageError', 'PaperEmpty', 'PaperLow',
];
const DEVICE_FIELDS = [
  'Mac', 'Id', 'Status', 'AccessIdentifier', 'HorizontalResolution', 'VerticalResolution', 'PrintableWidthMM',
  'PaperWidthMM', 'ClientType', 'LastConnection', 'QueuedJobs', 'GroupInfo',
];
const TARGET_FIELDS = ['Id', 'Name', 'Url', 'Enabled', 'Events'];
/** ISO 8601 in UTC: a Z, no offset. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const STAR_PERMISSIONS = [
  'ViewDeviceGroups', 'CreateDeviceGroups', 'ModifyDeviceGroups', 'DeleteDeviceGroups', 'EnumDevices', 'ViewDevice',
  'ModifyDevice', 'DeleteDevice', 'PrintToDevice', 'FlushQueue', 'ManageNotifications',
];

// ESC/POS commands a printer acts on (Epson's command reference).
const ESC_P = Buffer.from([0x1b, 0x70]); // ESC p m t1 t2: drawer kick
const ESC_B = Buffer.from([0x1b, 0x42]); // ESC B n t: buzzer

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): any;
}

/** A Star client: base URL + key, header form by default, as Star's curl examples. */
class StarClient {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}

  async call(method: string, path: string, body?: string | object | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const init: RequestInit = { method, headers: { 'Star-Api-Key': this.key, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (typeof body === 'object' && !Buffer.isBuffer(body)) (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  print(group: string, appId: string, body: string | Buffer, contentType: string, headers: Record<string, string> = {}, query = ''): Promise<Reply> {
    return this.call('POST', `/v1/a/${group}/d/${appId}/q${query}`, body, { 'Content-Type': contentType, ...headers });
  }
}

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request over a bare socket (fetch normalises `..` and refuses raw bytes). */
function rawRequest(port: number, head: string, timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${head.split('\r\n')[0]!.slice(0, 80)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseRaw(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.end(Buffer.from(head, 'utf8'));
  });
}

function parseRaw(data: Buffer): RawReply {
  const text = data.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (let rest = body; ; ) {
      const lineEnd = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (!size) break;
      decoded += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}

/** Expects the gateway's JSON error form: a 4xx, {"error": {"code", "message", "requestId"}}. */
function expectJsonClientError(status: number, contentType: string | null | undefined, body: string, what: string): any {
  expect(status, `${what}: never a 5xx`).toBeGreaterThanOrEqual(400);
  expect(status, `${what}: never a 5xx`).toBeLessThan(500);
  expect(contentType ?? '', `${what}: JSON`).toMatch(/^application\/json/);
  const parsed = JSON.parse(body);
  expect(parsed.error, what).toEqual({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String), ...(parsed.error.details ? { details: parsed.error.details } : {}) });
  return parsed.error;
}

function indexOfAll(haystack: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

function countOf(haystack: Buffer, text: string): number {
  return indexOfAll(haystack, Buffer.from(text, 'latin1')).length;
}

// ---------------------------------------------------------------------------------------------

let gw: TestGateway;
let sink: TcpSink;
let receiver: WebhookReceiver;
let star: StarClient;
let printOnly: StarClient;
let counter: string;
let kitchen: string;
let deadPort: number;

const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_QUEUED = 4;

beforeAll(async () => {
  sink = await startTcpSink();
  receiver = await startWebhookReceiver();
  const dead = await startTcpSink();
  deadPort = dead.port;
  await dead.close();
  gw = await startTestGateway({
    webhooks: { allowPrivateTargets: ['127.0.0.1'] }, // the test's receivers listen on loopback
    // A conformance walk makes hundreds of calls in a few seconds: the per-key budget is raised.
    limits: { maxDocumentBytes: MAX_DOCUMENT_BYTES, maxQueuedJobs: MAX_QUEUED, perKey: { ratePerSecond: 1000, burst: 5000 } },
    printers: [
      // An Epson TM-T88 has a drawer port and a buzzer, so every print option has bytes to show.
      { name: 'Counter', group: 'shop', uri: sink.uri, language: 'escpos', profile: 'epson-tm-t88' },
      // Nobody listens here: its jobs stay queued (QueuedJobs, flush, queue full).
      { name: 'Kitchen', group: 'shop', uri: `socket://127.0.0.1:${deadPort}`, language: 'escpos' },
    ],
  });
  star = new StarClient(gw.url, gw.createKey([...STAR_PERMISSIONS, 'ViewJobs']).key);
  printOnly = new StarClient(gw.url, gw.createKey(['PrintToDevice']).key);
  const devices = (await star.call('GET', '/v1/a/shop/d')).json() as any[];
  counter = devices.find((d) => d.Id === 'Counter').AccessIdentifier;
  kitchen = devices.find((d) => d.Id === 'Kitchen').AccessIdentifier;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
  await receiver?.close();
});

/** Waits until the Counter's queue is empty (every job sent). */
async function counterIdle(): Promise<void> {
  await waitFor('Counter to have no queued job', async () => (await star.call('GET', `/v1/a/shop/d/${counter}`)).json().QueuedJobs === 0);
}

/** Prints on the Counter and returns the bytes the printer received for that job. */
async function printAndCapture(body: string | Buffer, contentType: string, headers: Record<string, string> = {}, query = ''): Promise<{ reply: Reply; bytes: Buffer }> {
  await counterIdle();
  const before = sink.jobs().length;
  const reply = await star.print('shop', counter, body, contentType, headers, query);
  expect(reply.status, reply.text).toBe(201);
  const jobs = await sink.waitForJobs(before + 1);
  return { reply, bytes: jobs[before]! };
}

describe('Star conformance: a client written from Star’s documentation', () => {
  it('lists device groups: a JSON array of the nine documented fields, Created in UTC, DeviceCount an integer', async () => {
    const res = await star.call('GET', '/v1/a');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const groups = res.json();
    expect(Array.isArray(groups)).toBe(true);
    const shop = groups.find((g: any) => g.MatchPath === 'shop');
    expect(Object.keys(shop).sort()).toEqual([...GROUP_LIST_FIELDS].sort());
    expect(shop.MatchDomain).toBeNull();
    expect(shop.Created).toMatch(ISO_UTC);
    expect(new Date(shop.Created).toISOString()).toBe(new Date(Date.parse(shop.Created)).toISOString());
    expect(Number.isInteger(shop.DeviceCount)).toBe(true);
    expect(shop.DeviceCount).toBe(2);
    expect(typeof shop.Name).toBe('string');
    expect(typeof shop.Owner).toBe('string');
    for (const flag of ['AutoCreateDeviceQueue', 'Enabled', 'RequireDeviceKey']) expect(typeof shop[flag]).toBe('boolean');
    // The key in the query string is the same call (Star §1).
    const viaQuery = await fetch(`${gw.url}/v1/a?key=${star.key}`);
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.json()).toEqual(groups);
    // The base URL may or may not end in /v1: both reach the same routes.
    expect((await star.call('GET', '/v1/a/shop')).status).toBe(200);
  });

  it('creates a group: 201 detail object; a duplicate MatchPath is 409; a bad MatchPath is 400 naming it', async () => {
    const created = await star.call('POST', '/v1/a', { Name: 'Bar', MatchPath: 'bar', Copies: 2, AutoBuzzBeforePrint: 1, ContactName: 'Ann' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    const group = created.json();
    expect(Object.keys(group).sort()).toEqual([...GROUP_DETAIL_FIELDS].sort());
    expect(group).toMatchObject({ Name: 'Bar', MatchPath: 'bar', MatchDomain: null, DeviceCount: 0, Copies: 2, AutoBuzzBeforePrint: 1, AutoBuzzAfterPrint: 0, ContactName: 'Ann' });
    expect(group.Created).toMatch(ISO_UTC);

    const fetched = await star.call('GET', '/v1/a/bar');
    expect(fetched.status).toBe(200);
    expect(fetched.json()).toEqual(group);
    expect((await star.call('GET', '/v1/a')).json().map((g: any) => g.MatchPath)).toContain('bar');

    const duplicate = await star.call('POST', '/v1/a', { Name: 'Bar again', MatchPath: 'bar' });
    expect(duplicate.status).toBe(409);
    for (const [body, field] of [
      [{ Name: 'Upper', MatchPath: 'Bar' }, 'MatchPath'],
      [{ Name: 'Slash', MatchPath: 'a/b' }, 'MatchPath'],
      [{ MatchPath: 'noname' }, 'Name'],
      [{ Name: 'X', MatchPath: 'x1', Copies: 0 }, 'Copies'],
      [{ Name: 'X', MatchPath: 'x2', Bogus: true }, 'Bogus'],
    ] as const) {
      const res = await star.call('POST', '/v1/a', body);
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain(field);
    }
    const names = (await star.call('GET', '/v1/a')).json().map((g: any) => g.MatchPath);
    expect(names.filter((p: string) => p.startsWith('x'))).toEqual([]);
  });

  it('lists and fetches devices with every documented field and type, and the 13 Status flags', async () => {
    const list = await star.call('GET', '/v1/a/shop/d');
    expect(list.status).toBe(200);
    const devices = list.json();
    expect(devices).toHaveLength(2);
    for (const device of devices) {
      expect(Object.keys(device).sort()).toEqual([...DEVICE_FIELDS].sort());
      expect(Object.keys(device.Status)).toEqual(STATUS_FLAGS);
      for (const flag of STATUS_FLAGS) expect(typeof device.Status[flag], flag).toBe('boolean');
      expect(typeof device.Mac).toBe('string');
      expect(typeof device.Id).toBe('string');
      expect(device.AccessIdentifier).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const number of ['HorizontalResolution', 'VerticalResolution', 'PrintableWidthMM', 'PaperWidthMM', 'LastConnection']) {
        expect(typeof device[number], number).toBe('number');
        expect(device[number], number).toBeGreaterThanOrEqual(0);
      }
      expect(device.HorizontalResolution).toBeGreaterThan(0);
      expect(device.PaperWidthMM).toBeGreaterThanOrEqual(device.PrintableWidthMM);
      expect(typeof device.ClientType).toBe('string');
      expect(Number.isInteger(device.QueuedJobs)).toBe(true);
      expect(device.GroupInfo).toMatchObject({ Name: expect.any(String), MatchPath: 'shop', Owner: expect.any(String) });
      const one = await star.call('GET', `/v1/a/shop/d/${device.AccessIdentifier}`);
      expect(one.status).toBe(200);
      expect(Array.isArray(one.json())).toBe(false);
      expect(one.json().AccessIdentifier).toBe(device.AccessIdentifier);
    }
    // The Kitchen printer cannot be reached: a Star client sees it offline once the gateway tried.
    expect((await star.print('shop', kitchen, 'wake\n', 'text/plain')).status).toBe(201);
    await waitFor('Kitchen offline', async () => (await star.call('GET', `/v1/a/shop/d/${kitchen}`)).json().Status.Online === false);
    expect((await star.call('DELETE', `/v1/a/shop/d/${kitchen}/q`)).status).toBe(200);
  });

  it('prints markup with options as headers: copies, pre/post buzzer and the drawer at the start become ESC/POS bytes', async () => {
    const { reply, bytes } = await printAndCapture('Hello World\n[cut]', 'text/vnd.star.markup', {
      'Star-Job-Name': 'Order42',
      'Star-Copies': '2',
      'Star-Pre-Buzzer': '1',
      'Star-Post-Buzzer': '2',
      'Star-Cash-Drawer': 'start',
    });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    const answer = reply.json();
    expect(answer).toEqual({ JobId: expect.any(String), QueuedJobs: expect.any(Number) });
    expect(Number.isInteger(answer.QueuedJobs)).toBe(true);
    expect(reply.headers.get('location')).toBe(`/api/v1/jobs/${answer.JobId}`);

    expect(countOf(bytes, 'Hello World')).toBe(2);
    const drawer = indexOfAll(bytes, ESC_P);
    expect(drawer).toHaveLength(1);
    expect(drawer[0]!).toBeLessThan(bytes.indexOf('Hello World'));
    const buzzers = indexOfAll(bytes, ESC_B).map((at) => ({ at, times: bytes[at + 2]! }));
    expect(buzzers.map((b) => b.times)).toEqual([1, 2]);
    expect(buzzers[0]!.at).toBeLessThan(bytes.indexOf('Hello World'));
    expect(buzzers[1]!.at).toBeGreaterThan(bytes.lastIndexOf('Hello World'));

    const job = await star.call('GET', `/api/v1/jobs/${answer.JobId}`);
    expect(job.json()).toMatchObject({ name: 'Order42', copies: 2, contentType: 'text/vnd.star.markup' });
  });

  it('the same options as query parameters: name, copies, startbuzzer, endbuzzer, drawer=end', async () => {
    const { reply, bytes } = await printAndCapture('Query form\n', 'text/vnd.star.markup', {}, '?name=Q1&copies=3&startbuzzer=0&endbuzzer=3&drawer=end');
    expect(countOf(bytes, 'Query form')).toBe(3);
    const drawer = indexOfAll(bytes, ESC_P);
    expect(drawer).toHaveLength(1);
    expect(drawer[0]!).toBeGreaterThan(bytes.lastIndexOf('Query form'));
    expect(indexOfAll(bytes, ESC_B).map((at) => bytes[at + 2])).toEqual([3]);
    expect((await star.call('GET', `/api/v1/jobs/${reply.json().JobId}`)).json().name).toBe('Q1');

    // Star's prose calls the name parameter "star": accepted too. drawer=none sends no pulse.
    const { reply: second, bytes: plain } = await printAndCapture('No drawer\n', 'text/plain', {}, '?star=Q2&drawer=none');
    expect(indexOfAll(plain, ESC_P)).toEqual([]);
    expect((await star.call('GET', `/api/v1/jobs/${second.json().JobId}`)).json().name).toBe('Q2');
  });

  it("without options the group's Copies, AutoBuzzBeforePrint and AutoBuzzAfterPrint apply", async () => {
    expect((await star.call('PUT', '/v1/a/shop', { Copies: 2, AutoBuzzBeforePrint: 2, AutoBuzzAfterPrint: 1 })).status).toBe(200);
    try {
      const { bytes } = await printAndCapture('Defaults\n', 'text/plain');
      expect(countOf(bytes, 'Defaults')).toBe(2);
      expect(indexOfAll(bytes, ESC_B).map((at) => bytes[at + 2])).toEqual([2, 1]);
      // An explicit option wins over the group's default.
      const { bytes: once } = await printAndCapture('Once\n', 'text/plain', { 'Star-Copies': '1', 'Star-Pre-Buzzer': '0', 'Star-Post-Buzzer': '0' });
      expect(countOf(once, 'Once')).toBe(1);
      expect(indexOfAll(once, ESC_B)).toEqual([]);
    } finally {
      expect((await star.call('PUT', '/v1/a/shop', { Copies: 1, AutoBuzzBeforePrint: 0, AutoBuzzAfterPrint: 0 })).status).toBe(200);
    }
  });

  it('an option out of range is 400 naming the option, and nothing is queued', async () => {
    const jobsBefore = (await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length;
    const cases: [Record<string, string>, string, string][] = [
      [{}, '?copies=0', 'copies'],
      [{}, '?copies=11', 'copies'],
      [{}, '?copies=two', 'copies'],
      [{ 'Star-Copies': '1.5' }, '', 'Star-Copies'],
      [{}, '?startbuzzer=4', 'startbuzzer'],
      [{ 'Star-Pre-Buzzer': '-1' }, '', 'Star-Pre-Buzzer'],
      [{}, '?endbuzzer=9', 'endbuzzer'],
      [{ 'Star-Post-Buzzer': 'x' }, '', 'Star-Post-Buzzer'],
      [{}, '?drawer=middle', 'drawer'],
      [{ 'Star-Cash-Drawer': 'open' }, '', 'Star-Cash-Drawer'],
      [{}, '?copies=1&copies=2', 'copies'],
      [{ 'Star-Job-Name': 'n'.repeat(300) }, '', 'Star-Job-Name'],
    ];
    for (const [headers, query, option] of cases) {
      const res = await star.print('shop', counter, 'never printed\n', 'text/plain', headers, query);
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, `${option} ${query}`);
      expect(res.status).toBe(400);
      expect(error.message.toLowerCase()).toContain(option.toLowerCase());
    }
    expect((await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length).toBe(jobsBefore);
  });

  it('QueuedJobs counts the waiting jobs (device view and print answer); flush answers the removed ids', async () => {
    const device = async () => (await star.call('GET', `/v1/a/shop/d/${kitchen}`)).json();
    expect((await device()).QueuedJobs).toBe(0);
    const ids: string[] = [];
    for (let i = 1; i <= 3; i += 1) {
      const res = await star.print('shop', kitchen, `ticket ${i}\n`, 'text/plain', { 'Star-Job-Name': `T${i}` });
      expect(res.status).toBe(201);
      expect(res.json().QueuedJobs).toBe(i);
      ids.push(res.json().JobId);
      expect((await device()).QueuedJobs).toBe(i);
    }
    expect((await star.call('GET', '/v1/a/shop')).json().DeviceCount).toBe(2);

    // FlushQueue is its own permission.
    expect((await printOnly.call('DELETE', `/v1/a/shop/d/${kitchen}/q`)).status).toBe(403);
    const flushed = await star.call('DELETE', `/v1/a/shop/d/${kitchen}/q`);
    expect(flushed.status).toBe(200);
    expect(flushed.headers.get('content-type')).toMatch(/^application\/json/);
    const removed = flushed.json();
    expect(Array.isArray(removed)).toBe(true);
    for (const id of removed) expect(typeof id).toBe('string');
    expect([...removed].sort()).toEqual([...ids].sort());
    expect((await device()).QueuedJobs).toBe(0);
    for (const id of ids) expect((await star.call('GET', `/api/v1/jobs/${id}`)).json().state).toBe('canceled');
    const again = await star.call('DELETE', `/v1/a/shop/d/${kitchen}/q`);
    expect(again.json()).toEqual([]);
  });

  it('a full queue is 429 QUEUE_FULL with Retry-After; the refused document is not spooled', async () => {
    const spool = path.join(gw.dataDir, 'spool');
    for (let i = 0; i < MAX_QUEUED; i += 1) expect((await star.print('shop', kitchen, `fill ${i}\n`, 'text/plain')).status).toBe(201);
    const filesBefore = readdirSync(spool).length;
    const full = await star.print('shop', kitchen, 'one too many\n', 'text/plain');
    const error = expectJsonClientError(full.status, full.headers.get('content-type'), full.text, 'queue full');
    expect(full.status).toBe(429);
    expect(error.code).toBe('QUEUE_FULL');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(readdirSync(spool).length).toBe(filesBefore);
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).json().QueuedJobs).toBe(MAX_QUEUED);
    expect((await star.call('DELETE', `/v1/a/shop/d/${kitchen}/q`)).json()).toHaveLength(MAX_QUEUED);
  });

  it('partial group PUT: absent or null leaves a field unchanged; unknown fields and wrong types are 400; nothing half-written', async () => {
    const before = (await star.call('GET', '/v1/a/bar')).json();
    const put = await star.call('PUT', '/v1/a/bar', { Copies: 3, ContactName: null });
    expect(put.status).toBe(200);
    expect(put.text).toBe('');
    const after = (await star.call('GET', '/v1/a/bar')).json();
    expect(after).toEqual({ ...before, Copies: 3 });
    expect(after.ContactName).toBe('Ann');

    expect((await star.call('PUT', '/v1/a/bar', {})).status).toBe(200);
    expect((await star.call('GET', '/v1/a/bar')).json()).toEqual(after);

    const bad: [unknown, string[]][] = [
      [{ Copies: 11 }, ['Copies']],
      [{ Copies: '2' }, ['Copies']],
      [{ AutoBuzzBeforePrint: 4 }, ['AutoBuzzBeforePrint']],
      [{ AutoBuzzAfterPrint: -1 }, ['AutoBuzzAfterPrint']],
      [{ AutoClaimBCR: 'yes' }, ['AutoClaimBCR']],
      [{ ContactEMail: 42 }, ['ContactEMail']],
      [{ Copies: 4, Bogus: 1 }, ['Bogus']],
      [{ Bogus: 1, Other: 2 }, ['Bogus', 'Other']],
      [{ MatchPath: 'renamed' }, ['MatchPath']],
    ];
    for (const [body, fields] of bad) {
      const res = await star.call('PUT', '/v1/a/bar', JSON.stringify(body), { 'Content-Type': 'application/json' });
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, JSON.stringify(body));
      expect(res.status).toBe(400);
      for (const field of fields) expect(error.message, JSON.stringify(body)).toContain(field);
    }
    for (const body of ['{"__proto__": {"Copies": 5}}', '{"constructor": {"prototype": {"Copies": 5}}}']) {
      const res = await star.call('PUT', '/v1/a/bar', body, { 'Content-Type': 'application/json' });
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, body);
      expect(res.status, body).toBe(400);
      expect(error.message).toMatch(/__proto__|constructor/);
    }
    for (const body of ['{"Copies": 2', '[1,2]', '"Copies"', 'null', 'Copies=2', '{"Copies": 2}{}']) {
      const res = await star.call('PUT', '/v1/a/bar', body, { 'Content-Type': 'application/json' });
      expectJsonClientError(res.status, res.headers.get('content-type'), res.text, body);
      expect(res.status, body).toBe(400);
    }
    // A settings body is small: past 64 KiB it is 413, even when it is valid JSON.
    const padded = await star.call('PUT', '/v1/a/bar', '{"Copies": 2}'.padEnd(70_000, ' '), { 'Content-Type': 'application/json' });
    expectJsonClientError(padded.status, padded.headers.get('content-type'), padded.text, 'padded JSON');
    expect(padded.status).toBe(413);
    expect((await star.call('GET', '/v1/a/bar')).json()).toEqual(after);
    expect((await star.call('PUT', '/v1/a/nosuchgroup', { Copies: 2 })).status).toBe(404);
  });

  it('device PUT: RequestIdChange renames, RenewPageInfo is accepted, GenerateNewAccessID moves the device to a new appId', async () => {
    const rename = await star.call('PUT', `/v1/a/shop/d/${kitchen}`, { RequestIdChange: 'Kitchen Pass' });
    expect(rename.status).toBe(200);
    expect(rename.text).toBe('');
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).json().Id).toBe('Kitchen Pass');
    expect((await star.call('PUT', `/v1/a/shop/d/${kitchen}`, { RequestIdChange: null, RenewPageInfo: null })).status).toBe(200);
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).json().Id).toBe('Kitchen Pass');
    expect((await star.call('PUT', `/v1/a/shop/d/${kitchen}`, { RenewPageInfo: true })).status).toBe(200);

    for (const [body, field] of [
      [{ RenewPageInfo: 'yes' }, 'RenewPageInfo'],
      [{ GenerateNewAccessID: 1 }, 'GenerateNewAccessID'],
      [{ RequestIdChange: 7 }, 'RequestIdChange'],
      [{ Name: 'x' }, 'Name'],
    ] as const) {
      const res = await star.call('PUT', `/v1/a/shop/d/${kitchen}`, body);
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(error.message).toContain(field);
    }

    const renew = await star.call('PUT', `/v1/a/shop/d/${kitchen}`, { GenerateNewAccessID: true });
    expect(renew.status).toBe(200);
    const devices = (await star.call('GET', '/v1/a/shop/d')).json();
    const moved = devices.find((d: any) => d.Id === 'Kitchen Pass');
    expect(moved.AccessIdentifier).not.toBe(kitchen);
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).status).toBe(404);
    expect((await star.print('shop', kitchen, 'old id\n', 'text/plain')).status).toBe(404);
    kitchen = moved.AccessIdentifier;
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).status).toBe(200);
  });

  it('notifications: CRUD of {Id, Name, Url, Enabled, Events}, and the test event reaches a real receiver', async () => {
    const create = await star.call('POST', '/v1/a/shop/n', { Name: 'POS backend', Url: `${receiver.url}/hook/{event}/{sub}/{path}?a={appid}&m={mac}&n={name}`, Events: ['job', 'status'] });
    expect(create.status, create.text).toBe(201);
    const target = create.json();
    expect(Object.keys(target).sort()).toEqual([...TARGET_FIELDS].sort());
    expect(target).toMatchObject({ Name: 'POS backend', Enabled: true, Events: ['job', 'status'] });
    expect(typeof target.Id).toBe('string');

    expect((await star.call('GET', '/v1/a/shop/n')).json()).toEqual([target]);
    expect((await star.call('GET', `/v1/a/shop/n/${target.Id}`)).json()).toEqual(target);

    const put = await star.call('PUT', `/v1/a/shop/n/${target.Id}`, { Name: 'Backend', Enabled: null });
    expect(put.status).toBe(200);
    const changed = (await star.call('GET', `/v1/a/shop/n/${target.Id}`)).json();
    expect(changed).toEqual({ ...target, Name: 'Backend' });

    for (const body of [{ Url: 'ftp://example.org/' }, { Url: 'not a url' }, { Events: ['jobs'] }, { Enabled: 'no' }, { Colour: 'red' }]) {
      const res = await star.call('PUT', `/v1/a/shop/n/${target.Id}`, body);
      expectJsonClientError(res.status, res.headers.get('content-type'), res.text, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.json().error.message).toContain(Object.keys(body)[0]);
    }
    expect((await star.call('GET', `/v1/a/shop/n/${target.Id}`)).json()).toEqual(changed);
    for (const body of [{ Name: 'no url' }, { Url: 'http://127.0.0.1:1/', Events: 'job' }, { Url: 'http://127.0.0.1:1/', Id: 'mine' }]) {
      const res = await star.call('POST', '/v1/a/shop/n', body);
      expectJsonClientError(res.status, res.headers.get('content-type'), res.text, JSON.stringify(body));
      expect(res.status).toBe(400);
    }
    expect((await star.call('GET', '/v1/a/shop/n')).json()).toEqual([changed]);

    const before = receiver.accepted().length;
    const test = await star.call('GET', `/v1/a/shop/n/test/${target.Id}`);
    expect(test.status).toBe(200);
    const [hit] = (await receiver.waitForAccepted(before + 1)).slice(before);
    expect(hit!.method).toBe('POST');
    expect(hit!.headers['content-type']).toMatch(/^application\/json/);
    expect(hit!.headers['user-agent']).toBe('StarIO_Online/1.0');
    expect(hit!.url).toBe('/hook/test/sub_test/shop?a=00000000&m=000000000000&n=Test%20Name');
    const envelope = hit!.json();
    expect(envelope).toEqual({
      EventType: 'test',
      SubType: 'sub_test',
      DeviceGroup: { Path: 'shop', Name: expect.any(String) },
      Device: { Mac: '000000000000', Name: 'Test Name', AppID: '00000000' },
    });

    // A test reaches even a disabled target (Star: "a test can be sent even while disabled").
    expect((await star.call('PUT', `/v1/a/shop/n/${target.Id}`, { Enabled: false })).status).toBe(200);
    expect((await star.call('GET', `/v1/a/shop/n/test/${target.Id}`)).status).toBe(200);
    await receiver.waitForAccepted(before + 2);
    expect((await star.call('PUT', `/v1/a/shop/n/${target.Id}`, { Enabled: true })).status).toBe(200);

    expect((await star.call('GET', '/v1/a/shop/n/test/nosuchtarget')).status).toBe(404);
    expect((await printOnly.call('GET', '/v1/a/shop/n')).status).toBe(403);
  });

  it('job webhooks: received, requested, completed with JobName (and Code 200 "OK"), Device with AppID, URL placeholders filled', async () => {
    const before = receiver.accepted().length;
    const { reply } = await printAndCapture('Hook me\n', 'text/plain', { 'Star-Job-Name': 'Hooked' });
    const hits = await waitFor('three job webhooks', () => {
      const mine = receiver.accepted().slice(before).filter((r) => r.json().EventType === 'job' && (r.json().EventData as any)?.JobName === 'Hooked');
      return mine.length >= 3 ? mine : null;
    });
    expect(hits.map((h) => h.json().SubType)).toEqual(['received', 'requested', 'completed']);
    for (const hit of hits) {
      const body = hit.json() as any;
      expect(hit.headers['user-agent']).toBe('StarIO_Online/1.0');
      expect(Object.keys(body).sort()).toEqual(['Device', 'DeviceGroup', 'EventData', 'EventType', 'SubType']);
      expect(body.DeviceGroup).toEqual({ Path: 'shop', Name: expect.any(String) });
      expect(body.Device).toEqual({ Mac: expect.any(String), Name: 'Counter', AppID: counter });
      expect(hit.url).toBe(`/hook/job/${body.SubType}/shop?a=${counter}&m=${encodeURIComponent(body.Device.Mac)}&n=Counter`);
    }
    expect(hits[2]!.json().EventData).toMatchObject({ JobName: 'Hooked', Code: 200, CodeDescription: 'OK' });
    expect(reply.status).toBe(201);

    // A document that cannot print: job/failed with a non-2xx Code and a description. (A body that
    // is plainly not a PDF is refused at submit now; a PDF whose content is broken is found out
    // only when it is rasterised.)
    const notPdf = await star.print('shop', counter, 'this is not a PDF', 'application/pdf', { 'Star-Job-Name': 'NotPdf' });
    expect(notPdf.status).toBe(422);
    expect(notPdf.json().error.code).toBe('DOCUMENT_FORMAT_ERROR');
    // A PNG whose header is sound (16×16) but whose image data is not: only decoding finds out.
    const header = PNG.sync.write(new PNG({ width: 16, height: 16 }));
    const idat = header.indexOf('IDAT');
    const brokenPng = Buffer.concat([header.subarray(0, idat + 4), Buffer.from('this is no zlib stream at all, sorry'), header.subarray(header.length - 12)]);
    const broken = await star.print('shop', counter, brokenPng, 'image/png', { 'Star-Job-Name': 'Broken' });
    expect(broken.status).toBe(201);
    const failed = await waitFor('job/failed', () =>
      receiver.accepted().find((r) => r.json().SubType === 'failed' && (r.json().EventData as any)?.JobName === 'Broken'),
    );
    const data = failed.json().EventData as any;
    expect(typeof data.Code).toBe('number');
    expect(data.Code < 200 || data.Code >= 300).toBe(true);
    expect(typeof data.CodeDescription).toBe('string');
    expect(data.CodeDescription).not.toBe('');
  });

  it('Idempotency-Key: a retry returns the first answer and prints nothing new; another body or options is 409 IDEMPOTENCY_CONFLICT', async () => {
    await counterIdle();
    // Jobs queued one after another may share a connection: count them by what they say.
    const printedBytes = Buffer.concat(sink.jobs()).length;
    const first = await star.print('shop', counter, 'Order 77\n', 'text/plain', { 'Idempotency-Key': 'pos-77', 'Star-Job-Name': 'Order77' });
    expect(first.status).toBe(201);
    await sink.waitForText('Order 77');
    await counterIdle();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const retry = await star.print('shop', counter, 'Order 77\n', 'text/plain', { 'Idempotency-Key': 'pos-77', 'Star-Job-Name': 'Order77' });
      expect(retry.status).toBe(201);
      // The first answer itself, QueuedJobs included, though the job has printed since.
      expect(retry.json()).toEqual(first.json());
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    }
    for (const [body, headers] of [
      ['Order 78\n', { 'Star-Job-Name': 'Order77' }],
      ['Order 77\n', { 'Star-Job-Name': 'Order77', 'Star-Copies': '2' }],
    ] as const) {
      const conflict = await star.print('shop', counter, body, 'text/plain', { 'Idempotency-Key': 'pos-77', ...headers });
      const error = expectJsonClientError(conflict.status, conflict.headers.get('content-type'), conflict.text, 'idempotency conflict');
      expect(conflict.status).toBe(409);
      expect(error.code).toBe('IDEMPOTENCY_CONFLICT');
    }
    // Five concurrent tries of a new order: one job.
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => star.print('shop', counter, 'Order 79\n', 'text/plain', { 'Idempotency-Key': 'pos-79' })),
    );
    expect(racing.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(racing.map((r) => r.json().JobId)).size).toBe(1);
    // The marker print proves the sink is caught up.
    const marker = await star.print('shop', counter, 'marker 77\n', 'text/plain');
    expect(marker.status).toBe(201);
    const since = (await sink.waitForText('marker 77')).slice(printedBytes);
    expect(since.split('Order 77')).toHaveLength(2);
    expect(since.split('Order 79')).toHaveLength(2);
    expect(since).not.toContain('Order 78');
  });

  it('content types: markup, text, HTML, raw ESC/POS are accepted; anything else is 415 listing the accepted types', async () => {
    const { bytes: raw } = await printAndCapture('\x1b@raw bytes\n', 'application/vnd.escpos');
    expect(raw.toString('latin1')).toContain('\x1b@raw bytes\n');
    // A PNG (Star lists image/png): scaled, dithered and sent as an ESC/POS raster (GS v 0).
    const png = new PNG({ width: 64, height: 32 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([(i / 4) % 64 < 32 ? 0 : 255, 0, 0, 255], i);
    const { bytes: raster } = await printAndCapture(PNG.sync.write(png), 'image/png');
    expect(raster.includes(Buffer.from([0x1d, 0x76, 0x30]))).toBe(true);
    // http-api.md allows either for text/html: "a documented subset rendered as markup, or 415 until
    // it is". printgate now renders the subset (README "HTML receipts") on receipt printers.
    const { bytes: html } = await printAndCapture('<p>hi &amp; <b>bye</b></p>', 'text/html');
    expect(html.toString('latin1')).toContain('hi & ');
    expect(html.toString('latin1')).toContain('bye');
    expect(html.toString('latin1')).not.toContain('<p>');
    // A compressed body would print as garbage: refused, not guessed.
    const gzipped = await star.print('shop', counter, gzipSync('Hello\n'), 'text/plain', { 'Content-Encoding': 'gzip' });
    expectJsonClientError(gzipped.status, gzipped.headers.get('content-type'), gzipped.text, 'gzip');
    expect(gzipped.status).toBe(415);
    expect(gzipped.json().error.message).toContain('Content-Encoding');
    for (const type of ['application/x-unknown', 'video/mp4', '']) {
      const res = await star.print('shop', counter, 'x', type);
      const error = expectJsonClientError(res.status, res.headers.get('content-type'), res.text, `Content-Type ${type}`);
      expect(res.status).toBe(415);
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toContain('text/vnd.star.markup');
      expect(error.message).toContain('text/plain');
    }
  });

  it('413: a declared Content-Length over limits.maxDocumentBytes is refused before the body is read', async () => {
    const res = await rawRequest(
      Number(new URL(gw.url).port),
      `POST /v1/a/shop/d/${counter}/q HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nContent-Type: text/plain\r\nContent-Length: ${MAX_DOCUMENT_BYTES * 100}\r\n\r\nabc`,
    );
    expectJsonClientError(res.status, res.headers['content-type'], res.body, 'declared 413');
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    // One answer, then the gateway hangs up: the unread body is not taken for a next request.
    expect(res.headers.connection).toBe('close');
  });

  it('413: a body sent slowly past limits.maxDocumentBytes is cut off while it streams, and nothing stays in the spool', async () => {
    const spool = path.join(gw.dataDir, 'spool');
    const spoolBefore = readdirSync(spool).sort();
    const jobsBefore = (await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length;
    const intended = MAX_DOCUMENT_BYTES * 64; // 4 MiB
    const chunk = Buffer.alloc(8 * 1024, 'z');
    const outcome = await new Promise<{ sent: number; reply: RawReply; closedBeforeEnd: boolean }>((resolve, reject) => {
      const socket = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
      let sent = 0;
      let response = Buffer.alloc(0);
      let timer: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        reject(new Error(`no 413 after ${sent} bytes`));
      }, 20_000);
      const finish = (): void => {
        clearInterval(timer);
        clearTimeout(deadline);
        try {
          resolve({ sent, reply: parseRaw(response), closedBeforeEnd: sent < intended });
        } catch (error) {
          reject(error as Error);
        }
      };
      socket.on('error', () => undefined);
      socket.on('data', (data: Buffer) => {
        response = Buffer.concat([response, data]);
      });
      socket.on('close', finish);
      socket.write(`POST /v1/a/shop/d/${counter}/q HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`);
      timer = setInterval(() => {
        if (socket.destroyed || !socket.writable) return;
        if (sent >= intended) {
          socket.end('0\r\n\r\n');
          clearInterval(timer);
          return;
        }
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
        sent += chunk.length;
      }, 5);
    });
    expectJsonClientError(outcome.reply.status, outcome.reply.headers['content-type'], outcome.reply.body, 'streamed 413');
    expect(outcome.reply.status).toBe(413);
    expect(JSON.parse(outcome.reply.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    // The gateway hung up long before the client finished: it did not read (or keep) the rest.
    expect(outcome.closedBeforeEnd).toBe(true);
    expect(outcome.sent).toBeLessThan(intended / 2);
    await waitFor('the spool to be back as it was', () => JSON.stringify(readdirSync(spool).sort()) === JSON.stringify(spoolBefore));
    expect((await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length).toBe(jobsBefore);
    // The gateway still serves.
    expect((await star.call('GET', '/v1/a')).status).toBe(200);
  });

  it('a print cut off mid-body leaves no job and nothing in the spool', async () => {
    // Jobs of earlier steps may still be finishing: start from an idle Counter.
    await counterIdle();
    const spool = path.join(gw.dataDir, 'spool');
    const spoolBefore = JSON.stringify(readdirSync(spool).sort());
    const jobsBefore = (await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length;
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(new URL(gw.url).port), '127.0.0.1', () => {
        socket.write(`POST /v1/a/shop/d/${counter}/q HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nContent-Type: text/plain\r\nContent-Length: 10000\r\n\r\n`);
        socket.write('half a receipt '.repeat(300), () => setTimeout(() => socket.destroy(), 100));
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await waitFor('the spool to be clean', () => JSON.stringify(readdirSync(spool).sort()) === spoolBefore);
    expect((await star.call('GET', '/api/v1/jobs?limit=200')).json().data.length).toBe(jobsBefore);
    expect((await star.call('GET', `/v1/a/shop/d/${counter}`)).json().QueuedJobs).toBe(0);
  });

  it('bad paths: %00, ../, very long, unicode — a JSON 4xx naming the problem, never a 5xx', async () => {
    const port = Number(new URL(gw.url).port);
    const paths = [
      '/v1/a/%00',
      '/v1/a/shop%00/d',
      `/v1/a/shop/d/${counter}%00/q`,
      '/v1/a/../../etc/passwd',
      '/v1/a/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/v1/a/shop/d/..%2f..%2f',
      `/v1/a/${'g'.repeat(6000)}`,
      `/v1/a/shop/d/${'d'.repeat(6000)}`,
      `/v1/a/shop/n/${'n'.repeat(6000)}`,
      '/v1/a/caf%C3%A9',
      '/v1/a/%F0%9F%98%80/d',
      '/v1/a/%C3%28',
      '/v1/a/%ZZ',
      '/v1/a/shop/d/%E2%80%AE',
      '/v1/a/shop/d//q',
    ];
    for (const target of paths) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const body = method === 'PUT' ? '{"Copies": 2}' : '';
        const res = await rawRequest(
          port,
          `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        const error = expectJsonClientError(res.status, res.headers['content-type'], res.body, `${method} ${target.slice(0, 60)}`);
        expect([400, 404, 405]).toContain(res.status);
        expect(error.message.length).toBeLessThan(1000);
      }
    }
    // The native routes take the same beating.
    for (const target of [
      '/api/v1/jobs/%00',
      '/api/v1/jobs/..%2f..%2fetc%2fpasswd',
      `/api/v1/jobs/${'j'.repeat(6000)}`,
      '/api/v1/printers/%F0%9F%98%80',
      '/api/v1/printers/../../v1/a',
      '/api/v1/jobs?limit=-1',
      '/api/v1/jobs?limit=abc',
      '/api/v1/jobs?state=bogus',
      '/api/v1/jobs?since=yesterday',
      '/api/v1/jobs?cursor=%00%00',
      '/api/v1/jobs?state=pending&state=held',
      `/v1/a/${'p'.repeat(20_000)}`,
    ]) {
      const res = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nConnection: close\r\n\r\n`);
      expectJsonClientError(res.status, res.headers['content-type'], res.body, `GET ${target.slice(0, 60)}`);
    }
    // Raw UTF-8 bytes in the request line.
    const utf8 = await rawRequest(port, `GET /v1/a/grüße HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nConnection: close\r\n\r\n`);
    expectJsonClientError(utf8.status, utf8.headers['content-type'], utf8.body, 'raw UTF-8 path');
    // Nothing changed through any of them.
    expect((await star.call('GET', '/v1/a/shop')).json().Copies).toBe(1);
    expect((await star.call('GET', '/v1/a')).json().map((g: any) => g.MatchPath).sort()).toEqual(['bar', 'shop']);
  });

  it('huge headers and malformed requests are a JSON 4xx', async () => {
    const port = Number(new URL(gw.url).port);
    const huge = await rawRequest(port, `GET /v1/a HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nX-Filler: ${'f'.repeat(64 * 1024)}\r\n\r\n`);
    const error = expectJsonClientError(huge.status, huge.headers['content-type'], huge.body, 'huge header');
    expect(huge.status).toBe(431);
    expect(error.message.toLowerCase()).toContain('header');
    const hugeKey = await rawRequest(port, `GET /v1/a HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectJsonClientError(hugeKey.status, hugeKey.headers['content-type'], hugeKey.body, 'huge key');
    const garbage = await rawRequest(port, 'THIS IS NOT HTTP\r\n\r\n');
    expectJsonClientError(garbage.status, garbage.headers['content-type'], garbage.body, 'garbage');
    const badChunk = await rawRequest(
      port,
      `PUT /v1/a/bar HTTP/1.1\r\nHost: localhost\r\nStar-Api-Key: ${star.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
    );
    expectJsonClientError(badChunk.status, badChunk.headers['content-type'], badChunk.body, 'bad chunk');
    // A JSON body of another Content-Type, and a body too large for a settings call.
    const big = await star.call('PUT', '/v1/a/bar', JSON.stringify({ ContactName: 'x'.repeat(200_000) }), { 'Content-Type': 'application/json' });
    expectJsonClientError(big.status, big.headers.get('content-type'), big.text, 'big JSON');
    expect((await star.call('GET', '/v1/a/bar')).json().ContactName).toBe('Ann');
  });

  it('delete rules: a group with devices is 409; a device delete is 200 then 404; an empty group deletes, then 404', async () => {
    const conflict = await star.call('DELETE', '/v1/a/shop');
    const error = expectJsonClientError(conflict.status, conflict.headers.get('content-type'), conflict.text, 'delete group with devices');
    expect(conflict.status).toBe(409);
    expect(error.code).toBe('CONFLICT');
    expect((await star.call('GET', '/v1/a/shop')).status).toBe(200);

    const noRights = await printOnly.call('DELETE', '/v1/a/bar');
    expect(noRights.status).toBe(403);
    const deleted = await star.call('DELETE', '/v1/a/bar');
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    expect((await star.call('GET', '/v1/a/bar')).status).toBe(404);
    expect((await star.call('DELETE', '/v1/a/bar')).status).toBe(404);
    expect((await star.call('GET', '/v1/a')).json().map((g: any) => g.MatchPath)).not.toContain('bar');

    const before = receiver.accepted().length;
    // A target subscribed to connection events sees the device go.
    const target = (await star.call('POST', '/v1/a/shop/n', { Name: 'conn', Url: `${receiver.url}/conn/{event}/{sub}`, Events: ['connection'] })).json();
    const removed = await star.call('DELETE', `/v1/a/shop/d/${kitchen}`);
    expect(removed.status).toBe(200);
    expect(removed.text).toBe('');
    expect((await star.call('GET', `/v1/a/shop/d/${kitchen}`)).status).toBe(404);
    expect((await star.call('DELETE', `/v1/a/shop/d/${kitchen}`)).status).toBe(404);
    expect((await star.call('GET', '/v1/a/shop')).json().DeviceCount).toBe(1);
    const hit = await waitFor('connection/deleted_complete', () =>
      receiver.accepted().slice(before).find((r) => r.url === '/conn/connection/deleted_complete'),
    );
    expect(Object.keys((hit.json().EventData as any).Status)).toEqual(STATUS_FLAGS);
    expect((await star.call('DELETE', `/v1/a/shop/n/${target.Id}`)).status).toBe(200);
    expect((await star.call('GET', `/v1/a/shop/n/${target.Id}`)).status).toBe(404);
  });

  it('the welcome page prints; status codes of the documented table on the Star routes', async () => {
    const printed = sink.jobs().length;
    const welcome = await star.call('PUT', `/v1/a/shop/d/${counter}/welcome`);
    expect(welcome.status).toBe(200);
    expect(welcome.text).toBe('');
    expect((await sink.waitForJobs(printed + 1))[printed]!.toString('latin1')).toContain(counter);
    expect((await star.call('PUT', '/v1/a/shop/d/ffffffff/welcome')).status).toBe(404);

    const anonymous = await fetch(`${gw.url}/v1/a`);
    expectJsonClientError(anonymous.status, anonymous.headers.get('content-type'), await anonymous.text(), 'no key');
    expect([401, 403]).toContain(anonymous.status);
    const unknown = await fetch(`${gw.url}/v1/a`, { headers: { 'Star-Api-Key': '00000000-0000-0000-0000-000000000000' } });
    expect([401, 403]).toContain(unknown.status);
    expect((await printOnly.call('GET', '/v1/a')).status).toBe(403);
    expect((await star.call('GET', '/v1/a/nosuchgroup')).status).toBe(404);
    expect((await star.call('GET', '/v1/a/nosuchgroup/d')).status).toBe(404);
    expect((await star.call('GET', '/v1/a/shop/d/ffffffff')).status).toBe(404);
    expect((await star.call('DELETE', '/v1/a/shop/d/ffffffff/q')).status).toBe(404);
    expect((await star.print('nosuchgroup', counter, 'x', 'text/plain')).status).toBe(404);
    const wrongMethod = await star.call('PATCH', '/v1/a/shop', { Copies: 1 });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toMatch(/GET/);
  });
});

describe('Star conformance: compatibility switch compat.starAuthStatus', () => {
  it('answers 403 for every auth failure on /v1/a…, as Star documents', async () => {
    const strict = await startTestGateway({ compat: { starAuthStatus: true } });
    try {
      expect((await fetch(`${strict.url}/v1/a`)).status).toBe(403);
      expect((await fetch(`${strict.url}/v1/a`, { headers: { 'Star-Api-Key': '00000000-0000-0000-0000-000000000000' } })).status).toBe(403);
      expect((await fetch(`${strict.url}/v1/a?key=6800ffd6-2367-4c8d-b067-d6a28151276a`)).status).toBe(403);
    } finally {
      await strict.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Durable webhooks across a receiver outage and a gateway restart
// ---------------------------------------------------------------------------------------------

describe('Star conformance: webhooks survive a dead receiver and a gateway restart', () => {
  it('events queued while the receiver is down arrive, in order, after a restart and the receiver’s return', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-conf-'));
    const printer = await startTcpSink();
    const probe = await startWebhookReceiver();
    const port = probe.port;
    await probe.close(); // the receiver is down: nothing listens on its port
    const config = parseConfig({
      dataDir,
      server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
      webhooks: { allowPrivateTargets: ['127.0.0.1'] }, // the test's receivers listen on loopback
      jobs: { retryInitialMs: 50, retryMaxMs: 500 },
      printers: [{ name: 'Till', group: 'shop', uri: printer.uri, language: 'escpos' }],
    });
    const start = (): Promise<Gateway> => startGateway({ config, log: createLogger({ level: 'warn', destination: new LogCapture() }) });
    let gateway: Gateway | undefined;
    let back: WebhookReceiver | undefined;
    try {
      gateway = await start();
      const db = openDatabase({ dataDir });
      const key = new KeyStore({ db, now: () => new Date() }).create({ name: 'pos', permissions: [...STAR_PERMISSIONS] }).key;
      db.close();
      let client = new StarClient(gateway.url, key);
      const till = (await client.call('GET', '/v1/a/shop/d')).json()[0].AccessIdentifier;
      const target = await client.call('POST', '/v1/a/shop/n', { Name: 'down', Url: `http://127.0.0.1:${port}/w/{event}/{sub}`, Events: ['job'] });
      expect(target.status).toBe(201);

      // Printing does not wait for the dead receiver.
      for (const name of ['A', 'B']) {
        expect((await client.print('shop', till, `job ${name}\n`, 'text/plain', { 'Star-Job-Name': name })).status).toBe(201);
      }
      await printer.waitForText('job B\n');
      await gateway.stop();
      gateway = undefined;

      gateway = await start();
      client = new StarClient(gateway.url, key);
      expect((await client.print('shop', till, 'job C\n', 'text/plain', { 'Star-Job-Name': 'C' })).status).toBe(201);
      await printer.waitForText('job C\n');

      back = await startWebhookReceiver({ port });
      const hits = await back.waitForAccepted(9, 30_000);
      const seen = hits.map((h) => `${(h.json().EventData as any).JobName}:${h.json().SubType}`);
      expect(seen).toHaveLength(9);
      // Each job's events in the order they happened (A's and B's may interleave: B arrived while A printed).
      for (const name of ['A', 'B', 'C']) {
        expect(seen.filter((s) => s.startsWith(`${name}:`))).toEqual([`${name}:received`, `${name}:requested`, `${name}:completed`]);
      }
      expect(seen.indexOf('A:received')).toBeLessThan(seen.indexOf('B:received'));
      expect(seen.indexOf('B:completed')).toBeLessThan(seen.indexOf('C:received'));
      for (const hit of hits) {
        expect(hit.headers['user-agent']).toBe('StarIO_Online/1.0');
        expect(hit.url).toBe(`/w/job/${hit.json().SubType}`);
      }
    } finally {
      await gateway?.stop();
      await back?.close();
      await printer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Native additions a Star client can use: SSE with resume
// ---------------------------------------------------------------------------------------------

interface SseFrame {
  id?: string;
  event: string;
  data: any;
}

function openEvents(base: string, key: string, lastEventId?: string): Promise<{ status: number; frames: SseFrame[]; close(): void }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Star-Api-Key': key, Accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    const req = http.get(`${base}/api/v1/events`, { headers }, (res) => {
      const frames: SseFrame[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const match = /^([a-zA-Z-]+): ?(.*)$/.exec(line);
            if (match) fields[match[1]!] = match[2]!;
          }
          if (fields.data !== undefined) frames.push({ ...(fields.id ? { id: fields.id } : {}), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      });
      resolve({ status: res.statusCode ?? 0, frames, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('Star conformance: the event stream resumes with Last-Event-ID', () => {
  it('a client that reconnects with Last-Event-ID gets exactly the events it missed', async () => {
    await counterIdle();
    const first = await openEvents(gw.url, star.key);
    expect(first.status).toBe(200);
    const one = (await star.print('shop', counter, 'sse one\n', 'text/plain', { 'Star-Job-Name': 'sse-1' })).json().JobId;
    await waitFor('sse-1 completed on the stream', () => first.frames.some((f) => f.event === 'job' && f.data.id === one && f.data.state === 'completed'));
    const lastSeen = first.frames.at(-1)!.id!;
    expect(lastSeen).toMatch(/^\d+$/);
    first.close();

    const two = (await star.print('shop', counter, 'sse two\n', 'text/plain', { 'Star-Job-Name': 'sse-2' })).json().JobId;
    await waitFor('sse-2 completed', async () => (await star.call('GET', `/api/v1/jobs/${two}`)).json().state === 'completed');

    const resumed = await openEvents(gw.url, star.key, lastSeen);
    expect(resumed.status).toBe(200);
    const missed = await waitFor('the missed sse-2 events', () =>
      resumed.frames.some((f) => f.event === 'job' && f.data.id === two && f.data.state === 'completed') ? resumed.frames : null,
    );
    resumed.close();
    expect(missed.filter((f) => f.event === 'job' && f.data.id === one)).toEqual([]);
    expect(missed.filter((f) => f.event === 'job' && f.data.id === two).map((f) => f.data.state)).toEqual(['pending', 'processing', 'completed']);
    const ids = missed.map((f) => Number(f.id));
    expect(ids.every((id) => id > Number(lastSeen))).toBe(true);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const bad = await fetch(`${gw.url}/api/v1/events`, { headers: { 'Star-Api-Key': star.key, 'Last-Event-ID': 'yesterday' } });
    expectJsonClientError(bad.status, bad.headers.get('content-type'), await bad.text(), 'bad Last-Event-ID');
    expect(bad.status).toBe(400);
  });
});

describe('Star conformance: status webhooks', () => {
  it('a printer going offline and back sends status/offline then status/online with the 13 flags; {status_*} placeholders fill', async () => {
    const probe = await startTcpSink();
    const port = probe.port;
    await probe.close(); // the printer is off
    const hooks = await startWebhookReceiver();
    const gateway = await startTestGateway({
      webhooks: { allowPrivateTargets: ['127.0.0.1'] },
      printers: [{ name: 'Bar Till', group: 'pub', uri: `socket://127.0.0.1:${port}`, language: 'escpos' }],
    });
    let printer: TcpSink | undefined;
    try {
      const client = new StarClient(gateway.url, gateway.createKey([...STAR_PERMISSIONS]).key);
      const till = (await client.call('GET', '/v1/a/pub/d')).json()[0].AccessIdentifier;
      const url = `${hooks.url}/s/{event}/{sub}?online={status_online}&empty={status_paperempty}&app={appid}`;
      expect((await client.call('POST', '/v1/a/pub/n', { Name: 'status', Url: url, Events: ['status'] })).status).toBe(201);
      expect((await client.print('pub', till, 'when it is back\n', 'text/plain')).status).toBe(201);

      const offline = await waitFor('status/offline', () => hooks.accepted().find((r) => r.json().SubType === 'offline'));
      expect(offline.json()).toEqual({
        EventType: 'status',
        SubType: 'offline',
        DeviceGroup: { Path: 'pub', Name: expect.any(String) },
        Device: { Mac: expect.any(String), Name: 'Bar Till', AppID: till },
        EventData: { Status: expect.any(Object) },
      });
      const flags = (offline.json().EventData as any).Status;
      expect(Object.keys(flags)).toEqual(STATUS_FLAGS);
      expect(flags.Online).toBe(false);
      expect(offline.url).toBe(`/s/status/offline?online=false&empty=false&app=${till}`);

      printer = await startTcpSink({ port });
      await printer.waitForJobs(1, 20_000);
      const online = await waitFor('status/online', () => hooks.accepted().find((r) => r.json().SubType === 'online'), 20_000);
      expect((online.json().EventData as any).Status.Online).toBe(true);
      expect(online.url).toBe(`/s/status/online?online=true&empty=false&app=${till}`);
      expect(hooks.accepted().every((r) => r.json().EventType === 'status')).toBe(true);
    } finally {
      await gateway.stop();
      await hooks.close();
      await printer?.close();
    }
  });
});

describe('Star conformance: the Idempotency-Key window is 24 hours', () => {
  it('within 24 h a retry is the first job; after 24 h the same key prints anew', async () => {
    let clock = Date.parse('2026-03-01T08:00:00Z');
    const printer = await startTcpSink();
    const gateway = await startTestGateway({ printers: [{ name: 'Till', group: 'shop', uri: printer.uri, language: 'escpos' }] }, () => new Date(clock));
    try {
      const client = new StarClient(gateway.url, gateway.createKey([...STAR_PERMISSIONS]).key);
      const till = (await client.call('GET', '/v1/a/shop/d')).json()[0].AccessIdentifier;
      const send = (body: string) => client.print('shop', till, body, 'text/plain', { 'Idempotency-Key': 'till-1' });
      const first = await send('Receipt one\n');
      expect(first.status).toBe(201);
      await printer.waitForJobs(1);
      clock += 23 * 3600_000;
      expect((await send('Receipt one\n')).json().JobId).toBe(first.json().JobId);
      expect((await send('Receipt two\n')).status).toBe(409);
      clock += 2 * 3600_000;
      const later = await send('Receipt two\n');
      expect(later.status).toBe(201);
      expect(later.json().JobId).not.toBe(first.json().JobId);
      const jobs = await printer.waitForJobs(2);
      expect(jobs.map((job) => countOf(job, 'Receipt'))).toEqual([1, 1]);
      expect(jobs[1]!.includes('Receipt two')).toBe(true);
    } finally {
      await gateway.stop();
      await printer.close();
    }
  });
});
