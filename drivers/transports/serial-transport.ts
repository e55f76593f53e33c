import { access, constants } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import {
  bounded,
  describeSystemError,
  DriverError,
  systemErrorMeaning,
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

/** strerror's words, as serialport's binding puts them in its messages, back to their errno codes. */
const STRERROR: readonly (readonly [RegExp, string])[] = [
  [/permission denied/i, 'EACCES'],
  [/no such file or directory/i, 'ENOENT'],
  [/cannot lock|resource (temporarily unavailable|busy)|device or resource busy/i, 'EBUSY'],
  [/input\/output error/i, 'EIO'],
  [/no such device or address/i, 'ENXIO'],
  [/no such device/i, 'ENODEV'],
];

function errnoInWords(message: string): string | undefined {
  return STRERROR.find(([words]) => words.test(message))?.[1];
}

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
    let reply: Buffer;
    try {
      reply = await this.exchange(port, Buffer.from(request.buffer, request.byteOffset, request.byteLength), isComplete, signal, timeoutMs);
    } catch (error) {
      this.discard(port);
      throw error;
    }
    if (!this.settings.hold) await this.release(port);
    return reply;
  }

  /** The request written, and what came back until it is whole; at the timeout, what came so far (perhaps nothing). */
  private exchange(port: SerialPortLike, request: Buffer, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Buffer> {
    const what = `status query on ${this.settings.path}`;
    const chunks: Buffer[] = [];
    return bounded<Buffer>({ signal, what, timeoutMs, onTimeout: () => null }, (settle) => {
      const onData = (chunk: Buffer): void => {
        chunks.push(chunk);
        if (isComplete(Buffer.concat(chunks))) settle.resolve(Buffer.concat(chunks));
      };
      const onError = (error: Error): void => settle.reject(this.unreachable(what, error));
      const onClose = (): void => settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.settings.path} went away during a ${what}`));
      port.on('data', onData);
      port.on('error', onError);
      port.on('close', onClose);
      port.write(request, (error?: Error | null) => {
        if (error) settle.reject(this.unreachable(what, error));
      });
      return () => {
        port.off('data', onData);
        port.off('error', onError);
        port.off('close', onClose);
      };
    }).catch((error: unknown) => {
      if (error === null) return Buffer.concat(chunks);
      throw error;
    });
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
    try {
      await access(this.settings.path, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw new DriverError('PRINTER_UNREACHABLE', describeSystemError(error as NodeJS.ErrnoException, this.settings.path, 'serial'), { cause: error });
    }
  }

  private async writeAll(port: SerialPortLike, data: Buffer, signal: AbortSignal): Promise<void> {
    // Progress is a chunk on the line: one that does not leave within jobs.stallSeconds (plus the time
    // the baud rate needs for it) is a stalled printer — flow control holding the line.
    const stallMs = this.context.stallMs + 2 * this.transmitMs(CHUNK_BYTES);
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
      if (!port.write(data.subarray(offset, offset + CHUNK_BYTES))) {
        await this.guard(port, signal, stallMs, `write to ${this.settings.path}`, (done) => port.once('drain', () => done(null)), true);
      }
    }
    const drainMs = this.context.stallMs + 2 * this.transmitMs(Math.min(data.length, 4 * CHUNK_BYTES));
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
    const onTimeout = (): DriverError =>
      opened
        ? new DriverError('PRINTER_STALLED', `${what} made no progress for ${Math.round(timeoutMs / 100) / 10} s: is flow control (${this.settings.flow}) holding the line (printer offline, paper out)?`)
        : new DriverError('PRINTER_UNREACHABLE', `${what} did not finish within ${timeoutMs} ms`);
    return bounded<void>({ signal, what, timeoutMs, onTimeout }, (settle) => {
      const onError = (error: Error): void => settle.reject(this.unreachable(what, error));
      const onClose = (): void => settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.settings.path} went away during ${what}; it is reopened when it returns`));
      port.on('error', onError);
      if (opened) port.on('close', onClose);
      start((error) => (error ? settle.reject(this.unreachable(what, error)) : settle.resolve()));
      return () => {
        port.off('error', onError);
        port.off('close', onClose);
      };
    });
  }

  /** serialport's binding reports errors in strerror's words, usually without an errno code: the one table still says what to do. */
  private unreachable(what: string, error: Error): DriverError {
    const code = (error as NodeJS.ErrnoException).code ?? errnoInWords(error.message);
    const meaning = systemErrorMeaning(code, 'serial');
    return new DriverError('PRINTER_UNREACHABLE', meaning ? `${what}: ${meaning.advice} (${error.message})` : `${what}: ${error.message}`, { cause: error });
  }

  private discard(port: SerialPortLike): void {
    if (this.held === port) this.held = null;
    if (port.isOpen) port.close(() => undefined);
  }

  /** Closes the port, waiting at most connectTimeoutMs (a port that never says it closed is left to the OS). */
  private release(port: SerialPortLike): Promise<void> {
    if (!port.isOpen) return Promise.resolve();
    const what = `close ${this.settings.path}`;
    return bounded<void>({ signal: new AbortController().signal, what, timeoutMs: this.context.connectTimeoutMs }, (settle) => {
      port.close(() => settle.resolve());
    }).catch(() => undefined);
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
