import net from 'node:net';
import {
  bounded,
  describeSystemError,
  DriverError,
  systemErrorMeaning,
  type DeliveryReport,
  type Transport,
  type TransportContext,
  type TransportFactory,
  type TransportSession,
} from '../../src/driver-api/index.js';
import { SocketSession } from './socket-session.js';

/**
 * Raw TCP (AppSocket/JetDirect, port 9100). A session is one connection that carries any number
 * of jobs: the engine writes them back to back and either asks the printer its status after each
 * (printers that answer) or half-closes and takes the printer's close as the confirmation that it
 * took everything. `send` is a session of one job.
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

  /** Connects (bounded by connectTimeoutMs); rejects PRINTER_UNREACHABLE with what to check. */
  private connect(signal: AbortSignal): Promise<net.Socket> {
    return bounded<net.Socket>(
      {
        signal,
        what: `connect to ${this.target}`,
        timeoutMs: this.context.connectTimeoutMs,
        onTimeout: () => new DriverError('PRINTER_UNREACHABLE', `${this.target} did not accept a connection within ${this.context.connectTimeoutMs} ms`),
      },
      (settle) => {
        const socket = net.connect({ host: this.host, port: this.port, allowHalfOpen: true });
        let handedOver = false;
        const onError = (error: NodeJS.ErrnoException): void => {
          const detail = systemErrorMeaning(error.code)?.unreachable ? describeSystemError(error, this.target) : `${this.target} dropped the connection (${error.code ?? error.message})`;
          settle.reject(new DriverError('PRINTER_UNREACHABLE', detail, { cause: error }));
        };
        socket.once('error', onError);
        socket.once('connect', () => {
          handedOver = true;
          settle.resolve(socket);
        });
        // onError stays: once settled it does nothing, and the socket always has an error listener.
        return () => {
          // Timed out, aborted or refused: the half-made connection goes.
          if (!handedOver) socket.destroy();
        };
      },
    );
  }

  async openSession(signal: AbortSignal): Promise<TransportSession> {
    return new SocketSession(await this.connect(signal), this.target, this.context);
  }

  async send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    const session = await this.openSession(signal);
    try {
      await session.write(data, signal);
      const finished = await session.finish(signal, this.context.confirmTimeoutMs);
      return {
        confirmed: finished.confirmed,
        note: finished.confirmed ? 'printer closed the connection' : finished.note,
        bytesWritten: finished.bytesWritten,
      };
    } catch (error) {
      session.abandon();
      throw error;
    }
  }

  async probe(signal: AbortSignal): Promise<void> {
    (await this.connect(signal)).destroy();
  }

  /**
   * Status on its own connection: write the request, read until the reply is whole or the time is
   * up. A printer that answered is left with a normal close; one that stayed silent (a plain sink,
   * a spooler) is reset, so it never takes the request for a job of its own.
   */
  async query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    const session = new SocketSession(await this.connect(signal), this.target, this.context);
    try {
      const reply = await session.query(request, isComplete, signal, timeoutMs);
      if (isComplete(reply)) await session.finish(signal, 0).catch(() => undefined);
      else session.abandon();
      return reply;
    } catch (error) {
      session.abandon();
      throw error;
    }
  }

  async close(): Promise<void> {
    // Sessions belong to their callers; nothing else is held open.
  }
}

export const socketTransportFactory: TransportFactory = {
  schemes: ['socket'],
  create: (uri, context) => new SocketTransport(uri, context),
};
