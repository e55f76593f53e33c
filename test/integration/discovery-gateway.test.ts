import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, Topology, type PeerProcess } from '../peers/discovery-topology.js';
import { renumber, runInNamespace } from '../../bench/peers/netns.js';

/**
 * The gateway itself discovering printers, every peer in a namespace of its own on one bridge
 * (nothing here speaks mDNS in the host's namespace; the helpers refuse any other namespace):
 *   pgd-g-gw   10.213.9.2   printgate serve with discovery.interfaces [eth0]
 *   pgd-g-ipp  10.213.9.10  D-Bus, avahi-daemon, ippeveprinter (a Zebra label printer taking ZPL)
 *   pgd-g-raw  10.213.9.20  a bonjour-service _pdl-datastream._tcp raw receipt printer with a sink
 * The API is called from inside the gateway's namespace (curl there).
 */
const topology = new Topology('g', { 'avahi-daemon': 'avahi-daemon', 'avahi-browse': 'avahi-utils', 'dbus-daemon': 'dbus', ippeveprinter: 'cups-ipp-utils', curl: 'curl' });
const GW = topology.ns('gw');
const IPP = topology.ns('ipp');
const RAW = topology.ns('raw');
const PORT = 18631;
const RAW_UUID = '6f1c2f00-0000-4000-8000-00000000bb01';
const RAW_TXT = { txtvers: '1', ty: 'EPSON TM-T88V', product: '(EPSON TM-T88V)', pdl: 'application/vnd.escpos', usb_MFG: 'EPSON', usb_MDL: 'TM-T88V', UUID: RAW_UUID };
let ippBus = '';
let raw: PeerProcess & { out: string };
let ippDir = '';
let gateway: PeerProcess;
let configFile = '';
let key = '';

interface PrinterView {
  id: string;
  appId: string;
  group: string;
  uri: string;
  source: string;
  language: string;
  state: string;
  reasons: string[];
  identity: string | null;
  identityQuality: string | null;
  makeAndModel: string | null;
  queuedJobs: number;
  capabilities: { profile: string };
}

/** curl inside the gateway's namespace. */
function api(method: string, route: string, body?: string, contentType = 'text/plain'): { status: number; json: any } {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', method, '-H', `Authorization: Bearer ${key}`, `http://10.213.9.2:${PORT}${route}`];
  if (body !== undefined) args.push('-H', `Content-Type: ${contentType}`, '--data-binary', body);
  const result = runInNamespace(GW, 'curl', args, { timeoutMs: 15_000 });
  const text = result.stdout.trimEnd();
  const split = text.lastIndexOf('\n');
  const payload = text.slice(0, split);
  return { status: Number(text.slice(split + 1)), json: payload ? JSON.parse(payload) : null };
}

const printers = (): PrinterView[] => (api('GET', '/api/v1/printers').json?.data ?? []) as PrinterView[];
const rawPrinter = (): PrinterView | undefined => printers().find((printer) => printer.identity === `uuid:${RAW_UUID}`);
const received = (): string => (existsSync(raw.out) ? readFileSync(raw.out, 'latin1') : '');

beforeAll(async () => {
  await topology.clearLeftovers(['gw', 'ipp', 'raw', 'sw']);
  const lan = topology.segment('sw');
  lan.attach(GW, 'eth0', '10.213.9.2');
  lan.attach(IPP, 'eth0', '10.213.9.10');
  lan.attach(RAW, 'eth0', '10.213.9.20');
  ippBus = await topology.avahi(IPP, 'ipp-printer');
  await topology.ippEvePrinter(IPP, ippBus, { port: 8631, make: 'Zebra', model: 'ZD410-203dpi ZPL', formats: ['application/vnd.zebra-zpl', 'application/pdf'], name: 'Zebra ZD410' });
  ippDir = path.join(topology.dir, IPP, 'ipp', 'spool');
  raw = await topology.rawPrinter(RAW, '10.213.9.20', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
  configFile = topology.config({
    server: { host: '0.0.0.0', port: PORT },
    discovery: { interfaces: ['eth0'], serial: false, usb: false, probeSeconds: 1 },
    jobs: { retryInitialMs: 100, retryMaxMs: 1000, connectTimeoutMs: 2000, confirmTimeoutMs: 3000 },
    metrics: { requireKey: false },
  });
  const created = runCli(['keys', 'create', '--config', configFile, '--name', 'discovery', '--permissions', 'PrintToDevice,ViewJobs,EnumDevices,ViewDevice,DeleteDevice', '--json']);
  expect(created.status, created.stderr).toBe(0);
  key = (JSON.parse(created.stdout) as { key: string }).key;
  gateway = topology.start(GW, process.execPath, [CLI, 'serve', '--config', configFile], { PRINTGATE_CONFIG: '' });
  await waitFor('the gateway to listen', () => gateway.output().includes('"msg":"listening"'), 20_000, 50);
  // mDNS is on for this gateway: it must be inside its test namespace, never the host's.
  for (const peer of [gateway, raw]) {
    expect(readlinkSync(`/proc/${peer.child.pid}/ns/net`), 'an mDNS speaker in the host namespace').not.toBe(readlinkSync('/proc/self/ns/net'));
  }
}, 90_000);

afterAll(async () => {
  await topology.down();
});

describe('the gateway finds the printers it can reach, with no URI typed', () => {
  it('lists the IPP label printer and the raw receipt printer within seconds, with make, model, language and profile', async () => {
    // The label printer is listed from its mDNS answer at once, then as `ipp` once Get-Printer-Attributes answered.
    const found = await waitFor('both printers in /api/v1/printers', () => {
      const list = printers();
      return list.length >= 2 && list.some((printer) => printer.source === 'ipp') ? list : null;
    }, 15_000, 200);
    const zebra = found.find((printer) => printer.source === 'ipp');
    expect(zebra).toMatchObject({
      group: 'discovered',
      uri: 'ipp://10.213.9.10:8631/ipp/print',
      language: 'zpl',
      identityQuality: 'uuid',
      makeAndModel: 'Zebra ZD410-203dpi ZPL',
      capabilities: { profile: 'zebra-203dpi' },
    });
    expect(rawPrinter()).toMatchObject({
      group: 'discovered',
      source: 'mdns',
      uri: 'socket://10.213.9.20:9100',
      language: 'escpos',
      identityQuality: 'uuid',
      capabilities: { profile: 'epson-tm-t88' },
    });
    // What discovery saw, the devices it cannot drive too, each with the printer it became.
    const seen = api('GET', '/api/v1/discovered').json.data as { identity: string; printerId: string | null }[];
    expect(seen.find((device) => device.identity === `uuid:${RAW_UUID}`)?.printerId).toBe(rawPrinter()!.id);
  });

  it('prints to each through the Star API', async () => {
    const zebra = printers().find((printer) => printer.source === 'ipp')!;
    const label = api('POST', `/v1/a/discovered/d/${zebra.appId}/q`, 'label from discovery\n');
    expect(label.status).toBe(201);
    await waitFor('the label at ippeveprinter', () => readdirSync(ippDir).some((name) => !name.endsWith('.prn') && readFileSync(path.join(ippDir, name), 'latin1').includes('label from discovery')), 15_000, 100);
    const receipt = api('POST', `/v1/a/discovered/d/${rawPrinter()!.appId}/q`, 'receipt from discovery\n');
    expect(receipt.status).toBe(201);
    await waitFor('the receipt at the raw printer', () => received().includes('receipt from discovery'), 15_000, 100);
  });

  it('follows the raw printer to a new address under the same id, and keeps its queue while it is gone', async () => {
    const before = rawPrinter()!;
    await raw.kill(); // a crash: no goodbye
    renumber(RAW, 'eth0', '10.213.9.21');
    raw = await topology.rawPrinter(RAW, '10.213.9.21', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
    const moved = await waitFor('the raw printer at its new address', () => {
      const now = rawPrinter();
      return now?.uri === 'socket://10.213.9.21:9100' ? now : null;
    }, 15_000, 200);
    expect({ id: moved.id, appId: moved.appId }).toEqual({ id: before.id, appId: before.appId });
    expect(api('POST', `/v1/a/discovered/d/${moved.appId}/q`, 'after the move\n').status).toBe(201);
    await waitFor('the job at the new address', () => received().includes('after the move'), 15_000, 100);

    // Withdrawn (goodbye): offline, its queue kept; printed once it is back.
    await raw.stop();
    await waitFor('the raw printer offline', () => {
      const now = rawPrinter();
      return now?.state === 'stopped' && now.reasons.includes('offline');
    }, 15_000, 200);
    const waiting = api('POST', `/v1/a/discovered/d/${moved.appId}/q`, 'while it was away\n');
    expect(waiting.status).toBe(201);
    expect(api('GET', `/api/v1/jobs/${waiting.json.JobId}`).json.state).toBe('pending');
    expect(rawPrinter()!.id).toBe(before.id);
    raw = await topology.rawPrinter(RAW, '10.213.9.21', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
    await waitFor('the waiting job printed once it is back', () => received().includes('while it was away'), 20_000, 100);
    expect(received().split('while it was away')).toHaveLength(2);
  });

  it('announces itself as _printgate._tcp, seen by avahi-browse from another namespace', async () => {
    const browse = (): string[] =>
      runInNamespace(IPP, 'avahi-browse', ['-r', '-t', '-p', '_printgate._tcp'], { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ippBus }, timeoutMs: 10_000 })
        .stdout.split('\n')
        .filter((line) => line.startsWith('='));
    const line = await waitFor('avahi-browse to resolve the gateway', () => browse()[0], 10_000, 200);
    expect(line).toContain(`;10.213.9.2;${PORT};`);
    expect(line).toContain('"api=star-v1"');
  });

  it('forgets a discovered printer on request: gone from the list, not added again while it stays on the network', async () => {
    const target = rawPrinter()!;
    expect(api('POST', `/api/v1/printers/${target.id}/forget`).status).toBe(200);
    expect(rawPrinter()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 3000)); // discovery keeps seeing it meanwhile
    expect(rawPrinter()).toBeUndefined();
    const seen = api('GET', '/api/v1/discovered').json.data as { identity: string; printerId: string | null }[];
    expect(seen.find((device) => device.identity === `uuid:${RAW_UUID}`)?.printerId).toBeNull();
  });
});
