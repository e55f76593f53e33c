import { access, constants } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import {
  DriverError,
  type DeliveryReport,
  type Transport,
  type TransportContext,
  type TransportFactory,
} from '../../src/driver-api/index.js';
import { listSerialDevices } from './serial-list.js';
import { parseSerialUri, type SerialSettings } from './serial-uri.js';

/** What the transport needs of a serial port: serialport's SerialPort, or its SerialPortMock in unit tests. */
export type SerialPortLike = Pick<Duplex, 'on' | 'once' | 'off' | 'write'> & {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  drain(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
};

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: SerialSettings['parity'];
  stopBits: 1 | 1.5 | 2;
  rtscts: boolean;
  xon: boolean;
  xoff: boolean;
}

export type SerialPortOpener = (options: SerialOpenOptions) => SerialPortLike;

export interface SerialTransportDeps {
  /** Creates an unopened port; defaults to serialport's native binding. */
  openPort?: SerialPortOpener;
}

const CHUNK_BYTES = 4096;
const nativeOpener: SerialPortOpener = (options) => new (serialPortClass())({ ...options, autoOpen: false });

export function serialOpenOptions(settings: SerialSettings): SerialOpenOptions {
  return {
    path: settings.path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits,
    parity: settings.parity,
    stopBits: settings.stopBits,
    rtscts: settings.flow === 'rtscts',
    xon: settings.flow === 'xonxoff',
    xoff: settings.flow === 'xonxoff',
  };
}

/**
 * serial:/dev/ttyX?baud=…&flow=… — writes each job with back-pressure (waits for `drain`), then
 * waits until the OS has sent every byte (tcdrain). The port is opened and closed per job, or held
 * open with hold=1; a port that vanished is reopened on the next probe or job.
 */
export class SerialTransport implements Transport {
  readonly uri: string;
  readonly settings: SerialSettings;
  private readonly openPort: SerialPortOpener;
  private held: SerialPortLike | null = null;

  constructor(uri: URL, private readonly context: TransportContext, deps: SerialTransportDeps = {}) {
    this.uri = uri.href;
    this.settings = parseSerialUri(uri);
    this.openPort = deps.openPort ?? nativeOpener;
  }

  async send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    const port = await this.acquire(signal);
    try {
      await this.writeAll(port, Buffer.from(data.buffer, data.byteOffset, data.byteLength), signal);
    } catch (error) {
      this.discard(port);
      throw error;
    }
    if (!this.settings.hold) await this.release(port);
    return { confirmed: true, note: `written and drained to ${this.settings.path}`, bytesWritten: data.byteLength };
  }

  async probe(signal: AbortSignal): Promise<void> {
    const port = await this.acquire(signal);
    if (!this.settings.hold) await this.release(port);
  }

  /** Writes a status request and collects the printer's answer until it is whole or the time is up. */
  async query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    const port = await this.acquire(signal);
    const chunks: Buffer[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (error: Error | null): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          port.off('data', onData);
          port.off('error', onError);
          port.off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const what = `status query on ${this.settings.path}`;
        const onData = (chunk: Buffer): void => {
          chunks.push(chunk);
          if (isComplete(Buffer.concat(chunks))) settle(null);
        };
        const onError = (error: Error): void => settle(this.unreachable(what, error));
        const onClose = (): void => settle(new DriverError('PRINTER_UNREACHABLE', `${this.settings.path} went away during a ${what}`));
        const onAbort = (): void => settle(new DriverError('PRINTER_TIMEOUT', `${what} aborted`));
        const timer = setTimeout(() => settle(null), timeoutMs);
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        port.on('data', onData);
        port.on('error', onError);
        port.on('close', onClose);
        port.write(Buffer.from(request.buffer, request.byteOffset, request.byteLength), (error?: Error | null) => {
          if (error) settle(this.unreachable(what, error));
        });
      });
    } catch (error) {
      this.discard(port);
      throw error;
    }
    if (!this.settings.hold) await this.release(port);
    return Buffer.concat(chunks);
  }

  async close(): Promise<void> {
    const port = this.held;
    this.held = null;
    if (port) await this.release(port);
  }

  /** Milliseconds the line needs for `bytes` at the configured speed (start + data + parity + stop bits). */
  private transmitMs(bytes: number): number {
    const bitsPerByte = 1 + this.settings.dataBits + (this.settings.parity === 'none' ? 0 : 1) + this.settings.stopBits;
    return Math.ceil((bytes * bitsPerByte * 1000) / this.settings.baudRate);
  }

  private async acquire(signal: AbortSignal): Promise<SerialPortLike> {
    if (this.held?.isOpen) return this.held;
    this.held = null;
    await this.checkDevice();
    const port = this.openPort(serialOpenOptions(this.settings));
    // Errors also surface through the operation that hit them; never let one crash the process.
    port.on('error', () => undefined);
    port.on('data', () => undefined); // back-channel (status bytes): read so the device never blocks on it
    const forget = (): void => {
      if (this.held === port) this.held = null;
    };
    port.on('close', forget);
    try {
      await this.guard(port, signal, this.context.connectTimeoutMs, `open ${this.settings.path}`, (done) => port.open(done), false);
    } catch (error) {
      this.discard(port);
      throw error;
    }
    if (this.settings.hold) this.held = port;
    this.context.log.debug({ path: this.settings.path, hold: this.settings.hold }, 'serial port opened');
    return port;
  }

  private async checkDevice(): Promise<void> {
    const { path } = this.settings;
    try {
      await access(path, constants.R_OK | constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT'
          ? `serial port ${path} does not exist: is the printer or its USB-serial adapter plugged in? (ls -l /dev/serial/by-id/)`
          : code === 'EACCES' || code === 'EPERM'
            ? `no permission to open ${path}: add the printgate user to the dialout group (usermod -aG dialout printgate) and restart printgate`
            : `cannot open ${path}: ${(error as Error).message}`;
      throw new DriverError('PRINTER_UNREACHABLE', message, { cause: error });
    }
  }

  private async writeAll(port: SerialPortLike, data: Buffer, signal: AbortSignal): Promise<void> {
    const stallMs = this.context.confirmTimeoutMs + 2 * this.transmitMs(CHUNK_BYTES);
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
      if (!port.write(data.subarray(offset, offset + CHUNK_BYTES))) {
        await this.guard(port, signal, stallMs, `write to ${this.settings.path}`, (done) => port.once('drain', () => done(null)), true);
      }
    }
    const drainMs = this.context.confirmTimeoutMs + 2 * this.transmitMs(Math.min(data.length, 4 * CHUNK_BYTES));
    await this.guard(port, signal, drainMs, `drain ${this.settings.path}`, (done) => port.drain(done), true);
  }

  /**
   * Runs one callback-style step on the port, bounded by `timeoutMs` and the abort signal, and
   * failing if the port errors or closes meanwhile (a vanished device).
   */
  private guard(
    port: SerialPortLike,
    signal: AbortSignal,
    timeoutMs: number,
    what: string,
    start: (done: (error: Error | null) => void) => void,
    opened: boolean,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        port.off('error', onError);
        port.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => settle(new DriverError('PRINTER_TIMEOUT', `${what} aborted`));
      const onError = (error: Error): void => settle(this.unreachable(what, error));
      const onClose = (): void => settle(new DriverError('PRINTER_UNREACHABLE', `${this.settings.path} went away during ${what}; it is reopened when it returns`));
      const timer = setTimeout(() => {
        settle(
          opened
            ? new DriverError('PRINTER_TIMEOUT', `${what} made no progress for ${timeoutMs} ms: is flow control (${this.settings.flow}) holding the line (printer offline, paper out)?`)
            : new DriverError('PRINTER_UNREACHABLE', `${what} did not finish within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      port.on('error', onError);
      if (opened) port.on('close', onClose);
      start((error) => settle(error ? this.unreachable(what, error) : null));
    });
  }

  private unreachable(what: string, error: Error): DriverError {
    const hint = /permission denied/i.test(error.message)
      ? ': add the printgate user to the dialout group'
      : /lock/i.test(error.message)
        ? ': another program holds the port open'
        : '';
    return new DriverError('PRINTER_UNREACHABLE', `${what}: ${error.message}${hint}`, { cause: error });
  }

  private discard(port: SerialPortLike): void {
    if (this.held === port) this.held = null;
    if (port.isOpen) port.close(() => undefined);
  }

  private release(port: SerialPortLike): Promise<void> {
    return new Promise((resolve) => {
      if (!port.isOpen) {
        resolve();
        return;
      }
      const timer = setTimeout(resolve, this.context.connectTimeoutMs);
      port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export const serialTransportFactory: TransportFactory = {
  schemes: ['serial'],
  create: (uri, context) => new SerialTransport(uri, context),
  list: (context) => listSerialDevices(context),
};

/** serialport is loaded on first use (~16 MB and a quarter second of start-up otherwise). */
let serialPort: typeof import('serialport').SerialPort | null = null;
function serialPortClass(): typeof import('serialport').SerialPort {
  return (serialPort ??= (createRequire(import.meta.url)('serialport') as typeof import('serialport')).SerialPort);
}
