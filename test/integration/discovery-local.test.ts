import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { serialTransportFactory } from '../../drivers/transports/serial-transport.js';
import { runCli, writeConfig } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeFakeUdevadm } from '../peers/fake-udevadm.js';
import { FakeUsbSysfs } from '../peers/fake-usb-sysfs.js';
import { startPtyPair, type PtyPair } from '../peers/socat-pty.js';

/**
 * Local enumeration through `printgate discover`: USB printers from a usblp-shaped sysfs tree with
 * FIFO device files (test/peers/fake-usb-sysfs.ts), serial ports from a fake udevadm early on PATH
 * whose port is a socat pty. mDNS stays off (discovery.interfaces: []), so nothing here speaks it.
 */
let sysfs: FakeUsbSysfs | undefined;
let pty: PtyPair | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sysfs?.dispose();
  sysfs = undefined;
  await pty?.dispose();
  pty = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const EPSON = { vendorId: '04b8', productId: '0202', serial: 'J6XF012345', manufacturer: 'EPSON', product: 'TM-T88V', ieee1284Id: 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;DES:TM-T88V;' };
const STAR = { vendorId: '0519', productId: '0003', manufacturer: 'STAR', product: 'TSP143IIIU', ieee1284Id: 'MFG:STAR;MDL:TSP143IIIU;CMD:STAR;CLS:PRINTER;' };

type Device = Record<string, unknown> & { identity: string; uri: string; said: Record<string, string> };
interface Report {
  devices: Device[];
  notes: string[];
}

function discover(tree: FakeUsbSysfs, options: { serial?: boolean; path?: string; seconds?: number } = {}): Report {
  const config = writeConfig({ discovery: { interfaces: [], usb: true, serial: options.serial ?? false }, devices: { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot } });
  const result = runCli(['discover', '--json', '--seconds', String(options.seconds ?? 1), '--config', config.file], options.path ? { PATH: options.path } : {});
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

describe('USB and serial enumeration', () => {
  it('lists USB printer-class devices with IEEE 1284 id, VID:PID, serial, profile — never a non-printer in usbmisc', async () => {
    sysfs = new FakeUsbSysfs();
    await sysfs.plug(0, { ...EPSON, busPort: '1-1' });
    await sysfs.plug(1, { ...STAR, busPort: '1-2' });
    sysfs.addForeign('cdc-wdm0', '1-3');
    const { devices } = discover(sysfs);
    expect(devices).toHaveLength(2);
    const epson = devices.find((device) => device.identity.startsWith('usb:04b8'));
    expect(epson).toMatchObject({
      identity: 'usb:04b8:0202:J6XF012345',
      identityQuality: 'serial',
      source: 'usb',
      uri: 'usb:04b8:0202/J6XF012345',
      name: 'TM-T88V',
      make: 'EPSON',
      model: 'TM-T88V',
      profile: 'epson-tm-t88',
      language: 'escpos',
      isPrinter: true,
      said: { 'usb.id': '04b8:0202', 'usb.serial': 'J6XF012345', location: '1-1' },
    });
    const star = devices.find((device) => device.identity.includes('0519'));
    expect(star).toMatchObject({
      identity: 'usb-port:0519:0003@1-2',
      identityQuality: 'port',
      uri: 'usb:0519:0003',
      profile: 'unknown',
      profileCandidates: ['star-tsp143-starprnt', 'star-tsp143-line'],
      language: 'unknown',
    });
    expect(star?.identityNote).toMatch(/no serial number: identified by USB port 1-2/);
  });

  it('a printer re-plugged into another port (lp0 on 1-1 → lp2 on 1-4) keeps its identity', async () => {
    sysfs = new FakeUsbSysfs();
    await sysfs.plug(0, { ...EPSON, busPort: '1-1' });
    const before = discover(sysfs).devices;
    await sysfs.unplug(0);
    await sysfs.plug(2, { ...EPSON, busPort: '1-4' });
    const after = discover(sysfs).devices;
    expect(after).toHaveLength(1);
    expect(after[0]?.identity).toBe(before[0]?.identity);
    expect(after[0]?.uri).toBe('usb:04b8:0202/J6XF012345');
    expect(after[0]?.said).toMatchObject({ path: path.join(sysfs.devRoot, 'usb', 'lp2'), location: '1-4' });
  });

  it('serial: USB-serial adapters from udevadm, by their stable by-id path; the console ttyS0 never; the URI prints', async () => {
    sysfs = new FakeUsbSysfs();
    pty = await startPtyPair();
    const bin = mkdtempSync(path.join(tmpdir(), 'printgate-udevadm-'));
    dirs.push(bin);
    mkdirSync(sysfs.devRoot, { recursive: true });
    writeFakeUdevadm(
      bin,
      [
        { kernelName: 'ttyS0', devName: '/dev/ttyS0' },
        { kernelName: 'ttyUSB0', devName: pty.a, vendorId: '04b8', productId: '0e27', serial: 'SER1', vendor: 'EPSON', byId: 'usb-EPSON_TM-T88V_SER1-if00-port0' },
        { kernelName: 'ttyUSB1', devName: '/dev/ttyUSB1', vendorId: '1a86', productId: '7523', vendor: 'QinHeng Electronics' },
      ],
      sysfs.devRoot,
    );
    const { devices } = discover(sysfs, { serial: true, path: `${bin}:${process.env.PATH ?? ''}` });
    expect(devices.map((device) => device.said.path).sort()).toEqual(['/dev/ttyUSB1', pty.a]);
    const byId = path.join(sysfs.devRoot, 'serial', 'by-id', 'usb-EPSON_TM-T88V_SER1-if00-port0');
    const epson = devices.find((device) => device.said.path === pty?.a);
    expect(epson).toMatchObject({ identity: 'serial:04b8:0e27:SER1', identityQuality: 'serial', source: 'serial', uri: `serial:${byId}`, profile: 'epson-tm-t88', language: 'escpos', isPrinter: true });
    expect(devices.find((device) => device.said.path === '/dev/ttyUSB1')).toMatchObject({ identity: 'serial-port:/dev/ttyUSB1', identityQuality: 'port', profile: 'unknown', isPrinter: false });

    // The URI discovery gives is one the serial transport prints to.
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const reader = new SerialPort({ path: pty.b, baudRate: 9600 });
    const received: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => received.push(chunk));
    const transport = serialTransportFactory.create(new URL(epson?.uri as string), { log: silent, connectTimeoutMs: 3000, confirmTimeoutMs: 3000, stallMs: 3000 });
    await transport.send(Buffer.from('hello serial\n'), new AbortController().signal, { jobId: 'j', jobName: 'j', documentFormat: 'application/vnd.escpos' });
    await waitFor('the bytes at the far end', () => Buffer.concat(received).toString() === 'hello serial\n', 5000);
    await transport.close();
    await new Promise((resolve) => reader.close(resolve));
  });

  it('without udevadm serial ports are not listed, the reason is noted once, and USB still works', async () => {
    sysfs = new FakeUsbSysfs();
    await sysfs.plug(0, { ...EPSON, busPort: '1-1' });
    const empty = mkdtempSync(path.join(tmpdir(), 'printgate-nopath-'));
    dirs.push(empty);
    const { devices, notes } = discover(sysfs, { serial: true, path: empty, seconds: 2 });
    expect(devices.map((device) => device.identity)).toEqual(['usb:04b8:0202:J6XF012345']);
    expect(notes.filter((note) => note.includes('udevadm is missing'))).toHaveLength(1);
  });
});
