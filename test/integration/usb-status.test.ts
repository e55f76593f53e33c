import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { escposStatusQuery } from '../../drivers/status/escpos-status.js';
import { UsbTransport } from '../../drivers/transports/usb-transport.js';
import type { TransportContext } from '../../src/driver-api/index.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { printerApi, type JobView } from '../helpers/printer-api.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUsbSysfs } from '../peers/fake-usb-sysfs.js';
import { startPtyPair, type PtyPair } from '../peers/socat-pty.js';
import { HEALTHY, StatusResponder, type PrinterCondition } from '../peers/status-printer.js';
import { failure, within } from '../helpers/settle.js';

/**
 * USB status over usblp's back-channel. No USB bus exists here: a socat pty pair stands in for a
 * bidirectional /dev/usb/lp0 (the fake sysfs tree points lp0 at one end; an ESC/POS "printer" on
 * the other end answers DLE EOT), and a FIFO for a device that only takes bytes.
 */

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const context: TransportContext = { log: silent, connectTimeoutMs: 3000, confirmTimeoutMs: 5000, stallMs: 5000 };
const meta = { jobId: 'job-1', jobName: 'ticket', documentFormat: 'application/vnd.escpos' };
const TM_T88 = { vendorId: '04b8', productId: '0e15', serial: 'X5N0123456', ieee1284Id: 'MFG:EPSON;CMD:ESCPOS;MDL:TM-T88V;CLS:PRINTER;', busPort: '1-1' };
const URI = 'usb:04b8:0e15/X5N0123456';
const DLE_EOT = Buffer.from([0x10, 0x04]);
/** A query that would wait for an answer this long has hung if it has not ended within HANG_BOUND_MS. */
const LONG_QUERY_MS = 60_000;
const HANG_BOUND_MS = 10_000;

interface FarPrinter {
  condition: PrinterCondition;
  responder: StatusResponder;
  /** Document bytes the printer received (status requests removed). */
  printed(): Buffer;
  /** Every byte that reached the printer, requests included. */
  raw(): Buffer;
}

let gateway: TestGateway | undefined;
let sysfs: FakeUsbSysfs | undefined;
let pty: PtyPair | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await pty?.dispose();
  pty = undefined;
  await sysfs?.dispose();
  sysfs = undefined;
});

/** An ESC/POS printer on the far end of the pty: prints what it gets, answers DLE EOT at once unless `answers` is false. */
async function farPrinter(path: string, answers = true): Promise<FarPrinter> {
  const condition: PrinterCondition = { ...HEALTHY };
  const responder = new StatusResponder('escpos', () => condition);
  const printed: Buffer[] = [];
  const raw: Buffer[] = [];
  const far = new SerialPort({ path, baudRate: 19200, autoOpen: false });
  far.on('error', () => undefined);
  far.on('data', (chunk: Buffer) => {
    raw.push(chunk);
    const { reply, printed: bytes } = responder.feed(chunk);
    if (bytes.length > 0) printed.push(bytes);
    if (reply.length > 0 && answers) far.write(reply);
  });
  await new Promise<void>((resolve, reject) => far.open((error) => (error ? reject(error) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => (far.isOpen ? far.close(() => resolve()) : resolve())));
  return { condition, responder, printed: () => Buffer.concat(printed), raw: () => Buffer.concat(raw) };
}

/** lp0 in a fake sysfs tree, its device file one end of a pty pair with `far` on the other. */
async function ptyBackedLp0(answers = true): Promise<{ tree: FakeUsbSysfs; far: FarPrinter; device: string }> {
  sysfs = new FakeUsbSysfs();
  pty = await startPtyPair();
  const device = sysfs.plugDevice(0, TM_T88, pty.a);
  return { tree: sysfs, far: await farPrinter(pty.b, answers), device };
}

function ask(usb: UsbTransport, timeoutMs = 5000, signal = new AbortController().signal): Promise<Uint8Array> {
  return usb.query(escposStatusQuery.request, (reply) => escposStatusQuery.parse(reply).complete, signal, timeoutMs);
}

describe('usb transport: status query on the device file', () => {
  it('writes DLE EOT to the device and reads the answer back; jobs before and after are delivered untouched', async () => {
    const { tree, far } = await ptyBackedLp0();
    const usb = new UsbTransport(new URL(URI), context, { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot });

    expect(escposStatusQuery.parse(await ask(usb))).toEqual({ complete: true, reasons: [] });
    const first = Buffer.from('\x1b@first ticket\n\x1dV\x00', 'latin1');
    expect(await usb.send(first, new AbortController().signal, meta)).toMatchObject({ confirmed: true, bytesWritten: first.length });
    await waitFor('the first ticket at the printer', () => far.printed().length >= first.length);

    far.condition.paperOut = true;
    expect(escposStatusQuery.parse(await ask(usb)).reasons).toEqual(['media-empty']);
    far.condition.paperOut = false;
    far.condition.coverOpen = true;
    expect(escposStatusQuery.parse(await ask(usb)).reasons).toEqual(['cover-open']);
    far.condition.coverOpen = false;

    const second = Buffer.from('\x1b@second ticket\n', 'latin1');
    await usb.send(second, new AbortController().signal, meta);
    expect(escposStatusQuery.parse(await ask(usb))).toEqual({ complete: true, reasons: [] });
    await waitFor('both tickets at the printer', () => far.printed().length >= first.length + second.length);
    // The requests were answered, never printed; the documents arrived whole and in order.
    expect(far.responder.queries).toBe(4 * 4);
    expect(far.printed()).toEqual(Buffer.concat([first, second]));
  });

  it('a printer that stays silent: the query ends after its timeout with no answer and the device is free again', async () => {
    const { tree, far } = await ptyBackedLp0(false);
    const usb = new UsbTransport(new URL(URI), context, { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot });
    const reply = await within(ask(usb, 300), HANG_BOUND_MS, 'a query to a silent printer');
    expect(reply.length).toBe(0);
    await waitFor('the request at the printer', () => far.raw().includes(DLE_EOT));
    const job = Buffer.from('after silence\n');
    await usb.send(job, new AbortController().signal, meta);
    await waitFor('the job at the printer', () => far.printed().equals(job));
  });

  it('an aborted query ends at once with PRINTER_TIMEOUT', async () => {
    const { tree } = await ptyBackedLp0(false);
    const usb = new UsbTransport(new URL(URI), context, { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot });
    const controller = new AbortController();
    const asking = ask(usb, LONG_QUERY_MS, controller.signal);
    controller.abort();
    expect((await within(failure(asking), HANG_BOUND_MS, 'an aborted query')).code).toBe('PRINTER_TIMEOUT');
  });

  it('a FIFO device (no back-channel) is not asked: empty answer at once, no request among the job bytes', async () => {
    sysfs = new FakeUsbSysfs();
    const reader = await sysfs.plug(0, TM_T88);
    const usb = new UsbTransport(new URL(URI), context, { sysfsRoot: sysfs.sysfsRoot, devRoot: sysfs.devRoot });
    const reply = await within(ask(usb, LONG_QUERY_MS), HANG_BOUND_MS, 'a query on a FIFO');
    expect(reply.length).toBe(0);
    const job = Buffer.from('fifo job\n');
    await usb.send(job, new AbortController().signal, meta);
    expect(await reader.waitForBytes(job.length)).toEqual(job);
    expect((await within(ask(usb, LONG_QUERY_MS), HANG_BOUND_MS, 'a second query on a FIFO')).length).toBe(0);
    const last = Buffer.from('last\n');
    await usb.send(last, new AbortController().signal, meta);
    expect(await reader.waitForBytes(job.length + last.length)).toEqual(Buffer.concat([job, last]));
  });

  it('a device that is not there (no file, a FIFO nobody reads, unplugged) is PRINTER_UNREACHABLE', async () => {
    sysfs = new FakeUsbSysfs();
    const reader = await sysfs.plug(0, TM_T88);
    await reader.stop();
    const noReader = new UsbTransport(new URL(`usb:${reader.fifo}`), context);
    expect((await within(failure(ask(noReader, LONG_QUERY_MS)), HANG_BOUND_MS, 'a query on a FIFO without a reader')).code).toBe('PRINTER_UNREACHABLE');
    const missing = new UsbTransport(new URL(`usb:${sysfs.devRoot}/usb/lp9`), context);
    const absent = await failure(ask(missing));
    expect(absent.code).toBe('PRINTER_UNREACHABLE');
    expect(absent.message).toMatch(/does not exist/);
    const unplugged = new UsbTransport(new URL('usb:04b8:0e15/NOT-HERE'), context, { sysfsRoot: sysfs.sysfsRoot, devRoot: sysfs.devRoot });
    expect((await failure(ask(unplugged))).message).toMatch(/not plugged in/);
  });
});


async function startWith(tree: FakeUsbSysfs) {
  gateway = await startTestGateway({
    devices: { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot },
    printers: [{ name: 'Counter', group: 'store1', appId: 'counter01', uri: URI, language: 'escpos' }],
    jobs: { retryInitialMs: 50, retryMaxMs: 300, connectTimeoutMs: 2000, confirmTimeoutMs: 2000, statusTimeoutMs: 1000, statusPollMs: 200 },
  });
  const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'ViewDevice']);
  return printerApi({ url: gateway.url, key, group: 'store1', appId: 'counter01', printerId: 'counter' });
}

const completed = (job: JobView): boolean => job.state === 'completed';

describe('usb printer status through the gateway', () => {
  it('a printer that answers DLE EOT: healthy confirms, paper out keeps the job pending, paper back prints it once', async () => {
    const { tree, far } = await ptyBackedLp0();
    const api = await startWith(tree);

    const first = await api.print('usb one\n');
    expect(await api.waitJob(first, 'completed', completed)).toMatchObject({ stateReason: null, attempts: 1 });
    expect(far.responder.queries).toBeGreaterThan(0);

    far.condition.paperOut = true;
    await waitFor('the idle poll to see the paper out', async () => (await api.printer()).reasons.includes('media-empty'));
    const second = await api.print('usb two\n');
    await api.waitJob(second, 'pending: media-empty', (job) => job.state === 'pending' && job.stateReason === 'media-empty');
    expect(await api.printer()).toMatchObject({ state: 'stopped', reasons: ['media-empty'] });
    expect(far.printed().toString('latin1')).not.toContain('usb two');

    far.condition.paperOut = false;
    expect(await api.waitJob(second, 'completed', completed)).toMatchObject({ stateReason: null });
    await waitFor('the printer idle with no reasons', async () => {
      const view = await api.printer();
      return view.state === 'idle' && view.reasons.length === 0;
    });
    const text = far.printed().toString('latin1');
    expect(text.split('usb one')).toHaveLength(2);
    expect(text.split('usb two')).toHaveLength(2);
    expect(far.printed().includes(DLE_EOT)).toBe(false);
  });

  it('a FIFO device that never answers: jobs complete unconfirmed and no status request reaches it', async () => {
    sysfs = new FakeUsbSysfs();
    const reader = await sysfs.plug(0, TM_T88);
    const api = await startWith(sysfs);
    const ids = [await api.print('fifo one\n'), await api.print('fifo two\n')];
    for (const id of ids) {
      expect(await api.waitJob(id, 'completed', completed)).toMatchObject({ stateReason: 'completed-unconfirmed', attempts: 1 });
    }
    const text = (await waitFor('both jobs at the FIFO', () => {
      const all = reader.received().toString('latin1');
      return all.includes('fifo one') && all.includes('fifo two') ? all : null;
    })).toString();
    expect(text.split('fifo one')).toHaveLength(2);
    expect(text.split('fifo two')).toHaveLength(2);
    expect(reader.received().includes(DLE_EOT)).toBe(false);
    expect(await api.printer()).toMatchObject({ state: 'idle', reasons: [] });
  });
});
