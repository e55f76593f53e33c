import net from 'node:net';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { EVERYONE, type JobsService } from '../jobs/jobs-service.js';
import type { DevicesService } from '../printers/devices-service.js';
import { slugify, type Printer } from '../printers/printer-registry.js';
import { DleEotScanner, dleEotReply, onlyStatusRequests } from './escpos-status-reply.js';

/** Who may connect (ipp.allow); the IPP server's ClientAccess answers it. */
export interface AddressGuard {
  allowsAddress(address: string | undefined): boolean;
}

export interface RawPortsDeps {
  config: Readonly<Pick<Config, 'printers' | 'server' | 'ipp' | 'limits'>>;
  jobs: Pick<JobsService, 'submit'>;
  devices: Pick<DevicesService, 'list' | 'status'>;
  access: AddressGuard;
  log: Logger;
}

/** One client connection's bytes for the job being collected. */
class RawSession {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private readonly scanner = new DleEotScanner();
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly printer: Printer,
    private readonly socket: net.Socket,
    private readonly ports: RawPorts,
  ) {}

  data(chunk: Buffer): void {
    if (this.printer.language === 'escpos') {
      // A POS asking the printer's state gets it at once, from the live status (see README "raw ports").
      for (const n of this.scanner.scan(chunk)) {
        const reply = dleEotReply(n, this.ports.statusOf(this.printer));
        if (reply !== null && this.socket.writable) this.socket.write(Buffer.of(reply));
      }
    }
    this.bytes += chunk.length;
    if (this.bytes > this.ports.maxBytes) {
      this.ports.log.warn({ printerId: this.printer.id, bytes: this.bytes, max: this.ports.maxBytes }, 'raw port job too large: connection closed');
      this.chunks = [];
      this.socket.destroy();
      return;
    }
    this.chunks.push(chunk);
    this.armIdle();
  }

  private armIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.flush('idle'), this.ports.idleMs);
    this.idle.unref();
  }

  /** The bytes so far become a job (unless they only asked for status); the next ones start another. */
  async flush(why: 'closed' | 'idle'): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const body = Buffer.concat(this.chunks);
    this.chunks = [];
    this.bytes = 0;
    if (body.length === 0 || onlyStatusRequests(body)) return;
    try {
      await this.ports.submit(this.printer, body, why);
    } catch (error) {
      this.ports.log.error({ printerId: this.printer.id, bytes: body.length, err: error }, 'raw port job refused');
      this.socket.destroy();
    }
  }
}

/**
 * Raw ports (AppSocket/JetDirect, like a printer's 9100): bytes written to a printer's
 * printers[].rawPort become one raw job (application/octet-stream, source raw) when the client
 * closes or pauses for ipp.rawIdleSeconds, through JobsService.submit: queued durably and sent to
 * the printer exactly as they came. Only clients in ipp.allow may connect. On ESC/POS printers a
 * DLE EOT request is answered at once from the printer's live status.
 */
export class RawPorts {
  private readonly servers = new Map<string, net.Server>();
  private readonly sessions = new Map<net.Socket, RawSession>();

  constructor(private readonly deps: RawPortsDeps) {}

  get log(): Logger {
    return this.deps.log;
  }

  get idleMs(): number {
    return this.deps.config.ipp.rawIdleSeconds * 1000;
  }

  get maxBytes(): number {
    return this.deps.config.limits.maxDocumentBytes;
  }

  statusOf(printer: Printer) {
    return this.deps.devices.status(printer.id);
  }

  /** `ended` (the connection closed, or paused past ipp.rawIdleSeconds) goes into the job's "job accepted" line. */
  submit(printer: Printer, body: Buffer, ended: 'closed' | 'idle') {
    return this.deps.jobs.submit({
      printer,
      contentType: 'application/octet-stream',
      declaredBytes: body.length,
      body: Readable.from([body]),
      options: { header: () => undefined, query: () => undefined },
      keyId: null,
      source: 'raw',
      logAccepted: (fields) => this.deps.log.info(Object.assign(fields, { ended }), 'job accepted'),
    });
  }

  /** The port each printer with a raw port listens on. */
  ports(): Map<string, number> {
    return new Map([...this.servers].map(([id, server]) => [id, (server.address() as net.AddressInfo).port]));
  }

  async start(): Promise<void> {
    const printers = new Map(this.deps.devices.list(EVERYONE).map((printer) => [printer.id, printer]));
    for (const configured of this.deps.config.printers) {
      if (configured.rawPort === undefined) continue;
      const printer = printers.get(slugify(configured.name));
      if (!printer) continue;
      const server = net.createServer({ allowHalfOpen: true }, (socket) => this.connection(printer, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          reject(new Error(`printers[${configured.name}].rawPort ${configured.rawPort}: ${error.code === 'EADDRINUSE' ? 'in use by another program' : error.message}`)),
        );
        server.listen(configured.rawPort, this.deps.config.server.host, () => resolve());
      });
      this.servers.set(printer.id, server);
      this.deps.log.info({ printerId: printer.id, port: configured.rawPort }, 'raw port listening');
    }
  }

  private connection(printer: Printer, socket: net.Socket): void {
    if (!this.deps.access.allowsAddress(socket.remoteAddress)) {
      this.deps.log.warn({ printerId: printer.id, client: socket.remoteAddress }, 'raw port client refused: not in ipp.allow');
      socket.destroy();
      return;
    }
    const session = new RawSession(printer, socket, this);
    this.sessions.set(socket, session);
    socket.on('data', (chunk: Buffer) => session.data(chunk));
    socket.on('error', () => undefined);
    // The client closed its side: what it sent is the job; then our side closes too.
    socket.once('end', () => void session.flush('closed').finally(() => socket.end()));
    socket.once('close', () => this.sessions.delete(socket));
  }

  /** Stops listening; what connected clients sent so far is accepted as their jobs first. */
  async stop(): Promise<void> {
    const closing = [...this.servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    this.servers.clear();
    await Promise.all([...this.sessions.values()].map((session) => session.flush('closed')));
    for (const socket of this.sessions.keys()) socket.destroy();
    await Promise.all(closing);
  }
}
