import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsbTransport, usbTransportFactory } from '../../drivers/transports/usb-transport.js';
import type { TransportContext } from '../../src/driver-api/index.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUsbSysfs } from '../peers/fake-usb-sysfs.js';
import { failure } from '../helpers/settle.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const context: TransportContext = { log: silent, connectTimeoutMs: 3000, confirmTimeoutMs: 5000, stallMs: 5000 };
const meta = { jobId: 'job-1', jobName: 'label', documentFormat: 'application/octet-stream' };
const signal = (): AbortSignal => new AbortController().signal;
const TM_T88 = { vendorId: '04b8', productId: '0e15', serial: 'X5N0123456', ieee1284Id: 'MFG:EPSON;CMD:ESCPOS;MDL:TM-T88V;CLS:PRINTER;' };

describe('usb transport on FIFO devices and a fake sysfs tree', () => {
  let sysfs: FakeUsbSysfs | undefined;
  let gateway: TestGateway | undefined;
  const fake = (): FakeUsbSysfs => (sysfs = new FakeUsbSysfs());
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    await sysfs?.dispose();
    sysfs = undefined;
  });

  it('writes jobs to a device file byte for byte (usb:/dev/usb/lpN)', async () => {
    const tree = fake();
    const reader = await tree.plug(0, { ...TM_T88, busPort: '1-1' });
    const usb = new UsbTransport(new URL(`usb:${reader.fifo}`), context);
    const first = randomBytes(200 * 1024);
    const second = randomBytes(10);
    await usb.probe(signal());
    expect(await usb.send(first, signal(), meta)).toMatchObject({ confirmed: true, bytesWritten: first.length });
    await usb.send(second, signal(), meta);
    expect(await reader.waitForBytes(first.length + second.length)).toEqual(Buffer.concat([first, second]));
  });

  it('finds usb://VID:PID/SERIAL again after a re-plug renumbers lp0 to lp1', async () => {
    const tree = fake();
    const options = { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot };
    await tree.plug(0, { vendorId: '0519', productId: '0003', serial: 'OTHER', busPort: '1-2' });
    const before = await tree.plug(1, { ...TM_T88, busPort: '1-1' });
    const usb = new UsbTransport(new URL('usb:04b8:0e15/X5N0123456'), context, options);
    expect(await usb.describe()).toMatchObject({ name: 'lp1', ieee1284Id: TM_T88.ieee1284Id });
    await usb.send(Buffer.from('job one\n'), signal(), meta);
    expect(await before.waitForBytes(8)).toEqual(Buffer.from('job one\n'));

    await tree.unplug(1);
    const unplugged = await failure(usb.send(Buffer.from('lost?'), signal(), meta));
    expect(unplugged.code).toBe('PRINTER_UNREACHABLE');
    expect(unplugged.message).toMatch(/not plugged in.*lp0=0519:0003\/OTHER/);
    expect((await failure(usb.probe(signal()))).code).toBe('PRINTER_UNREACHABLE');

    const after = await tree.plug(2, { ...TM_T88, busPort: '1-3' });
    await usb.probe(signal());
    await usb.send(Buffer.from('job two\n'), signal(), meta);
    expect(await after.waitForBytes(8)).toEqual(Buffer.from('job two\n'));
    expect(before.received()).toEqual(Buffer.from('job one\n'));
  });

  it('matches the IEEE 1284 serial when the device has no USB serial, and the usb:// form', async () => {
    const tree = fake();
    const reader = await tree.plug(0, { vendorId: '0519', productId: '0003', ieee1284Id: 'MFG:STAR;MDL:TSP143;SN:2580;', busPort: '1-1' });
    const usb = new UsbTransport(new URL('usb://0519:0003/2580'), context, { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot });
    await usb.send(Buffer.from('star\n'), signal(), meta);
    expect(await reader.waitForBytes(5)).toEqual(Buffer.from('star\n'));
  });

  it('reports an absent device as unreachable and never creates a file', async () => {
    const tree = fake();
    const missing = path.join(tree.devRoot, 'usb', 'lp7');
    const error = await failure(new UsbTransport(new URL(`usb:${missing}`), context).send(Buffer.from('x'), signal(), meta));
    expect(error.code).toBe('PRINTER_UNREACHABLE');
    expect(error.message).toMatch(/does not exist/);
    const noSysfs = new UsbTransport(new URL('usb:04b8:0e15'), context, { sysfsRoot: path.join(tree.dir, 'nothing'), devRoot: tree.devRoot });
    expect((await failure(noSysfs.probe(signal()))).code).toBe('PRINTER_UNREACHABLE');
  });

  it('the factory takes the sysfs and /dev roots from its context, not from the environment', async () => {
    const tree = fake();
    const reader = await tree.plug(0, { ...TM_T88, busPort: '1-1' });
    const usb = usbTransportFactory.create(new URL('usb:04b8:0e15/X5N0123456'), { ...context, sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot });
    await usb.send(Buffer.from('via context\n'), signal(), meta);
    expect(await reader.waitForBytes(12)).toEqual(Buffer.from('via context\n'));
  });

  it('delivers a job end to end through the gateway (roots from config devices.sysfsRoot and devices.devRoot)', async () => {
    const tree = fake();
    const reader = await tree.plug(3, { ...TM_T88, busPort: '1-4' });
    gateway = await startTestGateway({
      devices: { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot },
      printers: [{ name: 'USB', group: 'store1', appId: 'usb01', uri: 'usb:04b8:0e15/X5N0123456', language: 'raw' }],
    });
    const { key } = gateway.createKey(['PrintToDevice']);
    const body = randomBytes(4096);
    const response = await fetch(`${gateway.url}/v1/a/store1/d/usb01/q`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(response.status).toBe(201);
    expect(await reader.waitForBytes(body.length)).toEqual(body);
    await waitFor('the gateway to log the completed job', () => (gateway?.logs.find('job completed') ?? []).length > 0);
  });
});
