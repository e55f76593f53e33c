import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, OPERATION, STATUS } from '../../src/ipp/ipp-constants.js';
import { decodeIpp } from '../../src/ipp/ipp-decoder.js';
import { encodeIpp } from '../../src/ipp/ipp-encoder.js';
import { charset, integer, keyword, language, mimeType, nameValue, uri, type IppMessage } from '../../src/ipp/ipp-message.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { freePort } from '../peers/ippeveprinter.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/**
 * Hostile and broken IPP clients against the gateway's IPP server: each gets the IPP status
 * RFC 8011 names, or a clean close, and the server goes on answering with flat memory.
 */
let gateway: TestGateway;
let sink: TcpSink;
let port: number;
let printerUri: string;

const statusName = (code: number): string => Object.entries(STATUS).find(([, value]) => value === code)?.[0] ?? `0x${code.toString(16)}`;

function message(code: number, extra: IppMessage['groups'] = [], version: [number, number] = [2, 0]): IppMessage {
  return {
    version,
    code,
    requestId: 42,
    groups: [{ tag: GROUP.operation, attributes: [charset('attributes-charset', 'utf-8'), language('attributes-natural-language', 'en'), uri('printer-uri', printerUri), nameValue('requesting-user-name', 'fuzz')] }, ...extra],
  };
}

/** POSTs bytes as application/ipp; resolves with the IPP status of the answer, or 'closed'. */
function post(body: Buffer, headers: Record<string, string | number> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/ipp/print/receipt', method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const decoded = decodeIpp(Buffer.concat(chunks));
        resolve(decoded ? statusName(decoded.message.code) : `http ${res.statusCode}`);
      });
      res.on('error', () => resolve('closed'));
    });
    req.on('error', () => resolve('closed'));
    req.end(body);
  });
}

/** A raw TCP client: sends `bytes`, then waits for the server's answer or its close. */
function rawClient(bytes: Buffer, options: { end?: boolean; timeoutMs?: number } = {}): Promise<{ answer: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks), closed: false });
    }, options.timeoutMs ?? 20_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks), closed: true });
    });
    socket.write(bytes);
    if (options.end) socket.end();
  });
}

const getPrinterAttributes = (): Buffer => encodeIpp(message(OPERATION['Get-Printer-Attributes'], [], [2, 0]));

beforeAll(async () => {
  sink = await startTcpSink();
  port = await freePort();
  printerUri = `ipp://127.0.0.1:${port}/ipp/print/receipt`;
  gateway = await startTestGateway({
    printers: [{ name: 'Receipt', group: 'store1', appId: 'receipt', uri: sink.uri, language: 'escpos', statusQuery: 'off' }],
    ipp: { enabled: true, port, allow: ['127.0.0.1/32'] },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

describe('bad IPP requests', () => {
  it('a wrong version, an unknown operation, groups out of order, a request-id of 0', async () => {
    expect(await post(encodeIpp(message(OPERATION['Get-Printer-Attributes'], [], [0, 0])))).toBe('server-error-version-not-supported');
    expect(await post(encodeIpp(message(OPERATION['Get-Printer-Attributes'], [], [3, 1])))).toBe('server-error-version-not-supported');
    expect(await post(encodeIpp(message(0x4001)))).toBe('server-error-operation-not-supported');
    expect(await post(encodeIpp(message(0x0099)))).toBe('server-error-operation-not-supported');
    const outOfOrder = encodeIpp({ ...message(OPERATION['Print-Job']), groups: [{ tag: GROUP.job, attributes: [integer('copies', 1)] }, ...message(0).groups] });
    expect(await post(outOfOrder)).toBe('client-error-bad-request');
    expect(await post(encodeIpp({ ...message(OPERATION['Get-Printer-Attributes']), requestId: 0 }))).toBe('client-error-bad-request');
  });

  it('a truncated request: bad-request when the body ends, a clean close when the connection does', async () => {
    const whole = getPrinterAttributes();
    const chunked = Buffer.concat([Buffer.from(`POST /ipp/print/receipt HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n${(20).toString(16)}\r\n`), whole.subarray(0, 20), Buffer.from('\r\n0\r\n\r\n')]);
    const answered = await rawClient(chunked);
    const body = answered.answer.subarray(answered.answer.indexOf('\r\n\r\n') + 4);
    expect(statusName(decodeIpp(body)!.message.code)).toBe('client-error-bad-request');
    const cut = Buffer.concat([Buffer.from(`POST /ipp/print/receipt HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: ${whole.length}\r\n\r\n`), whole.subarray(0, 20)]);
    expect((await rawClient(cut, { end: true })).closed).toBe(true);
  });

  it('10 000 attributes: request-entity-too-large', async () => {
    const many = encodeIpp(message(OPERATION['Get-Printer-Attributes'], [{ tag: GROUP.job, attributes: Array.from({ length: 10_000 }, (_, i) => keyword(`x-attribute-${i}`, 'value')) }]));
    expect(await post(many)).toBe('client-error-request-entity-too-large');
  });

  it('a 2 GB document claim is refused before a byte of it is read, and the connection closed', async () => {
    const head = encodeIpp(message(OPERATION['Print-Job'], []));
    const withFormat = encodeIpp({ ...message(OPERATION['Print-Job']), groups: [{ tag: GROUP.operation, attributes: [...message(0).groups[0]!.attributes, mimeType('document-format', 'text/plain')] }] });
    const request = Buffer.concat([Buffer.from(`POST /ipp/print/receipt HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: ${2 ** 31 + head.length}\r\n\r\n`), withFormat, Buffer.from('some of the document')]);
    const { answer, closed } = await rawClient(request);
    expect(closed).toBe(true);
    const body = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
    expect(statusName(decodeIpp(body)!.message.code)).toBe('client-error-request-entity-too-large');
  });

  it('a slow client that never finishes its attributes is disconnected (bounded), nothing else waits on it', async () => {
    const slow = rawClient(Buffer.concat([Buffer.from('POST /ipp/print/receipt HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: 500\r\n\r\n'), getPrinterAttributes().subarray(0, 10)]), { timeoutMs: 25_000 });
    expect(await post(getPrinterAttributes())).toBe('successful-ok');
    expect((await slow).closed).toBe(true);
  });

  it('random bytes and mutated requests never crash it; memory stays flat; it still answers', async () => {
    const valid = getPrinterAttributes();
    let seed = 15;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const before = process.memoryUsage().heapUsed;
    const answers = new Set<string>();
    for (let round = 0; round < 300; round++) {
      const mutated = Buffer.from(valid);
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const body = round % 3 === 0 ? Buffer.from(Array.from({ length: Math.floor(random() * 400) }, () => Math.floor(random() * 256))) : mutated.subarray(0, Math.floor(random() * mutated.length) + 1);
      answers.add(await post(body));
    }
    const after = process.memoryUsage().heapUsed;
    expect(after - before).toBeLessThan(40 * 1024 * 1024);
    expect([...answers].every((answer) => /^(client-error|server-error|successful|closed)/.test(answer))).toBe(true);
    expect(await post(valid)).toBe('successful-ok');
  });
});
