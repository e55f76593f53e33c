import http, { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import { answerClientError } from './client-error.js';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TlsMaterial } from '../tls/tls-certificate.js';

export type HttpMode = Config['server']['tls']['httpMode'];

export interface Servers {
  /** The plain HTTP listener (always there: printers without TLS, redirects). */
  http: Server;
  /** The HTTPS listener, when server.tls.enabled. */
  https: https.Server | null;
  /** http://host:port as bound. */
  url: string;
  /** https://host:port as bound, or null. */
  httpsUrl: string | null;
  /** Puts a renewed certificate in place without a restart. */
  setCertificate(material: Pick<TlsMaterial, 'cert' | 'key'>): void;
  close(): Promise<void>;
}

/** Time a client has to send its headers; a slow one is answered 400 and closed (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Time for a whole request, documents included. */
export const REQUEST_TIMEOUT_MS = 120_000;

/** Binds a listener; rejects with the listen error itself (EADDRINUSE, EACCES) for start-up to explain. */
function listen(server: Server, port: number, host: string): Promise<string> {
  server.on('clientError', answerClientError);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    });
  });
}

/** 308 to the same path on HTTPS (method and body kept); the host is the one the client asked for. */
function redirectTo(httpsPort: number): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host === '' || !/^[a-z0-9.\-[\]:]+$/i.test(host)) {
      res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'HTTP is limited to redirects here: use HTTPS (the Host header is missing or malformed)' } }));
      return;
    }
    const location = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
    req.resume();
    res.writeHead(308, { Location: location, 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
    res.end(JSON.stringify({ error: { code: 'USE_HTTPS', message: `this gateway serves its API over HTTPS: ${location}` } }));
  };
}

const isCloudPrnt = (url: string | undefined): boolean => /^\/cloudprnt(?:[/?]|$)/.test(url ?? '');

/** What plain HTTP serves in each httpMode (full when TLS is off). */
function httpListener(app: RequestListener, mode: HttpMode, tlsOn: boolean, httpsPort: number): RequestListener {
  if (!tlsOn || mode === 'full') return app;
  const redirect = redirectTo(httpsPort);
  if (mode === 'redirect') return redirect;
  // cloudprnt-only: printers that cannot do TLS poll over HTTP; everything else (API keys) goes to HTTPS.
  return (req, res) => (isCloudPrnt(req.url) ? app(req, res) : redirect(req, res));
}

/**
 * The gateway's listeners for `server` of the config: plain HTTP on server.port and, with
 * server.tls.enabled, HTTPS on server.tls.port with `tls` (loadOrCreateCertificate). httpMode
 * decides what HTTP still serves: everything (full), only redirects to HTTPS (redirect), or the
 * CloudPRNT routes and redirects for the rest (cloudprnt-only).
 */
export async function createServers(app: RequestListener, config: Pick<Readonly<Config>, 'server'>, tls: Pick<TlsMaterial, 'cert' | 'key'> | null, log: Logger): Promise<Servers> {
  const { host, port } = config.server;
  const options = config.server.tls;
  const tlsOn = options.enabled && tls !== null;
  if (options.enabled && tls === null) throw new Error('server.tls.enabled needs a certificate (loadOrCreateCertificate)');
  let secure: https.Server | null = null;
  let httpsUrl: string | null = null;
  if (tlsOn) {
    secure = https.createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, app);
    httpsUrl = `https://${await listen(secure as unknown as Server, options.port, host)}`;
  }
  const httpsPort = secure ? (secure.address() as AddressInfo).port : options.port;
  const plain = http.createServer(httpListener(app, options.httpMode, tlsOn, httpsPort));
  let url: string;
  try {
    url = `http://${await listen(plain, port, host)}`;
  } catch (error) {
    secure?.close();
    throw error;
  }
  if (tlsOn) log.info({ url, httpsUrl, httpMode: options.httpMode }, 'HTTPS listening');
  const closeOne = (server: Server | https.Server | null): Promise<void> =>
    new Promise((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });
  return {
    http: plain,
    https: secure,
    url,
    httpsUrl,
    setCertificate: (material) => secure?.setSecureContext({ cert: material.cert, key: material.key }),
    close: async () => {
      await Promise.all([closeOne(plain), closeOne(secure)]);
    },
  };
}
