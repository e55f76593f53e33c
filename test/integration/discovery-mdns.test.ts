import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { Topology, type PeerProcess } from '../peers/discovery-topology.js';
import { inNamespace, renumber, runInNamespace } from '../../bench/peers/netns.js';

/**
 * Discovery against real peers, each in its own network namespace on one bridge (nothing here
 * speaks mDNS in the host's namespace):
 *   pgd-m-gw   eth0 10.213.7.2 + eth1 10.213.8.2: printgate discover, and an avahi-daemon beside it
 *   pgd-m-ipp  10.213.7.10: D-Bus, avahi-daemon, ippeveprinter (an IPP label printer taking ZPL)
 *   pgd-m-raw  10.213.7.20: a bonjour-service _pdl-datastream._tcp raw printer with a TCP sink
 *   pgd-m-far  10.213.8.20 on a second segment, reached only through the gateway's eth1
 */
const topology = new Topology('m', { 'avahi-daemon': 'avahi-daemon', 'avahi-browse': 'avahi-utils', 'dbus-daemon': 'dbus', ippeveprinter: 'cups-ipp-utils' });
const GW = topology.ns('gw');
const IPP = topology.ns('ipp');
const RAW = topology.ns('raw');
const FAR = topology.ns('far');
const RAW_UUID = '6f1c2f00-0000-4000-8000-00000000aa01';
const RAW_TXT = { txtvers: '1', ty: 'EPSON TM-T88V', product: '(EPSON TM-T88V)', pdl: 'application/vnd.escpos', usb_MFG: 'EPSON', usb_MDL: 'TM-T88V', note: 'till 2', UUID: RAW_UUID };
let ippBus = '';
let raw: PeerProcess & { out: string };

beforeAll(async () => {
  await topology.clearLeftovers(['gw', 'ipp', 'raw', 'far', 'sw', 'sw2']);
  const lan = topology.segment('sw');
  const backOffice = topology.segment('sw2');
  lan.attach(GW, 'eth0', '10.213.7.2');
  backOffice.attach(GW, 'eth1', '10.213.8.2');
  lan.attach(IPP, 'eth0', '10.213.7.10');
  lan.attach(RAW, 'eth0', '10.213.7.20');
  backOffice.attach(FAR, 'eth0', '10.213.8.20');
  await topology.avahi(GW, 'gw-avahi');
  ippBus = await topology.avahi(IPP, 'ipp-printer');
  await topology.ippEvePrinter(IPP, ippBus, { port: 8631, make: 'Zebra', model: 'ZD410-203dpi ZPL', formats: ['application/vnd.zebra-zpl', 'application/pdf'], name: 'Zebra ZD410' });
  raw = await topology.rawPrinter(RAW, '10.213.7.20', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
  await topology.rawPrinter(FAR, '10.213.8.20', { port: 9100, name: 'Back Office Receipt', txt: { ty: 'EPSON TM-m30', pdl: 'application/vnd.escpos' } });
}, 60_000);

afterAll(async () => {
  await topology.down();
});

const lanOnly = () => topology.config({ discovery: { interfaces: ['eth0'], serial: false, usb: false } });

describe('mDNS discovery with real peers in namespaces', () => {
  it('refuses to speak mDNS outside a test namespace', () => {
    expect(() => inNamespace('default', 'true', [])).toThrow(/refusing to speak mDNS outside a test namespace/);
    const script = spawnSync(process.execPath, [path.join(import.meta.dirname, '../peers/raw-printer.mjs'), '127.0.0.1', '/dev/null', '9', 'x', '{}'], { encoding: 'utf8', timeout: 10_000 });
    expect(script.status).toBe(2);
    expect(script.stderr).toMatch(/not inside a pgd-\* network namespace: refusing/);
  });

  it('finds the IPP printer behind avahi and the raw bonjour printer with make, model, language and profile — on the configured interface only', () => {
    const { status, report } = topology.discover(GW, lanOnly(), 3);
    expect(status).toBe(0);
    const byName = new Map(report.devices.map((device) => [device.name, device]));
    expect([...byName.keys()].sort()).toEqual(['EPSON TM-T88V', 'Zebra ZD410']);
    expect(byName.get('Zebra ZD410')).toMatchObject({
      source: 'ipp',
      uri: 'ipp://10.213.7.10:8631/ipp/print',
      identityQuality: 'uuid',
      make: 'Zebra',
      model: 'ZD410-203dpi ZPL',
      language: 'zpl',
      documentFormat: 'application/vnd.zebra-zpl',
      profile: 'zebra-203dpi',
      ipp: { state: 'idle', acceptingJobs: true },
      interface: 'eth0',
    });
    expect(byName.get('Zebra ZD410')?.otherUris).toContain('ipps://10.213.7.10:8631/ipp/print?insecure=1');
    expect(byName.get('EPSON TM-T88V')).toMatchObject({
      source: 'mdns',
      uri: 'socket://10.213.7.20:9100',
      identity: `uuid:${RAW_UUID}`,
      make: 'EPSON',
      model: 'TM-T88V',
      language: 'escpos',
      profile: 'epson-tm-t88',
      said: { 'txt.note': 'till 2', 'txt.usb_mdl': 'TM-T88V' },
    });

    const both = topology.discover(GW, topology.config({ discovery: { interfaces: ['eth0', 'eth1'], serial: false, usb: false } }), 2).report;
    expect(both.devices.find((device) => device.name === 'Back Office Receipt')).toMatchObject({
      uri: 'socket://10.213.8.20:9100',
      identity: 'mdns:back office receipt',
      identityQuality: 'name',
      interface: 'eth1',
      profile: 'epson-tm-m30',
    });
  });

  it('follows the raw printer to a new address after a crash under the same identity, and reports it lost on its goodbye', async () => {
    const watch = topology.watch(GW, lanOnly(), 30);
    const rawEvents = () => watch.events().filter((event) => event.device?.identity === `uuid:${RAW_UUID}`);
    await waitFor('the raw printer found', () => rawEvents().some((event) => event.event === 'found'), 10_000, 50);

    await raw.kill(); // a crash: no goodbye, its records stay cached until their TTL
    renumber(RAW, 'eth0', '10.213.7.21');
    raw = await topology.rawPrinter(RAW, '10.213.7.21', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
    await waitFor('the raw printer at its new address', () => rawEvents().some((event) => event.event === 'updated' && event.device?.uri === 'socket://10.213.7.21:9100'), 10_000, 50);
    expect(rawEvents().filter((event) => event.event === 'found')).toHaveLength(1);
    expect(rawEvents().some((event) => event.event === 'lost')).toBe(false);

    await raw.stop(); // SIGTERM: bonjour-service sends its goodbye
    await waitFor('the raw printer lost', () => rawEvents().find((event) => event.event === 'lost'), 10_000, 50);
    expect(rawEvents().find((event) => event.event === 'lost')).toMatchObject({ reason: 'goodbye' });
    await watch.peer.stop();
    raw = await topology.rawPrinter(RAW, '10.213.7.21', { port: 9100, name: 'EPSON TM-T88V', txt: RAW_TXT });
  });

  it('announces the box as _printgate._tcp and _http._tcp, seen by avahi-browse from another namespace, and withdraws it with a goodbye', async () => {
    const announce = topology.start(GW, process.execPath, [path.join(import.meta.dirname, '../peers/announce.mjs'), 'eth0', '8631']);
    await waitFor('the announcement', () => announce.output().includes('announced'), 10_000, 20);
    const browse = (type: string): string[] =>
      runInNamespace(IPP, 'avahi-browse', ['-r', '-t', '-p', type], { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ippBus }, timeoutMs: 10_000 })
        .stdout.split('\n')
        .filter((line) => line.startsWith('='));
    const printgate = await waitFor('avahi-browse to resolve _printgate._tcp', () => browse('_printgate._tcp')[0], 10_000, 200);
    expect(printgate).toContain(';printgate\\032on\\032gw;_printgate._tcp;local;gw-box.local;10.213.7.2;8631;');
    expect(printgate).toContain('"api=star-v1"');
    expect(printgate).toContain('"path=/"');
    expect(printgate).toContain('"version=0.1.0"');
    expect(browse('_http._tcp').some((line) => line.includes(';gw-box.local;10.213.7.2;8631;'))).toBe(true);

    await announce.stop();
    await waitFor('the goodbye to reach avahi', () => browse('_printgate._tcp').length === 0, 10_000, 200);
  });
});
