import net from 'node:net';

/**
 * Requests no HTTP client library would send, written to a raw socket: request smuggling, bad
 * headers and framing, oversized declared bodies, HTTP/0.9, garbage. Each answer's status lines
 * are read until the server closes or `waitMs` passes; two answers to one request mean the
 * second request was smuggled through.
 */

export interface RawCase {
  name: string;
  bytes: Buffer;
  /** How many answers a correct server gives at most (1 for a single request). */
  maxAnswers: number;
  /** A smuggled request names this path; its answer must never appear. */
  smuggledPath?: string;
}

export interface RawResult {
  name: string;
  statuses: number[];
  /** The smuggled request got an answer. */
  smuggled: boolean;
  error: string | null;
}

const CRLF = '\r\n';
const req = (lines: string[], body = ''): Buffer => Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'latin1');

export function rawCorpus(host: string, printPath: string): RawCase[] {
  const H = `Host: ${host}`;
  const smuggled = `GET /api/v1/keys HTTP/1.1${CRLF}${H}${CRLF}${CRLF}`;
  return [
    { name: 'CL.TE smuggling', bytes: req(['POST /v1/a HTTP/1.1', H, 'Content-Length: 4', 'Transfer-Encoding: chunked'], `0${CRLF}${CRLF}${smuggled}`), maxAnswers: 1, smuggledPath: '/api/v1/keys' },
    { name: 'TE.CL smuggling', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Content-Length: 60'], `0${CRLF}${CRLF}${smuggled}`), maxAnswers: 1, smuggledPath: '/api/v1/keys' },
    { name: 'obfuscated TE (xchunked)', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: xchunked', 'Content-Length: 3'], 'abc'), maxAnswers: 1 },
    { name: 'TE with leading space', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding:  chunked', ' chunked'], `0${CRLF}${CRLF}`), maxAnswers: 1 },
    { name: 'TE chunked, identity', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: chunked, identity'], `0${CRLF}${CRLF}`), maxAnswers: 1 },
    { name: 'two different Content-Lengths', bytes: req(['POST /v1/a HTTP/1.1', H, 'Content-Length: 2', 'Content-Length: 40'], `{}${smuggled}`), maxAnswers: 1, smuggledPath: '/api/v1/keys' },
    { name: 'negative Content-Length', bytes: req(['POST /v1/a HTTP/1.1', H, 'Content-Length: -1'], '{}'), maxAnswers: 1 },
    { name: 'Content-Length in exponent form', bytes: req(['POST /v1/a HTTP/1.1', H, 'Content-Length: 1e3'], '{}'), maxAnswers: 1 },
    { name: 'bad chunk size', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: chunked'], `zz${CRLF}abc${CRLF}0${CRLF}${CRLF}`), maxAnswers: 1 },
    { name: 'chunk size overflow', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: chunked'], `ffffffffffffffffff${CRLF}a${CRLF}`), maxAnswers: 1 },
    { name: 'header name with a space', bytes: req(['GET /healthz HTTP/1.1', H, 'Bad Header: x']), maxAnswers: 1 },
    { name: 'NUL in a header value', bytes: req(['GET /healthz HTTP/1.1', H, 'X-A: a\u0000b']), maxAnswers: 1 },
    { name: 'obs-fold header', bytes: req(['GET /healthz HTTP/1.1', H, 'X-A: a', ' folded']), maxAnswers: 1 },
    { name: 'bare LF line endings', bytes: Buffer.from(`GET /healthz HTTP/1.1\n${H}\n\n`), maxAnswers: 1 },
    { name: 'bare CR line endings', bytes: Buffer.from(`GET /healthz HTTP/1.1\r${H}\r\r`), maxAnswers: 1 },
    { name: '20 KiB header', bytes: req(['GET /healthz HTTP/1.1', H, `X-Big: ${'a'.repeat(20 * 1024)}`]), maxAnswers: 1 },
    { name: '20 KiB Authorization', bytes: req(['GET /api/v1/me HTTP/1.1', H, `Authorization: Bearer ${'a'.repeat(20 * 1024)}`]), maxAnswers: 1 },
    { name: '500 headers', bytes: req(['GET /healthz HTTP/1.1', H, ...Array.from({ length: 500 }, (_, i) => `X-${i}: ${i}`)]), maxAnswers: 1 },
    { name: 'no Host header (HTTP/1.1)', bytes: req(['GET /healthz HTTP/1.1']), maxAnswers: 1 },
    { name: 'two Host headers', bytes: req(['GET /healthz HTTP/1.1', H, 'Host: evil.example']), maxAnswers: 1 },
    { name: 'absolute-form request target', bytes: req(['GET http://evil.example/healthz HTTP/1.1', H]), maxAnswers: 1 },
    { name: 'CONNECT', bytes: req([`CONNECT ${host} HTTP/1.1`, H]), maxAnswers: 1 },
    { name: 'TRACE', bytes: req(['TRACE / HTTP/1.1', H]), maxAnswers: 1 },
    { name: 'HTTP/0.9 request', bytes: Buffer.from(`GET /healthz${CRLF}`), maxAnswers: 1 },
    { name: 'HTTP/2 preface on HTTP/1', bytes: Buffer.from(`PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`), maxAnswers: 1 },
    { name: 'unknown HTTP version', bytes: req(['GET /healthz HTTP/9.9', H]), maxAnswers: 1 },
    { name: 'request line of 64 KiB', bytes: req([`GET /${'a'.repeat(64 * 1024)} HTTP/1.1`, H]), maxAnswers: 1 },
    { name: 'percent-encoded NUL path', bytes: req(['GET /v1/a/%00/d HTTP/1.1', H]), maxAnswers: 1 },
    { name: 'garbage bytes', bytes: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)), maxAnswers: 1 },
    { name: '50 pipelined health checks', bytes: Buffer.concat(Array.from({ length: 50 }, () => req(['GET /healthz HTTP/1.1', H]))), maxAnswers: 50 },
    { name: 'declared 2 GB document, 1 MB sent', bytes: Buffer.concat([req([`POST ${printPath} HTTP/1.1`, H, 'Content-Type: text/plain', 'Content-Length: 2147483648']), Buffer.alloc(1024 * 1024, 0x61)]), maxAnswers: 1 },
    { name: 'declared 1 GB JSON to an unknown CloudPRNT group', bytes: Buffer.concat([req(['POST /cloudprnt/nosuchgroup HTTP/1.1', H, 'Content-Type: application/json', 'Content-Length: 1073741824']), Buffer.alloc(256 * 1024, 0x20)]), maxAnswers: 1 },
    { name: 'Expect: 100-continue with a huge length', bytes: req([`POST ${printPath} HTTP/1.1`, H, 'Content-Type: text/plain', 'Expect: 100-continue', 'Content-Length: 999999999999']), maxAnswers: 2 },
    { name: 'unknown Expect', bytes: req(['POST /v1/a HTTP/1.1', H, 'Expect: teapot', 'Content-Length: 2'], '{}'), maxAnswers: 1 },
    { name: 'Expect: 100-continue without a key', bytes: req(['POST /v1/a HTTP/1.1', H, 'Content-Type: application/json', 'Expect: 100-continue', 'Content-Length: 50000000']), maxAnswers: 1 },
    { name: 'a foreign Host (DNS rebinding)', bytes: req(['GET /healthz HTTP/1.1', 'Host: rebind.attacker.example']), maxAnswers: 1 },
    { name: 'a foreign Host on a CloudPRNT poll', bytes: req(['POST /cloudprnt/fuzz HTTP/1.1', 'Host: rebind.attacker.example', 'Content-Type: application/json', 'Content-Length: 2'], '{}'), maxAnswers: 1 },
    { name: 'a page of another origin', bytes: req(['POST /cloudprnt/fuzz HTTP/1.1', H, 'Origin: http://attacker.example', 'Content-Type: text/plain', 'Content-Length: 2'], '{}'), maxAnswers: 1 },
    { name: 'a CORS preflight from another origin', bytes: req(['OPTIONS /api/v1/keys HTTP/1.1', H, 'Origin: http://attacker.example', 'Access-Control-Request-Method: DELETE']), maxAnswers: 1 },
    { name: 'chunked JSON past 16 KiB', bytes: req(['POST /cloudprnt/fuzz HTTP/1.1', H, 'Content-Type: application/json', 'Transfer-Encoding: chunked'], `${Array.from({ length: 64 }, () => `400${CRLF}${' '.repeat(0x400)}${CRLF}`).join('')}0${CRLF}${CRLF}`), maxAnswers: 1 },
    { name: 'chunk extensions of 20 KiB', bytes: req(['POST /v1/a HTTP/1.1', H, 'Transfer-Encoding: chunked'], `1;${'e'.repeat(20 * 1024)}${CRLF}a${CRLF}0${CRLF}${CRLF}`), maxAnswers: 1 },
  ];
}

/** Sends one raw case and reads the status lines of whatever comes back (bounded by waitMs). */
export function sendRaw(port: number, rawCase: RawCase, waitMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]));
      const smuggled = rawCase.smuggledPath !== undefined && statuses.length > rawCase.maxAnswers;
      resolve({ name: rawCase.name, statuses, smuggled, error });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', finish);
    socket.write(rawCase.bytes, () => undefined);
  });
}

/**
 * Slowloris: `count` sockets that send a request's headers one byte at a time, for `durationMs`,
 * spread over the loopback addresses 127.0.0.2… (`perAddress` each), so that the connection cap per
 * client address meets them as it would meet a few hosts of a LAN, and the run's other clients
 * (127.0.0.1) are not among them. Counts the sockets the server refused at once (429), closed at
 * its headers timeout (408), and closed otherwise.
 */
export async function slowloris(
  port: number,
  host: string,
  count: number,
  durationMs: number,
  perAddress = 100,
): Promise<{ opened: number; closedByServer: number; refused: number; timedOut: number }> {
  const head = `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `;
  const sockets: { socket: net.Socket; answer: string; mine: boolean; closed: boolean }[] = [];
  for (let i = 0; i < count; i += 1) {
    const entry = { socket: net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + Math.floor(i / perAddress)}` }), answer: '', mine: false, closed: false };
    entry.socket.on('error', () => undefined);
    entry.socket.on('data', (chunk: Buffer) => (entry.answer += chunk.toString('latin1')));
    entry.socket.on('close', () => (entry.closed = !entry.mine));
    sockets.push(entry);
  }
  const start = Date.now();
  let offset = 0;
  while (Date.now() - start < durationMs) {
    for (const { socket } of sockets) if (!socket.destroyed) socket.write(head[offset % head.length] ?? 'a');
    offset += 1;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const entry of sockets) {
    entry.mine = true;
    entry.socket.destroy();
  }
  const status = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 0);
  return {
    opened: count,
    closedByServer: sockets.filter((entry) => entry.closed).length,
    refused: sockets.filter((entry) => entry.closed && status(entry.answer) === 429).length,
    timedOut: sockets.filter((entry) => entry.closed && status(entry.answer) === 408).length,
  };
}
