import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobsService } from '../jobs/jobs-service.js';
import { EVERYONE } from '../jobs/jobs-service.js';
import type { DevicesService } from '../printers/devices-service.js';
import type { Printer } from '../printers/printer-registry.js';
import type { TlsMaterial } from '../tls/tls-certificate.js';
import type { ClientAccess } from './client-access.js';
import { GROUP, STATUS, type StatusName } from './ipp-constants.js';
import { DEFAULT_DECODE_LIMITS, IppRequestError } from './ipp-decoder.js';
import { encodeIpp } from './ipp-encoder.js';
import type { IppJobTable } from './ipp-job-table.js';
import { charset, findAttribute, language, text, type IppAttribute, type IppGroup, type IppMessage } from './ipp-message.js';
import { IppOperations } from './ipp-operations.js';
import type { PrinterAddress } from './ipp-printer-attributes.js';
import { printerFacts, type IppPrinterView } from './ipp-printer-view.js';
import { IppHeadTimeout, readIppRequest } from './ipp-request-reader.js';
import { ippStatusOf } from './ipp-status.js';
import { validateRequest } from './ipp-validation.js';
import { printerIcon } from './printer-icon.js';

export interface IppServerDeps {
  config: Readonly<Pick<Config, 'ipp' | 'server' | 'limits' | 'printers'>>;
  jobs: Pick<JobsService, 'submit' | 'get' | 'cancel' | 'languageOf' | 'queuedJobs'>;
  devices: Pick<DevicesService, 'list' | 'status' | 'displayName'>;
  access: ClientAccess;
  table: IppJobTable;
  /** The box's certificate: IPPS on the same port (the first byte tells TLS from HTTP). */
  tls: Pick<TlsMaterial, 'cert' | 'key'> | null;
  /** The gateway's HTTP port as bound: the status page for adminurl and printer-more-info. */
  statusPort: () => number;
  /** The DNS-SD instance name a printer is announced under. */
  dnsSdName: (printer: Printer) => string;
  log: Logger;
  now: () => Date;
  /** Tests shorten these; the defaults suit real clients. */
  timeouts?: { headMs?: number; idleMs?: number };
}

/** A request answered early has at most this much body read and dropped; a larger one closes the connection. */
const DRAIN_BYTES = 4 * 1024 * 1024;
const PATH = /^\/ipp\/print\/([A-Za-z0-9_-]{1,64})\/?$/;
const HOST = /^[A-Za-z0-9.\-[\]:]{1,300}$/;

/**
 * The IPP/2.0 server (RFC 8010/8011, PWG 5100.14 IPP Everywhere): one IPP printer per printgate
 * printer at /ipp/print/{AccessIdentifier}, IPP and IPPS on one port, guarded by ClientAccess.
 * Requests are read as they arrive (attributes bounded, the document streamed into the spool);
 * every failure is an IPP status or a clean close, never a crash.
 */
export class IppServer {
  private listener: net.Server | null = null;
  private readonly plain: http.Server;
  private readonly secure: https.Server | null;
  private readonly operations: IppOperations;
  private readonly startedAt: Date;
  private readonly stateChanges = new Map<string, { key: string; at: Date }>();
  private readonly sockets = new Set<net.Socket>();
  private boundPort = 0;

  constructor(private readonly deps: IppServerDeps) {
    this.startedAt = deps.now();
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.plain = http.createServer(handler);
    this.secure = deps.tls ? https.createServer({ cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' }, handler) : null;
    for (const server of [this.plain, this.secure]) {
      if (!server) continue;
      server.headersTimeout = 10_000;
      // Documents may take long on a slow link, but never a minute without a byte.
      server.requestTimeout = 0;
      server.timeout = deps.timeouts?.idleMs ?? 30_000;
      server.on('clientError', (_error, socket) => socket.destroy());
    }
    this.operations = new IppOperations({ jobs: deps.jobs, table: deps.table, log: deps.log, peekTimeoutMs: deps.timeouts?.headMs ?? 10_000 });
  }

  get port(): number {
    return this.boundPort;
  }

  /** The printers IPP shares: every printer, less those with printers[].ipp false. */
  shared(): Printer[] {
    const hidden = new Set(this.deps.config.printers.filter((printer) => printer.ipp === false).map((printer) => printer.name.toLowerCase()));
    return this.deps.devices.list(EVERYONE).filter((printer) => !hidden.has(printer.name.toLowerCase()));
  }

  async start(): Promise<void> {
    const { port } = this.deps.config.ipp;
    const { host, tls } = this.deps.config.server;
    if (tls.enabled && tls.port === port && port !== 0) {
      throw new Error(`ipp.port ${port} is server.tls.port too: give one of them another port (IPPS shares ipp.port)`);
    }
    const listener = net.createServer((socket) => this.route(socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EACCES') reject(new Error(`ipp.port ${port} needs CAP_NET_BIND_SERVICE (ports below 1024): run as the service, or choose 8632`));
        else if (error.code === 'EADDRINUSE') reject(new Error(`ipp.port ${port} is in use by another program (ss -ltnp 'sport = :${port}'): stop it or choose another ipp.port`));
        else reject(error);
      });
      listener.listen(port, host, () => resolve());
    });
    this.listener = listener;
    this.boundPort = (listener.address() as AddressInfo).port;
    this.deps.log.info({ port: this.boundPort, ipps: this.secure !== null, printers: this.shared().length }, 'ipp server listening');
  }

  /** Plain HTTP or TLS on the same port: a TLS ClientHello starts with 0x16. */
  private route(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.deps.timeouts?.headMs ?? 10_000, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      const server = first[0] === 0x16 && this.secure ? this.secure : this.plain;
      server.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  }

  /** Renews the IPPS certificate without a restart. */
  setCertificate(material: Pick<TlsMaterial, 'cert' | 'key'>): void {
    this.secure?.setSecureContext({ cert: material.cert, key: material.key });
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    if (!listener) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    this.plain.close();
    this.secure?.close();
  }

  private hostOf(req: IncomingMessage): string {
    const host = req.headers.host ?? '';
    if (HOST.test(host)) return host.includes(':') && !host.endsWith(']') ? host : `${host}:${this.boundPort}`;
    const local = req.socket.localAddress ?? '127.0.0.1';
    return `${local.includes(':') ? `[${local}]` : local}:${this.boundPort}`;
  }

  /** The URIs a printer is reached at, as this client addresses the box. */
  address(printer: Printer, hostPort: string): PrinterAddress {
    const path = `/ipp/print/${printer.appId}`;
    const authentication: 'basic' | 'none' = this.deps.access.requiresKey ? 'basic' : 'none';
    const hostname = hostPort.replace(/:\d+$/, '');
    return {
      uris: [
        { uri: `ipp://${hostPort}${path}`, security: 'none', authentication },
        ...(this.secure ? [{ uri: `ipps://${hostPort}${path}`, security: 'tls' as const, authentication }] : []),
      ],
      statusPage: `http://${hostname}:${this.deps.statusPort()}/`,
      icon: `http://${hostPort}/ipp/icon.png`,
      dnsSdName: this.deps.dnsSdName(printer),
    };
  }

  view(printer: Printer): IppPrinterView {
    const language = this.deps.jobs.languageOf(printer);
    return {
      printer,
      status: this.deps.devices.status(printer.id),
      displayName: this.deps.devices.displayName(printer),
      acceptedTypes: language.acceptedTypes,
      vendorType: language.documentFormat,
      queuedJobs: this.deps.jobs.queuedJobs(printer.id),
    };
  }

  private stateChangedAt(view: IppPrinterView): Date {
    const key = `${view.status.state}|${view.status.reasons.join(',')}`;
    const known = this.stateChanges.get(view.printer.id);
    if (known?.key === key) return known.at;
    const at = known ? this.deps.now() : this.startedAt;
    this.stateChanges.set(view.printer.id, { key, at });
    return at;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'GET' || req.method === 'HEAD') return this.page(req, res);
      const printer = this.shared().find((candidate) => candidate.appId === PATH.exec((req.url ?? '').split('?')[0] ?? '')?.[1]);
      if (req.method !== 'POST' || !/^application\/ipp\b/i.test(req.headers['content-type'] ?? '')) {
        return this.plainAnswer(req, res, req.method === 'POST' ? 415 : 405, 'IPP requests are POST with Content-Type application/ipp');
      }
      if (!this.deps.access.allowsAddress(req.socket.remoteAddress)) {
        // No byte of a refused client's request is read beyond its attributes.
        return this.answer(req, res, await this.headOrNull(req), 'client-error-forbidden', [], `client ${req.socket.remoteAddress} is not in ipp.allow`, 200, false, false);
      }
      const request = await readIppRequest(req, DEFAULT_DECODE_LIMITS, this.deps.timeouts?.headMs ?? 10_000);
      const { message } = request;
      try {
        validateRequest(message);
        if (!printer) throw new IppRequestError('client-error-not-found', `no IPP printer at ${req.url?.slice(0, 100)}`);
        const decision = this.deps.access.decide({ address: req.socket.remoteAddress, authorization: req.headers.authorization, groupPath: printer.groupPath });
        if (!decision.ok) {
          if (decision.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Basic realm="printgate", charset="UTF-8"');
          return this.answer(req, res, message, decision.status, [], decision.message, decision.httpStatus);
        }
        const view = this.view(printer);
        const facts = printerFacts(view, this.deps.config.limits.render.maxPageHeightMM);
        const address = this.address(printer, this.hostOf(req));
        const secure = (req.socket as TLSSocket).encrypted === true;
        const printerUri = address.uris[secure && address.uris[1] ? 1 : 0]!.uri;
        const contentLength = Number(req.headers['content-length']);
        const now = this.deps.now();
        const outcome = await this.operations.run({
          message,
          document: request.document,
          declaredBytes: Number.isFinite(contentLength) ? Math.max(0, contentLength - request.headBytes) : undefined,
          view,
          facts,
          printerUri,
          address,
          clock: { now, startedAt: this.startedAt, upTime: Math.max(1, Math.round((now.getTime() - this.startedAt.getTime()) / 1000)), stateChangedAt: this.stateChangedAt(view) },
          keyId: decision.keyId,
          user: decision.user ?? userName(message),
        });
        return this.answer(req, res, message, outcome.status, outcome.groups, outcome.message, 200, request.document.readableEnded);
      } catch (error) {
        return this.failed(req, res, message, error);
      }
    } catch (error) {
      if (error instanceof IppHeadTimeout) {
        req.socket.destroy();
        return;
      }
      return this.failed(req, res, null, error);
    }
  }

  private failed(req: IncomingMessage, res: ServerResponse, message: IppMessage | null, error: unknown): void {
    if (error instanceof IppRequestError) return this.answer(req, res, message, error.status, error.unsupported.length > 0 ? [{ tag: GROUP.unsupported, attributes: error.unsupported }] : [], error.message);
    const status = ippStatusOf(error);
    if (status) return this.answer(req, res, message, status, [], (error as Error).message);
    this.deps.log.error({ err: error, url: req.url?.slice(0, 100) }, 'ipp request failed');
    return this.answer(req, res, message, 'server-error-internal-error', [], 'internal error (logged)');
  }

  /** The request's attributes when they can be read at once, to answer with its request-id; else null. */
  private async headOrNull(req: IncomingMessage): Promise<IppMessage | null> {
    try {
      return (await readIppRequest(req, DEFAULT_DECODE_LIMITS, this.deps.timeouts?.headMs ?? 10_000)).message;
    } catch {
      return null;
    }
  }

  /**
   * Writes an IPP response. A request answered before its body was read (a refused Send-Document,
   * a 401 asking for Basic) still has its document on the way: a body of at most DRAIN_BYTES is read
   * and dropped so the connection stays usable — closing it with unread bytes makes the kernel reset
   * it, and the client loses the answer it was sent (ipptool: "0 bytes in response"). A body declared
   * larger, one that goes past it while drained, or a client refused by ipp.allow, gets the answer
   * and a closed connection.
   */
  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    message: IppMessage | null,
    status: StatusName,
    groups: IppGroup[],
    statusMessage: string | undefined,
    httpStatus = 200,
    bodyRead = false,
    mayDrain = true,
  ): void {
    if (res.headersSent || res.destroyed) return;
    const operation: IppAttribute[] = [charset('attributes-charset', 'utf-8'), language('attributes-natural-language', 'en')];
    if (statusMessage) operation.push(text('status-message', statusMessage.slice(0, 255)));
    const version: [number, number] = message && (message.version[0] === 1 || message.version[0] === 2) ? message.version : [2, 0];
    const body = encodeIpp({ version, code: STATUS[status], requestId: message?.requestId ?? 0, groups: [{ tag: GROUP.operation, attributes: operation }, ...groups] });
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    // Chunked bodies (ipptool, CUPS) declare no length: drained too, cut off past DRAIN_BYTES.
    const drain = mayDrain && !bodyRead && !req.readableEnded && (declared === null || (Number.isFinite(declared) && declared <= DRAIN_BYTES));
    if (drain) {
      // The rest of the body goes nowhere (not into the document stream nobody reads any more).
      let dropped = 0;
      req.removeAllListeners('data');
      req.on('data', (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > DRAIN_BYTES) req.socket.destroy();
      });
      req.resume();
    }
    const close = !bodyRead && !req.readableEnded && !drain;
    res.writeHead(httpStatus, { 'Content-Type': 'application/ipp', 'Content-Length': body.length, ...(close ? { Connection: 'close' } : {}) });
    res.end(body, () => {
      if (close) req.socket.destroySoon?.();
    });
  }

  private plainAnswer(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(`${message}\n`, () => req.socket.destroySoon?.());
  }

  /** GET: the printer icon, else a redirect to the status page (where browsers land from adminurl). */
  private page(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    if ((req.url ?? '').split('?')[0] === '/ipp/icon.png') {
      const icon = printerIcon();
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': icon.length, 'Cache-Control': 'max-age=86400' });
      res.end(req.method === 'HEAD' ? undefined : icon);
      return;
    }
    const hostname = this.hostOf(req).replace(/:\d+$/, '');
    res.writeHead(302, { Location: `http://${hostname}:${this.deps.statusPort()}/`, 'Content-Length': 0 });
    res.end();
  }
}

function userName(message: IppMessage): string {
  const value = findAttribute(message.groups[0], 'requesting-user-name')?.values[0]?.value;
  return typeof value === 'string' ? value.slice(0, 255) : 'anonymous';
}

