import http, { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TlsMaterial } from '../tls/tls-certificate.js';
import { answerClientError } from './client-error.js';
import { capConnections } from './connection-caps.js';
import { answerError, edgeListener } from './edge-listener.js';
import { HostCheck } from './host-check.js';
import { OriginPolicy } from './origin-policy.js';
import { hangUpOnUnreadBody } from './unread-body.js';

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

/** How often node looks for connections past their headers or request timeout (its default, 30 s, lets slowloris sockets live that long). */
const CONNECTIONS_CHECK_MS = 1000;

type ServerConfig = Readonly<Config>['server'];

/** Node's options for slow clients, from server.timeouts: headers, whole request; no Host is answered by the edge, in JSON. */
function serverOptions(server: ServerConfig): http.ServerOptions {
  return {
    headersTimeout: server.timeouts.headersSeconds * 1000,
    requestTimeout: server.timeouts.requestSeconds * 1000,
    connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    requireHostHeader: false,
  };
}

/**
 * `Expect: 100-continue`: the 100 is sent only when a route starts reading the body, so a request
 * refused first (no key, too large, unknown route) is answered without ever asking for its body.
 */
function continueOnRead(req: IncomingMessage, res: ServerResponse): void {
  const read = req._read;
  req._read = function (this: IncomingMessage, size: number) {
    req._read = read;
    if (!res.headersSent && !res.writableEnded) res.writeContinue();
    return read.call(this, size);
  };
}

/** The edge every listener shares: connection caps, timeouts, Expect, client errors, the Host and Origin checks. */
function guard(server: Server, listener: RequestListener, config: ServerConfig, plain: boolean, log: Logger): void {
  capConnections(server, { perClient: config.maxConnectionsPerClient, total: config.maxConnections, plain, log });
  server.setTimeout(config.timeouts.idleSeconds * 1000);
  server.on('request', listener);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    continueOnRead(req, res);
    listener(req, res);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    hangUpOnUnreadBody(req, res);
    answerError(res, 'EXPECTATION_FAILED', `Expect: ${String(req.headers.expect).slice(0, 60)} is not supported; only 100-continue is.`, { Connection: 'close' });
  });
}

/** Binds a listener; rejects with the listen error itself (EADDRINUSE, EACCES) for start-up to explain. */
function listen(server: Server, port: number, host: string): Promise<string> {
  server.on('clientError', answerClientError);
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
export async function createServers(
  app: RequestListener,
  config: Pick<Readonly<Config>, 'server'>,
  tls: Pick<TlsMaterial, 'cert' | 'key'> | null,
  log: Logger,
  /** The box's names and addresses for the Host check (tests); default: host name, .local, localhost, interface addresses. */
  boxNames?: () => string[],
): Promise<Servers> {
  const { host, port } = config.server;
  const options = config.server.tls;
  const tlsOn = options.enabled && tls !== null;
  if (options.enabled && tls === null) throw new Error('server.tls.enabled needs a certificate (loadOrCreateCertificate)');
  const edge = {
    hosts: new HostCheck({ allowedHosts: config.server.allowedHosts, extraNames: options.hostnames, ...(boxNames ? { boxNames } : {}) }),
    origins: new OriginPolicy(config.server.cors.origins),
    log,
  };
  let secure: https.Server | null = null;
  let httpsUrl: string | null = null;
  if (tlsOn) {
    secure = https.createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...serverOptions(config.server) });
    guard(secure as unknown as Server, edgeListener(app, edge), config.server, false, log);
    httpsUrl = `https://${await listen(secure as unknown as Server, options.port, host)}`;
  }
  const httpsPort = secure ? (secure.address() as AddressInfo).port : options.port;
  const plain = http.createServer(serverOptions(config.server));
  guard(plain, edgeListener(httpListener(app, options.httpMode, tlsOn, httpsPort), edge), config.server, true, log);
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
