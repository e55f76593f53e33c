import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProfile, LANGUAGES, TRANSPORT_FACTORIES } from '../../../drivers/index.js';
import { LanguageRegistry } from '../../../src/languages/language-registry.js';
import { CloudPrntHub } from '../../../src/cloudprnt/cloudprnt-hub.js';
import { CloudPrntStore } from '../../../src/cloudprnt/cloudprnt-store.js';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { GroupStore } from '../../../src/printers/group-store.js';
import { PrinterRegistry, type Printer } from '../../../src/printers/printer-registry.js';

const MAC = '00:11:62:1d:9a:b7';
const ANSWERS = [
  { request: 'ClientType', result: 'Star mC-Print2' },
  { request: 'PageInfo', result: { paperWidth: '58', printWidth: '48', horizontalResolution: '8' } },
  { request: 'GetPollInterval', result: '2' },
];

describe('CloudPrntHub', () => {
  let dir: string;
  let db: Db;
  let nowMs: number;
  let groups: GroupStore;
  let added: Printer[];
  let back: string[];

  const now = (): Date => new Date(nowMs);
  const build = (): { hub: CloudPrntHub; registry: PrinterRegistry } => {
    const registry = new PrinterRegistry({ db, groups, profiles: findProfile, languages: new LanguageRegistry(LANGUAGES, TRANSPORT_FACTORIES), now });
    registry.syncConfigured([{ name: 'Counter', group: 'store1', uri: `cloudprnt:${MAC}`, language: 'starprnt' }]);
    const hub = new CloudPrntHub({
      registry,
      groups,
      store: new CloudPrntStore({ db, now }),
      profiles: findProfile,
      log: pino({ level: 'silent' }),
      now,
      documentOf: async () => null,
      onAdded: (printer) => added.push(printer),
      onBack: (printer) => back.push(printer.id),
    });
    hub.loadKnownPrinters();
    return { hub, registry };
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-cloudprnt-'));
    db = openDatabase({ dataDir: dir });
    nowMs = Date.parse('2030-01-01T00:00:00.000Z');
    groups = new GroupStore({ db, now });
    added = [];
    back = [];
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces a delivered job on the next poll, serves it, and settles with the printer code', async () => {
    const { hub } = build();
    expect(hub.poll('store1', { printerMAC: MAC, statusCode: '200%20OK', clientAction: ANSWERS })).toEqual({ jobReady: false });
    const result = hub.deliver(MAC, { jobId: 'j1', bytes: new Uint8Array([1, 2]), mediaType: 'application/vnd.star.starprnt' }, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    const answer = hub.poll('store1', { printerMAC: MAC, statusCode: '200%20OK' });
    expect(answer).toMatchObject({ jobReady: true, mediaTypes: ['application/vnd.star.starprnt'], deleteMethod: 'DELETE' });
    const token = answer.jobToken!;
    expect([...hub.fetch('store1', { mac: MAC, type: 'application/vnd.star.starprnt', token }).bytes]).toEqual([1, 2]);
    expect(() => hub.fetch('store1', { mac: MAC, type: 'image/png', token })).toThrow(/offered as application\/vnd.star.starprnt/);
    expect(() => hub.confirm('store1', { mac: MAC, code: '200 OK', token: 'other' })).toThrow(/no job/);
    expect(() => hub.confirm('store1', { mac: MAC, token })).toThrow(/3-digit/);
    // The code arrives URL-encoded like the poll's statusCode; the transport (and the job's webhook) get it as text.
    hub.confirm('store1', { mac: MAC, code: '211%20Paper%20low', token });
    await expect(result).resolves.toBe('211 Paper low');
    expect(hub.poll('store1', { printerMAC: MAC }).jobReady).toBe(false);
  });

  it('takes a job back when the send is aborted', async () => {
    const { hub } = build();
    hub.poll('store1', { printerMAC: MAC, clientAction: ANSWERS });
    const controller = new AbortController();
    const result = hub.deliver(MAC, { jobId: 'j1', bytes: new Uint8Array([1]), mediaType: 'text/plain' }, controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort('cancel');
    await expect(result).rejects.toThrow();
    expect(hub.poll('store1', { printerMAC: MAC }).jobReady).toBe(false);
  });

  it('counts a printer reachable for OFFLINE_AFTER_POLLS of its poll intervals, with a grace from start before its first poll', async () => {
    const { hub } = build();
    // Before any poll: probing says unreachable, but a delivery may wait for the first poll.
    expect(() => hub.reachable(MAC)).toThrow(/has not polled since the gateway started/);
    hub.poll('store1', { printerMAC: MAC, clientAction: ANSWERS });
    nowMs += 6000;
    expect(() => hub.reachable(MAC)).not.toThrow();
    nowMs += 1;
    expect(() => hub.reachable(MAC)).toThrow(/has not polled for 6 s/);
    await expect(hub.deliver(MAC, { jobId: 'j1', bytes: new Uint8Array([1]), mediaType: 'text/plain' }, new AbortController().signal)).rejects.toMatchObject({ code: 'PRINTER_UNREACHABLE' });
  });

  it('lets an unknown printer join a group with AutoCreateDeviceQueue after first contact, and keeps it across restarts', () => {
    const { hub, registry } = build();
    groups.create({ matchPath: 'cafe', name: 'Cafe', autoCreateQueue: true });
    const other = '00:11:62:0a:0b:0c';
    const first = hub.poll('cafe', { printerMAC: other, statusCode: '200%20OK' });
    expect(first.clientAction?.map((action) => action.request)).toContain('PageInfo');
    expect(registry.inGroup('cafe')).toEqual([]);
    hub.poll('cafe', { printerMAC: other, statusCode: '200%20OK', clientAction: ANSWERS });
    const joined = registry.inGroup('cafe');
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({ uri: `cloudprnt:${other}`, source: 'cloudprnt', language: 'starprnt' });
    expect(joined[0]!.profile).toMatchObject({ name: 'Star mC-Print2', paperWidthMM: 58, printableWidthMM: 48, dotsPerMM: 8, columns: 32 });
    expect(added.map((printer) => printer.id)).toEqual([joined[0]!.id]);

    const again = build().registry.inGroup('cafe');
    expect(again.map((printer) => [printer.id, printer.appId, printer.profile.printableWidthMM])).toEqual([[joined[0]!.id, joined[0]!.appId, 48]]);
    // Deleted through the Star API: not brought back by a restart.
    expect(registry.remove(joined[0]!.id)).toBe(true);
    expect(build().registry.inGroup('cafe')).toEqual([]);
  });

  it('answers nothing to printers it does not know', () => {
    const { hub, registry } = build();
    groups.create({ matchPath: 'closed', name: 'Closed' });
    expect(() => hub.poll('store1', { printerMAC: '00:11:62:99:99:99' })).toThrow(/no CloudPRNT printer/);
    expect(() => hub.poll('closed', { printerMAC: '00:11:62:99:99:99', clientAction: ANSWERS })).toThrow(/no CloudPRNT printer/);
    expect(() => hub.poll('nosuch', { printerMAC: MAC })).toThrow(/no CloudPRNT printer/);
    expect(() => hub.poll('store1', { printerMAC: 'garbage' })).toThrow(/printerMAC/);
    expect(() => hub.fetch('store1', { mac: '00:11:62:99:99:99' })).toThrow(/no CloudPRNT printer/);
    expect(registry.list().map((printer) => printer.id)).toEqual(['counter']);
    expect(new CloudPrntStore({ db, now }).list()).toEqual([]);
  });

  it('reports the poll status as reasons, and brings an offline printer back', () => {
    const { hub, registry } = build();
    hub.poll('store1', { printerMAC: MAC, statusCode: '410%20Out%20of%20paper', clientAction: ANSWERS });
    expect(registry.status('counter')).toMatchObject({ state: 'idle', reasons: ['media-empty'], lastSeenAt: now().toISOString() });
    registry.updateStatus('counter', { state: 'stopped', reasons: ['offline'] });
    nowMs += 1000;
    hub.poll('store1', { printerMAC: MAC, statusCode: '200%20OK' });
    expect(registry.status('counter')).toMatchObject({ state: 'idle', reasons: [], lastSeenAt: now().toISOString() });
    expect(back).toEqual(['counter']);
  });
});
