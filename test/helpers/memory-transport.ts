import {
  bounded,
  DriverError,
  type DeliveryReport,
  type Transport,
  type TransportSession,
} from '../../src/driver-api/index.js';

/**
 * A printer in memory for unit tests of the job engine (node-serialport's MockBinding in spirit):
 * it implements the whole Transport — sessions, one-job sends, status queries, probes — and does
 * what a test scripts, at once or within a few milliseconds: refuse connections, drop a connection
 * once it took N bytes, stall, hold writes until the test lets them go, answer status queries with
 * given bytes or stay silent, close after a half-close or never. It records what each connection
 * received, in order.
 */

/** What the printer does; change a field at any time (a person switching the printer on, paper loaded). */
export interface MemoryScript {
  /** Every connection (session, send, query, probe) is refused: PRINTER_UNREACHABLE. */
  refuse: boolean;
  /** Writes take no byte: PRINTER_STALLED after stallMs, and the connection is gone. */
  stall: boolean;
  /** Writes wait (the job stays on the wire) until resumeWrites(), or their signal aborts. */
  holdWrites: boolean;
  /**
   * The answer to the n-th status query (0-based, counted over the whole transport); null: silence
   * until the query's timeout. A Uint8Array answers every query alike.
   */
  status: Uint8Array | null | ((n: number) => Uint8Array | null);
  /** Closes its side after the half-close (confirms the jobs); false: not on its own (closeFinished() makes it). */
  closeOnFinish: boolean;
}

/** One exchange on a connection, in order: document bytes written, or a status request. */
export type MemoryExchange = { kind: 'write'; bytes: Buffer } | { kind: 'query'; bytes: Buffer };

/** What one connection saw. */
export interface MemoryConnection {
  /** 1, 2, … in the order connections were made. */
  id: number;
  /** session: openSession; send: transport.send; query: a status query on a connection of its own. */
  kind: 'session' | 'send' | 'query';
  exchanges: MemoryExchange[];
  /** open; finished (half-closed by the engine); abandoned (reset by the engine); dropped (by the printer: reset, stall). */
  state: 'open' | 'finished' | 'abandoned' | 'dropped';
}

export interface MemoryTransportOptions {
  uri?: string;
  /** false: no openSession (every job is its own exchange, as IPP and files). */
  sessions?: boolean;
  /** false: no status back-channel (no query method). */
  query?: boolean;
  /** A stalled write fails after this long. */
  stallMs?: number;
  /** transport.send waits this long for the close of a printer that never closes. */
  confirmTimeoutMs?: number;
  script?: Partial<MemoryScript>;
}

export class MemoryTransport implements Transport {
  readonly uri: string;
  readonly script: MemoryScript;
  readonly connections: MemoryConnection[] = [];
  probes = 0;
  /** Connections (of any kind, probes too) refused so far. */
  refusals = 0;
  /** Status queries answered so far (own connections and sessions). */
  statusQueries = 0;
  closed = false;
  openSession?: (signal: AbortSignal) => Promise<TransportSession>;
  query?: (request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number) => Promise<Uint8Array>;
  private readonly stallMs: number;
  private readonly confirmTimeoutMs: number;
  private readonly held = new Set<() => void>();
  private readonly closing = new Set<() => void>();
  private dropAt: { bytes: number; times: number } | null = null;
  private failing: { error: DriverError; times: number } | null = null;

  constructor(options: MemoryTransportOptions = {}) {
    this.uri = options.uri ?? 'memory://printer';
    this.stallMs = options.stallMs ?? 5;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 5;
    this.script = { refuse: false, stall: false, holdWrites: false, status: null, closeOnFinish: true, ...options.script };
    if (options.sessions !== false) this.openSession = (signal) => this.open('session', signal).then((connection) => this.session(connection));
    if (options.query !== false) this.query = (request, _isComplete, signal, timeoutMs) => this.queryOwn(request, signal, timeoutMs);
  }

  /** The next `times` connections drop (a reset) on the write that takes them past `bytes` bytes. */
  dropAfterBytes(bytes: number, times = 1): void {
    this.dropAt = { bytes, times };
  }

  /** The next `times` writes fail with `error` and take nothing (the printer refused the job; the connection stays up). */
  failWrites(error: DriverError, times = 1): void {
    this.failing = { error, times };
  }

  /** Lets every held write go (and later ones, until holdWrites is set again). */
  resumeWrites(): void {
    this.script.holdWrites = false;
    for (const go of [...this.held]) go();
  }

  /** A printer that does not close on its own closes now: every finish waiting for it is confirmed. */
  closeFinished(): void {
    for (const close of [...this.closing]) close();
  }

  /** Finishes waiting for the printer to close its side. */
  get waitingForClose(): number {
    return this.closing.size;
  }

  /** Writes waiting because of holdWrites. */
  get heldWrites(): number {
    return this.held.size;
  }

  /** Document bytes each connection received, in order (connections with none left out). */
  documents(): Buffer[] {
    return this.connections.map((connection) => written(connection)).filter((bytes) => bytes.length > 0);
  }

  /** Every document byte received, connections in order. */
  received(): Buffer {
    return Buffer.concat(this.documents());
  }

  async send(data: Uint8Array, signal: AbortSignal): Promise<DeliveryReport> {
    const connection = await this.open('send', signal);
    await this.write(connection, data, signal);
    const finished = await this.finish(connection, signal, this.confirmTimeoutMs);
    return { confirmed: finished.confirmed, note: finished.note, bytesWritten: data.byteLength };
  }

  async probe(signal: AbortSignal): Promise<void> {
    this.probes += 1;
    this.check(signal, 'probe');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(signal: AbortSignal, what: string): void {
    if (signal.aborted) throw new DriverError('PRINTER_TIMEOUT', `${what} of ${this.uri} aborted before it began`);
    if (this.script.refuse) {
      this.refusals += 1;
      throw new DriverError('PRINTER_UNREACHABLE', `${this.uri}: connection refused: is the printer on?`);
    }
  }

  private async open(kind: MemoryConnection['kind'], signal: AbortSignal): Promise<MemoryConnection> {
    this.check(signal, 'connect');
    const connection: MemoryConnection = { id: this.connections.length + 1, kind, exchanges: [], state: 'open' };
    this.connections.push(connection);
    return connection;
  }

  private session(connection: MemoryConnection): TransportSession {
    return {
      get alive() {
        return connection.state === 'open';
      },
      write: (data, signal) => this.write(connection, data, signal),
      query: (request, _isComplete, signal, timeoutMs) => this.ask(connection, request, signal, timeoutMs),
      finish: (signal, waitMs) => this.finish(connection, signal, waitMs),
      abandon: () => {
        if (connection.state === 'open') connection.state = 'abandoned';
      },
    };
  }

  private gone(connection: MemoryConnection): DriverError {
    return new DriverError('PRINTER_UNREACHABLE', `${this.uri}: the connection dropped (${connection.state})`);
  }

  private write(connection: MemoryConnection, data: Uint8Array, signal: AbortSignal): Promise<void> {
    return bounded<void>({ signal, what: `send to ${this.uri}` }, (settle) => {
      if (connection.state !== 'open') {
        settle.reject(this.gone(connection));
        return;
      }
      if (this.script.stall) {
        const timer = setTimeout(() => {
          connection.state = 'dropped';
          settle.reject(new DriverError('PRINTER_STALLED', `${this.uri} accepted the connection but took no data for ${this.stallMs} ms`));
        }, this.stallMs);
        return () => clearTimeout(timer);
      }
      const take = (): void => {
        if (connection.state !== 'open') {
          settle.reject(this.gone(connection));
          return;
        }
        if (this.failing && this.failing.times > 0) {
          this.failing.times -= 1;
          settle.reject(this.failing.error);
          return;
        }
        const bytes = Buffer.from(data);
        const before = written(connection).length;
        if (this.dropAt && this.dropAt.times > 0 && before + bytes.length > this.dropAt.bytes) {
          this.dropAt.times -= 1;
          connection.exchanges.push({ kind: 'write', bytes: bytes.subarray(0, Math.max(0, this.dropAt.bytes - before)) });
          connection.state = 'dropped';
          settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.uri}: the printer reset the connection (the connection dropped)`));
          return;
        }
        connection.exchanges.push({ kind: 'write', bytes });
        settle.resolve();
      };
      if (!this.script.holdWrites) {
        take();
        return;
      }
      this.held.add(take);
      return () => this.held.delete(take);
    });
  }

  private answer(): Uint8Array | null {
    const n = this.statusQueries;
    this.statusQueries += 1;
    const { status } = this.script;
    return typeof status === 'function' ? status(n) : status;
  }

  private ask(connection: MemoryConnection, request: Uint8Array, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    return bounded<Uint8Array>({ signal, what: `status query to ${this.uri}` }, (settle) => {
      if (connection.state !== 'open') {
        settle.reject(this.gone(connection));
        return;
      }
      connection.exchanges.push({ kind: 'query', bytes: Buffer.from(request) });
      const reply = this.answer();
      if (reply !== null) {
        settle.resolve(Buffer.from(reply));
        return;
      }
      const timer = setTimeout(() => settle.resolve(Buffer.alloc(0)), timeoutMs);
      return () => clearTimeout(timer);
    });
  }

  private async queryOwn(request: Uint8Array, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    const connection = await this.open('query', signal);
    try {
      return await this.ask(connection, request, signal, timeoutMs);
    } finally {
      if (connection.state === 'open') connection.state = 'finished';
    }
  }

  private finish(connection: MemoryConnection, signal: AbortSignal, waitMs: number): Promise<{ confirmed: boolean; note: string; bytesWritten: number }> {
    return bounded<{ confirmed: boolean; note: string; bytesWritten: number }>({ signal, what: `finish of the send to ${this.uri}` }, (settle) => {
      if (connection.state === 'dropped') {
        settle.reject(this.gone(connection));
        return;
      }
      connection.state = 'finished';
      const bytesWritten = written(connection).length;
      if (this.script.closeOnFinish) {
        settle.resolve({ confirmed: true, note: `${this.uri} closed the connection`, bytesWritten });
        return;
      }
      const timer = setTimeout(
        () => settle.resolve({ confirmed: false, note: `all bytes sent but ${this.uri} did not close the connection within ${waitMs} ms`, bytesWritten }),
        waitMs,
      );
      const close = (): void => settle.resolve({ confirmed: true, note: `${this.uri} closed the connection`, bytesWritten });
      this.closing.add(close);
      return () => {
        clearTimeout(timer);
        this.closing.delete(close);
      };
    });
  }
}

function written(connection: MemoryConnection): Buffer {
  return Buffer.concat(connection.exchanges.filter((exchange) => exchange.kind === 'write').map((exchange) => exchange.bytes));
}
