import { access, constants, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeSystemError, DriverError, type DeliveryReport, type Transport, type TransportFactory } from '../../src/driver-api/index.js';

/** file:/path — appends each job to a file and fsyncs it. For demos and tests. */
export class FileTransport implements Transport {
  readonly uri: string;
  private readonly path: string;

  constructor(uri: URL) {
    this.uri = uri.href;
    this.path = decodeURIComponent(uri.pathname);
    if (this.path === '' || this.path === '/') throw new DriverError('UNSUPPORTED_URI', `file URI ${uri.href} names no file`);
  }

  async send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `append to ${this.path} aborted before it started`);
    let handle;
    try {
      handle = await open(this.path, 'a', 0o644);
      await handle.write(data);
      await handle.sync();
    } catch (error) {
      throw new DriverError('PRINTER_UNREACHABLE', `cannot append to ${describeSystemError(error as NodeJS.ErrnoException, this.path, 'file')}`, { cause: error });
    } finally {
      await handle?.close();
    }
    return { confirmed: true, note: 'appended and synced', bytesWritten: data.byteLength };
  }

  async probe(): Promise<void> {
    try {
      await access(dirname(this.path), constants.W_OK);
    } catch (error) {
      throw new DriverError('PRINTER_UNREACHABLE', `cannot write ${describeSystemError(error as NodeJS.ErrnoException, this.path, 'file')}`, { cause: error });
    }
  }

  async close(): Promise<void> {}
}

export const fileTransportFactory: TransportFactory = {
  schemes: ['file'],
  create: (uri) => new FileTransport(uri),
};
