import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { answerClientError } from './client-error.js';

/** Time a client has to send its headers; a slow one is answered 400 and closed. */
const HEADERS_TIMEOUT_MS = 30_000;
/** Time for a whole request, documents included. */
const REQUEST_TIMEOUT_MS = 300_000;

export interface Listening {
  server: Server;
  /** http://host:port as bound (port 0 becomes the real port). */
  url: string;
  /** Stops accepting, closes idle connections, and after `graceMs` every one left (event streams). */
  close(graceMs: number): Promise<void>;
}

/** Binds the app; rejects with the listen error itself (EADDRINUSE, EACCES) for the start-up to explain. */
export function listen(app: Express, host: string, port: number): Promise<Listening> {
  return new Promise<Listening>((resolve, reject) => {
    const server = app.listen(port, host);
    const onError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.removeListener('error', onError);
      server.on('clientError', answerClientError);
      server.headersTimeout = HEADERS_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        server,
        url: `http://${shown}:${address.port}`,
        close: (graceMs) =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), graceMs).unref();
          }),
      });
    });
  });
}
