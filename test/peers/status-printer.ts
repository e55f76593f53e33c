import net from 'node:net';
import { waitFor } from '../helpers/wait-for.js';

export type StatusDialect = 'escpos' | 'star' | 'zpl';

/** What the printer's sensors say. Tests flip these while the gateway runs. */
export interface PrinterCondition {
  paperOut: boolean;
  paperLow: boolean;
  coverOpen: boolean;
  cutterError: boolean;
}

export const HEALTHY: PrinterCondition = { paperOut: false, paperLow: false, coverOpen: false, cutterError: false };

const REQUESTS: Record<StatusDialect, Buffer[]> = {
  escpos: [1, 2, 3, 4].map((n) => Buffer.from([0x10, 0x04, n])),
  star: [Buffer.from([0x1b, 0x06, 0x01])],
  zpl: [Buffer.from('~HS', 'latin1')],
};

/** The printer's answer to one status request, as the manuals lay it out (see drivers/status/*). */
function answer(dialect: StatusDialect, request: Buffer, c: PrinterCondition): Buffer {
  const offline = c.paperOut || c.coverOpen || c.cutterError;
  if (dialect === 'escpos') {
    const n = request[2];
    if (n === 1) return Buffer.from([0x12 | (offline ? 0x08 : 0)]);
    if (n === 2) return Buffer.from([0x12 | (c.coverOpen ? 0x04 : 0) | (c.paperOut ? 0x20 : 0) | (c.cutterError ? 0x40 : 0)]);
    if (n === 3) return Buffer.from([0x12 | (c.cutterError ? 0x08 : 0)]);
    return Buffer.from([0x12 | (c.paperOut ? 0x60 : 0) | (c.paperLow || c.paperOut ? 0x0c : 0)]);
  }
  if (dialect === 'star') {
    const printer = (offline ? 0x08 : 0) | (c.coverOpen ? 0x20 : 0);
    const error = c.cutterError ? 0x08 : 0;
    const sensor = (c.paperOut ? 0x08 : 0) | (c.paperLow ? 0x04 : 0);
    return Buffer.from([0x23, 0x86, printer, error, 0x00, sensor, 0x00, 0x00, 0x00]);
  }
  return Buffer.from(
    `\x02030,${c.paperOut ? 1 : 0},0,1245,000,0,0,0,000,0,0,0\x03\r\n` +
      `\x02001,0,${c.coverOpen ? 1 : 0},0,0,2,6,0,00000000,1,000\x03\r\n` +
      `\x021234,0\x03\r\n`,
    'latin1',
  );
}

/**
 * Splits a printer's input into status requests (answered at once, as real-time commands are) and
 * document bytes (printed). Keeps a request cut across two reads. A status request that follows
 * document bytes ends that document (`onDocument`) before it is answered: the engine asks right
 * after a job's last byte on the job's own connection, and the answer is the printer's state
 * after printing it.
 */
export class StatusResponder {
  private pending = Buffer.alloc(0);
  private document: number[] = [];
  queries = 0;

  constructor(
    private readonly dialect: StatusDialect,
    private readonly condition: () => PrinterCondition,
    private readonly onDocument: (bytes: Buffer) => void = () => undefined,
  ) {}

  /** Ends the document in progress, if any (the connection closed). */
  endDocument(): void {
    if (this.document.length === 0) return;
    const bytes = Buffer.from(this.document);
    this.document = [];
    this.onDocument(bytes);
  }

  feed(chunk: Buffer): { reply: Buffer; printed: Buffer } {
    const data = Buffer.concat([this.pending, chunk]);
    const replies: Buffer[] = [];
    const printed: number[] = [];
    let i = 0;
    outer: while (i < data.length) {
      for (const request of REQUESTS[this.dialect]) {
        const available = data.subarray(i, i + request.length);
        if (available.length < request.length && request.subarray(0, available.length).equals(available)) {
          break outer; // maybe a request cut in two: wait for the rest
        }
        if (available.equals(request)) {
          this.endDocument();
          replies.push(answer(this.dialect, request, this.condition()));
          this.queries += 1;
          i += request.length;
          continue outer;
        }
      }
      printed.push(data[i]!);
      this.document.push(data[i]!);
      i += 1;
    }
    this.pending = data.subarray(i);
    return { reply: Buffer.concat(replies), printed: Buffer.from(printed) };
  }
}

export interface StatusPrinter {
  uri: string;
  condition: PrinterCondition;
  /** Sensor changes applied right after the next document has been received whole. */
  afterNextJob(change: Partial<PrinterCondition>): void;
  set(change: Partial<PrinterCondition>): void;
  /** One buffer per document: bytes up to a status request or the end of their connection (status requests removed). */
  jobs(): Buffer[];
  queries(): number;
  waitForJobs(count: number, timeoutMs?: number): Promise<Buffer[]>;
  close(): Promise<void>;
}

/** A receipt or label printer on 127.0.0.1 that prints what it gets and answers its language's status requests. */
export async function startStatusPrinter(dialect: StatusDialect): Promise<StatusPrinter> {
  const condition: PrinterCondition = { ...HEALTHY };
  let after: Partial<PrinterCondition> | null = null;
  const finished: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let queries = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    const responder = new StatusResponder(dialect, () => condition, (document) => {
      finished.push(document);
      if (after) Object.assign(condition, after);
      after = null;
    });
    let counted = 0;
    const countQueries = (): void => {
      queries += responder.queries - counted;
      counted = responder.queries;
    };
    socket.on('data', (chunk: Buffer) => {
      const { reply } = responder.feed(chunk);
      countQueries();
      if (reply.length > 0) socket.write(reply);
    });
    socket.on('end', () => {
      responder.endDocument();
      countQueries();
      socket.end();
    });
    socket.on('error', () => {
      countQueries();
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `socket://127.0.0.1:${port}`,
    condition,
    afterNextJob: (change) => {
      after = change;
    },
    set: (change) => {
      Object.assign(condition, change);
    },
    jobs: () => [...finished],
    queries: () => queries,
    waitForJobs: (count, timeoutMs = 10_000) =>
      waitFor(`${count} jobs at the ${dialect} printer on port ${port}`, () => (finished.length >= count ? [...finished] : null), timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
