import net from 'node:net';

/** What came back on one raw socket. */
export interface RawAnswer {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The status codes of every answer on the socket, in order (100 Continue included). */
  statuses: number[];
  /** The headers of the last answer (lower-case names). */
  headers: Record<string, string>;
  /** The body of the last answer, parsed as JSON when it is. */
  json: unknown;
  /** The server closed the socket (or reset it) before waitMs passed. */
  closedByServer: boolean;
  /** Bytes this side wrote before the socket went. */
  bytesSent: number;
}

export interface RawOptions {
  /** Give up waiting after this long (every wait bounded). */
  waitMs?: number;
  /** Source address, e.g. 127.0.0.2: another client on the loopback network. */
  localAddress?: string;
  /** Written after the head, repeatedly, every `everyMs`, until `maxBytes` or the socket closes. */
  trickle?: { chunk: Buffer; everyMs: number; maxBytes: number };
  /** Stop waiting as soon as an answer other than 100 has fully arrived (Content-Length known). */
  untilAnswered?: boolean;
}

interface Parsed {
  statuses: number[];
  headers: Record<string, string>;
  json: unknown;
  /** The last answer is complete (its Content-Length of body has arrived). */
  complete: boolean;
}

/** Parses the answers of a raw socket's output, one after the other (heads, then Content-Length bodies). */
export function parseAnswers(text: string): Parsed {
  const statuses: number[] = [];
  let headers: Record<string, string> = {};
  let json: unknown = null;
  let complete = false;
  let at = 0;
  while (at < text.length) {
    const status = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text.slice(at, at + 200));
    const headEnd = text.indexOf('\r\n\r\n', at);
    if (!status || headEnd < 0) break;
    statuses.push(Number(status[1]));
    headers = {};
    for (const line of text.slice(at, headEnd).split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(status[1]) === 100 ? 0 : Number(headers['content-length'] ?? Number.NaN);
    const bodyStart = headEnd + 4;
    const body = Number.isFinite(length) ? text.slice(bodyStart, bodyStart + length) : text.slice(bodyStart);
    complete = Number.isFinite(length) && Buffer.byteLength(body, 'latin1') >= length;
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
    if (!Number.isFinite(length)) break;
    at = bodyStart + length;
  }
  return { statuses, headers, json, complete };
}

function answered(text: string): boolean {
  const parsed = parseAnswers(text);
  return parsed.complete && parsed.statuses.some((status) => status !== 100);
}

/** Writes `head` (and an optional trickle of body) to a raw socket and collects what comes back. */
export function rawRequest(port: number, head: string | Buffer, options: RawOptions = {}): Promise<RawAnswer> {
  const waitMs = options.waitMs ?? 5000;
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    let text = '';
    let bytesSent = 0;
    let closedByServer = false;
    let done = false;
    let trickle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (trickle) clearInterval(trickle);
      socket.destroy();
      const { statuses, headers, json } = parseAnswers(text);
      resolve({ text, statuses, headers, json, closedByServer, bytesSent });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (options.untilAnswered && answered(text)) finish();
    });
    socket.on('error', () => {
      closedByServer = true;
      finish();
    });
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      if (!done) closedByServer = true;
      finish();
    });
    const write = (bytes: Buffer | string): void => {
      if (socket.destroyed || done) return;
      bytesSent += Buffer.byteLength(bytes);
      socket.write(bytes);
    };
    socket.once('connect', () => {
      write(head);
      const drip = options.trickle;
      if (!drip) return;
      let dripped = 0;
      trickle = setInterval(() => {
        if (dripped >= drip.maxBytes || socket.destroyed) {
          clearInterval(trickle);
          return;
        }
        dripped += drip.chunk.length;
        write(drip.chunk);
      }, drip.everyMs);
    });
  });
}

/** A socket that sends a request's headers one byte at a time and never finishes them. */
export class SlowSocket {
  readonly socket: net.Socket;
  /** The server answered (a refusal) or closed it. */
  answer = '';
  closedByServer = false;
  connected = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(port: number, localAddress: string, everyMs = 200) {
    const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
    let offset = 0;
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.socket.on('connect', () => {
      this.connected = true;
      this.timer = setInterval(() => {
        if (!this.socket.destroyed) this.socket.write(head[offset % head.length] ?? 'a');
        offset += 1;
      }, everyMs);
    });
    this.socket.on('data', (chunk: Buffer) => (this.answer += chunk.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      if (this.timer) clearInterval(this.timer);
      if (!this.mine) this.closedByServer = true;
    });
  }

  private mine = false;

  get open(): boolean {
    return this.connected && !this.socket.destroyed && !this.closedByServer;
  }

  close(): void {
    this.mine = true;
    if (this.timer) clearInterval(this.timer);
    this.socket.destroy();
  }
}
