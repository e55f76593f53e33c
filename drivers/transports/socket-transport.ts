import net from 'node:net';
import { DriverError, type DeliveryReport, type Transport, type TransportContext, type TransportFactory } from '../../src/driver-api/index.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

function describe(error: NodeJS.ErrnoException, target: string): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${target} (connection refused): is the printer on, and is its raw port enabled?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return `no route to ${target}: check the printer's IP address and network cable`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the printer's host name in ${target}`;
    default:
      return `${target}: ${error.code ?? ''} ${error.message}`.trim();
  }
}

/**
 * Raw TCP (AppSocket/JetDirect, port 9100). A job is one connection: connect (bounded), write
 * with back-pressure, half-close, then wait for the printer to close its side, which is the
 * confirmation that it took the whole job. Bytes the printer sends back are read and kept for
 * status parsing by the language.
 */
export class SocketTransport implements Transport {
  readonly uri: string;
  private readonly host: string;
  private readonly port: number;

  constructor(uri: URL, private readonly context: TransportContext) {
    this.uri = uri.href;
    this.host = uri.hostname.replace(/^\[|\]$/g, '');
    this.port = uri.port === '' ? 9100 : Number(uri.port);
    if (this.host === '') throw new DriverError('UNSUPPORTED_URI', `socket URI ${uri.href} has no host`);
  }

  private get target(): string {
    return `${this.host}:${this.port}`;
  }

  send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    return this.connectAnd(signal, (socket, settle) => {
      let finished = false;
      let confirmTimer: NodeJS.Timeout | undefined;
      socket.on('data', () => undefined); // back-channel (status bytes); read so the printer never blocks on it
      socket.on('close', () => {
        clearTimeout(confirmTimer);
        if (finished) settle.resolve({ confirmed: true, note: 'printer closed the connection', bytesWritten: socket.bytesWritten });
        else settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.target} closed the connection before the whole job was sent`));
      });
      socket.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength), () => {
        finished = true;
        confirmTimer = setTimeout(() => {
          const bytesWritten = socket.bytesWritten;
          socket.destroy();
          settle.resolve({
            confirmed: false,
            note: `all bytes sent but ${this.target} did not close the connection within ${this.context.confirmTimeoutMs} ms`,
            bytesWritten,
          });
        }, this.context.confirmTimeoutMs);
      });
    });
  }

  probe(signal: AbortSignal): Promise<void> {
    return this.connectAnd(signal, (socket, settle) => {
      socket.destroy();
      settle.resolve(undefined);
    });
  }

  /**
   * Status on its own connection: write the request, read until the reply is whole or the time is
   * up. A printer that answered is left with a normal close; one that stayed silent (a plain sink,
   * a spooler) is reset, so it never takes the request for a job of its own.
   */
  query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    // Registered before connectAnd's own abort handler, so an abandoned query is reset, not closed.
    let connected: net.Socket | null = null;
    let timer: NodeJS.Timeout | undefined;
    const reset = (): void => void connected?.resetAndDestroy();
    signal.addEventListener('abort', reset, { once: true });
    return this.connectAnd<Uint8Array>(signal, (socket, settle) => {
      connected = socket;
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (answered: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const reply = Buffer.concat(chunks);
        if (answered) socket.end();
        else socket.resetAndDestroy();
        settle.resolve(reply);
      };
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (isComplete(Buffer.concat(chunks))) finish(true);
      });
      socket.on('end', () => finish(false));
      timer = setTimeout(() => finish(false), timeoutMs);
      socket.write(Buffer.from(request.buffer, request.byteOffset, request.byteLength));
    }).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', reset);
    });
  }

  async close(): Promise<void> {
    // One connection per job: nothing is held open.
  }

  private connectAnd<T>(
    signal: AbortSignal,
    onConnect: (socket: net.Socket, settle: { resolve: (value: T) => void; reject: (error: unknown) => void }) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(new DriverError('PRINTER_TIMEOUT', 'aborted before connecting'));
        return;
      }
      let settled = false;
      const socket = net.connect({ host: this.host, port: this.port });
      const settle = {
        resolve: (value: T) => {
          if (settled) return;
          settled = true;
          cleanup();
          resolve(value);
        },
        reject: (error: unknown) => {
          if (settled) return;
          settled = true;
          cleanup();
          socket.destroy();
          reject(error);
        },
      };
      const connectTimer = setTimeout(() => {
        settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.target} did not accept a connection within ${this.context.connectTimeoutMs} ms`));
      }, this.context.connectTimeoutMs);
      const onAbort = (): void => settle.reject(new DriverError('PRINTER_TIMEOUT', `send to ${this.target} aborted`));
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(connectTimer);
        signal.removeEventListener('abort', onAbort);
      };
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        onConnect(socket, settle);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // Refused, unroutable, or reset mid-job: either way the printer is not taking jobs now, and
        // the job waits (a reset job is sent again whole rather than lost half-printed).
        const detail = UNREACHABLE_CODES.has(error.code ?? '') ? describe(error, this.target) : `${this.target} dropped the connection (${error.code ?? error.message})`;
        settle.reject(new DriverError('PRINTER_UNREACHABLE', detail, { cause: error }));
      });
    });
  }
}

export const socketTransportFactory: TransportFactory = {
  schemes: ['socket'],
  create: (uri, context) => new SocketTransport(uri, context),
};
