import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bounded,
  describeSystemError,
  DriverError,
  type DeliveryReport,
  type Transport,
  type TransportContext,
  type TransportFactory,
} from '../../src/driver-api/index.js';
import { listUsbDevices, usbRoots } from './usb-list.js';
import { listUsbPrinters, resolveUsbPrinter, type UsbPrinterInfo, type UsbPrinterMatch, type UsbSysfsOptions } from './usb-sysfs.js';

export type UsbTarget = { kind: 'path'; path: string } | ({ kind: 'id' } & UsbPrinterMatch);

const HEX_ID = /^[0-9a-f]{1,4}$/i;
const CHUNK_BYTES = 64 * 1024;
/** A status query reads without blocking: this long between reads while the printer has not answered yet. */
const QUERY_POLL_MS = 10;
/** No status reply is longer; reading stops there. */
const QUERY_REPLY_MAX_BYTES = 4096;
/** Reads of leftover bytes before a query at most (each up to QUERY_REPLY_MAX_BYTES). */
const QUERY_STALE_READS = 16;
/** Errors of a non-blocking read or write that mean "nothing now", not "gone". */
const TRY_AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK']);

function usbId(vendor: string, product: string, serial: string, uri: URL): UsbTarget {
  if (!HEX_ID.test(vendor) || !HEX_ID.test(product)) {
    throw new DriverError('UNSUPPORTED_URI', `USB URI ${uri.href}: write usb://VID:PID/SERIAL with hex ids, e.g. usb://0519:0003/ABC123`);
  }
  return { kind: 'id', vendorId: vendor.toLowerCase().padStart(4, '0'), productId: product.toLowerCase().padStart(4, '0'), serial: serial === '' ? null : serial };
}

/**
 * usb:/dev/usb/lp0 (a fixed device file), usb://VID:PID/SERIAL or usb:VID:PID/SERIAL (found
 * through sysfs on every job). WHATWG URL parsing turns usb://0519:0003 into host 0519 and port 3
 * and rejects a PID with hex letters in that position, so the opaque form usb:04b8:0e15/SERIAL
 * always works.
 */
export function parseUsbUri(uri: URL): UsbTarget {
  if (uri.protocol !== 'usb:') throw new DriverError('UNSUPPORTED_URI', `${uri.href} is not a usb: URI`);
  if (uri.search !== '') throw new DriverError('UNSUPPORTED_URI', `USB URI ${uri.href}: no query options are defined for usb:`);
  const pathname = decodeURIComponent(uri.pathname);
  if (uri.host !== '') return usbId(uri.hostname, uri.port, pathname.replace(/^\//, ''), uri);
  if (pathname.startsWith('/')) {
    if (pathname === '/') throw new DriverError('UNSUPPORTED_URI', `USB URI ${uri.href} names no device`);
    return { kind: 'path', path: pathname };
  }
  const match = /^([^:/]+):([^/]+)(?:\/(.*))?$/.exec(pathname);
  if (!match) throw new DriverError('UNSUPPORTED_URI', `USB URI ${uri.href}: write usb:/dev/usb/lp0 or usb://VID:PID/SERIAL`);
  return usbId(match[1] ?? '', match[2] ?? '', match[3] ?? '', uri);
}

function describeTarget(target: UsbTarget): string {
  return target.kind === 'path' ? target.path : `USB ${target.vendorId}:${target.productId}${target.serial ? ` serial ${target.serial}` : ''}`;
}

/** A failed open, read or write of the device file, in the words of the one errno table (USB advice). */
function openError(error: unknown, device: string): DriverError {
  return new DriverError('PRINTER_UNREACHABLE', describeSystemError(error as NodeJS.ErrnoException, device, 'usb'), { cause: error });
}

export interface UsbTransportOptions extends Partial<UsbSysfsOptions> {}

/**
 * USB printer class: writes each job to the device file in chunks, each write waited for (the
 * kernel's usblp driver returns once the data went out), then closes it. No fsync: a character
 * device has nothing to sync. A usb://VID:PID/SERIAL printer is looked up in sysfs on every job and
 * probe, so a re-plug that renumbers lp0 to lp1 is still found. Status queries use usblp's
 * back-channel: the request is written to the device file and the answer read back from it, on a
 * non-blocking open of their own between jobs.
 */
export class UsbTransport implements Transport {
  readonly uri: string;
  readonly target: UsbTarget;
  private readonly sysfs: UsbSysfsOptions;

  constructor(uri: URL, private readonly context: TransportContext, options: UsbTransportOptions = {}) {
    this.uri = uri.href;
    this.target = parseUsbUri(uri);
    this.sysfs = { sysfsRoot: options.sysfsRoot ?? context.sysfsRoot ?? '/sys', devRoot: options.devRoot ?? context.devRoot ?? '/dev' };
  }

  /** The sysfs facts of the printer now (id form), or null when it is absent or a fixed path is used. */
  async describe(): Promise<UsbPrinterInfo | null> {
    return this.target.kind === 'id' ? resolveUsbPrinter(this.target, this.sysfs) : null;
  }

  async send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    const device = await this.devicePath();
    const handle = await this.openDevice(device, signal);
    let pending: Promise<unknown> = Promise.resolve();
    try {
      for (let offset = 0; offset < data.byteLength; offset += CHUNK_BYTES) {
        if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `write to ${device} aborted`);
        pending = handle.write(data, offset, Math.min(CHUNK_BYTES, data.byteLength - offset));
        await this.bounded(pending, signal, `write to ${device}`, 'write');
      }
    } catch (error) {
      // A write may still be running in the thread pool: close once it has returned.
      void pending.catch(() => undefined).finally(() => handle.close().catch(() => undefined));
      throw error instanceof DriverError ? error : openError(error, device);
    }
    await handle.close();
    return { confirmed: true, note: `written to ${device}`, bytesWritten: data.byteLength };
  }

  async probe(signal: AbortSignal): Promise<void> {
    const device = await this.devicePath();
    const handle = await this.openDevice(device, signal);
    await handle.close();
  }

  /**
   * Writes the status request to the device and reads the printer's answer from it (usblp is
   * bidirectional: a read returns what the printer sent). Opened read-write and non-blocking for
   * this query only, so a silent printer never ties up a thread, and closed before the next job.
   * Only a character device has a back-channel: a FIFO or a plain file (test devices) would take
   * the request for document bytes, so it is not written there and the answer is empty at once.
   */
  async query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    const device = await this.devicePath();
    if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `status query on ${device} aborted`);
    let isCharacterDevice: boolean;
    try {
      isCharacterDevice = (await stat(device)).isCharacterDevice();
    } catch (error) {
      throw openError(error, device);
    }
    if (!isCharacterDevice) {
      // No back-channel to ask on; still tell an absent device (a FIFO nobody reads) from a silent one.
      await (await this.openDevice(device, signal)).close();
      this.context.log.debug({ device }, 'usb device has no back-channel; status not asked');
      return new Uint8Array(0);
    }
    let handle: FileHandle;
    try {
      handle = await open(device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (error) {
      throw openError(error, device);
    }
    try {
      return await this.exchange(handle, device, request, isComplete, signal, timeoutMs);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    // The device is opened per job: nothing is held.
  }

  /** Writes `request`, then reads until `isComplete`, a full buffer, or `timeoutMs`; never blocks. */
  private async exchange(
    handle: FileHandle,
    device: string,
    request: Uint8Array,
    isComplete: (reply: Uint8Array) => boolean,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Uint8Array> {
    const what = `status query on ${device}`;
    const reply = Buffer.alloc(QUERY_REPLY_MAX_BYTES);
    // A late answer to an earlier query that timed out is not the answer to this one (bounded:
    // a printer that never stops sending must not keep us here). A device that cannot be read at
    // all (a unidirectional printer) is not sent the request.
    for (let stale = 0; stale < QUERY_STALE_READS; stale += 1) {
      const count = await this.tryRead(handle, reply, 0, device);
      if (count < 0) return new Uint8Array(0);
      if (count === 0) break;
    }
    const deadline = Date.now() + timeoutMs;
    let written = 0;
    let received = 0;
    for (;;) {
      if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `${what} aborted`);
      let progressed = false;
      if (written < request.byteLength) {
        const count = await this.tryWrite(handle, request, written, device);
        written += count;
        progressed = count > 0;
      } else {
        const count = await this.tryRead(handle, reply, received, device);
        if (count < 0) break; // the device cannot be read: no back-channel
        received += count;
        if (received > 0 && isComplete(reply.subarray(0, received))) break;
        if (received === reply.length) break;
        progressed = count > 0;
      }
      if (Date.now() >= deadline) break;
      if (!progressed) await sleep(QUERY_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
    return Buffer.from(reply.subarray(0, received));
  }

  /** One non-blocking write: the bytes taken, 0 when the device takes none now. */
  private async tryWrite(handle: FileHandle, data: Uint8Array, offset: number, device: string): Promise<number> {
    try {
      return (await handle.write(data, offset, data.byteLength - offset)).bytesWritten;
    } catch (error) {
      if (TRY_AGAIN.has((error as NodeJS.ErrnoException).code ?? '')) return 0;
      throw openError(error, device);
    }
  }

  /**
   * One non-blocking read into `buffer` at `offset`: the bytes read (0 when nothing is there now),
   * or -1 when the device has no back-channel (usblp answers EINVAL for a unidirectional printer).
   */
  private async tryRead(handle: FileHandle, buffer: Buffer, offset: number, device: string): Promise<number> {
    if (offset >= buffer.length) return 0;
    try {
      return (await handle.read(buffer, offset, buffer.length - offset, null)).bytesRead;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (TRY_AGAIN.has(code)) return 0;
      if (code === 'EINVAL') return -1;
      throw openError(error, device);
    }
  }

  private async devicePath(): Promise<string> {
    if (this.target.kind === 'path') return this.target.path;
    const found = await resolveUsbPrinter(this.target, this.sysfs);
    if (found) {
      this.context.log.debug({ device: found.devicePath, lp: found.name }, 'usb printer resolved');
      return found.devicePath;
    }
    const present = (await listUsbPrinters(this.sysfs)).map((info) => `${info.name}=${info.vendorId}:${info.productId}${info.serial ? `/${info.serial}` : ''}`);
    throw new DriverError(
      'PRINTER_UNREACHABLE',
      `${describeTarget(this.target)} is not plugged in (USB printers present: ${present.length > 0 ? present.join(', ') : 'none'})`,
    );
  }

  /**
   * Opens the device for writing. A non-blocking open first: it fails at once where a blocking one
   * would hang (a FIFO without a reader); then the blocking open the writes use. Never creates a file.
   */
  private async openDevice(device: string, signal: AbortSignal): Promise<FileHandle> {
    if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `open ${device} aborted`);
    try {
      const check = await open(device, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
      await check.close();
      const opening = open(device, constants.O_WRONLY | constants.O_NOCTTY);
      return await this.bounded(opening, signal, `open ${device}`, 'open').catch((error: unknown) => {
        void opening.then((late) => late.close()).catch(() => undefined);
        throw error;
      });
    } catch (error) {
      throw error instanceof DriverError ? error : openError(error, device);
    }
  }

  /**
   * `work` (a call in the thread pool, which cannot be cut short), waited for until it makes no
   * progress for a while or `signal` aborts. A write the device takes nothing of for
   * jobs.stallSeconds is a stalled printer (PRINTER_STALLED: stopped, reason `stalled`); an open
   * that hangs is a timeout.
   */
  private bounded<T>(work: Promise<T>, signal: AbortSignal, what: string, step: 'open' | 'write'): Promise<T> {
    const timeoutMs = step === 'write' ? this.context.stallMs : this.context.connectTimeoutMs + this.context.confirmTimeoutMs;
    const onTimeout = (): DriverError =>
      step === 'write'
        ? new DriverError('PRINTER_STALLED', `${what} took no data for ${Math.round(timeoutMs / 100) / 10} s (printer offline, out of paper or its cover open?)`)
        : new DriverError('PRINTER_TIMEOUT', `${what} made no progress for ${timeoutMs} ms (printer offline or out of paper?)`);
    return bounded<T>({ signal, what, timeoutMs, onTimeout }, (settle) => {
      work.then(settle.resolve, settle.reject);
    });
  }
}

export const usbTransportFactory: TransportFactory = {
  schemes: ['usb'],
  // The roots come from config devices.* through the context: a fake tree in tests and containers.
  create: (uri, context) => new UsbTransport(uri, context, usbRoots(context)),
  list: (context) => listUsbDevices(context),
};
