import { randomBytes } from 'node:crypto';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../drivers/transports/serial-transport.js';
import type { TransportContext } from '../../src/driver-api/index.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPtyPair, type PtyPair } from '../peers/socat-pty.js';
import { failure } from '../helpers/settle.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const context: TransportContext = { log: silent, connectTimeoutMs: 3000, confirmTimeoutMs: 5000, stallMs: 5000 };
const meta = { jobId: 'job-1', jobName: 'receipt', documentFormat: 'application/vnd.escpos' };
const signal = (): AbortSignal => new AbortController().signal;

interface Reader {
  received(): Buffer;
  waitForBytes(count: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The printer's end of the line: a second SerialPort on the other pty. */
async function openReader(path: string): Promise<Reader> {
  const chunks: Buffer[] = [];
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on('error', () => undefined);
  port.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return {
    received: () => Buffer.concat(chunks),
    waitForBytes: (count) =>
      waitFor(`${count} bytes on ${path} (got ${Buffer.concat(chunks).length} when the wait began)`, () => {
        const all = Buffer.concat(chunks);
        return all.length >= count ? all : null;
      }),
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

describe('serial transport on a socat pty pair', () => {
  let pty: PtyPair | undefined;
  const readers: Reader[] = [];
  const transports: SerialTransport[] = [];
  let gateway: TestGateway | undefined;
  const reader = async (path: string): Promise<Reader> => {
    const opened = await openReader(path);
    readers.push(opened);
    return opened;
  };
  const transport = (uri: string): SerialTransport => {
    const created = new SerialTransport(new URL(uri), context);
    transports.push(created);
    return created;
  };
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    for (const created of transports.splice(0)) await created.close();
    for (const opened of readers.splice(0)) await opened.close();
    await pty?.dispose();
    pty = undefined;
  });

  it('writes a job byte for byte and reports it drained', async () => {
    pty = await startPtyPair();
    const far = await reader(pty.b);
    const bytes = randomBytes(1000);
    const report = await transport(`serial:${pty.a}?baud=115200&databits=8&parity=none&stopbits=1&flow=none`).send(bytes, signal(), meta);
    expect(report).toMatchObject({ confirmed: true, bytesWritten: 1000 });
    expect(await far.waitForBytes(1000)).toEqual(bytes);
  });

  it('writes a large job with back-pressure, opening and closing the port per job', async () => {
    pty = await startPtyPair();
    const far = await reader(pty.b);
    const serial = transport(`serial:${pty.a}?baud=115200`);
    const first = randomBytes(256 * 1024);
    const second = randomBytes(3000);
    await serial.send(first, signal(), meta);
    // On a UART, tcdrain returns once the last bit left the wire. A pty has no wire: tcdrain returns
    // while socat may still hold bytes in the pty buffer, and the next open's TCIOFLUSH (serialport
    // flushes on open) would discard them. Wait for the far end, as a UART's drain would have.
    await far.waitForBytes(first.length);
    await serial.send(second, signal(), meta);
    expect(await far.waitForBytes(first.length + second.length)).toEqual(Buffer.concat([first, second]));
  });

  it('holds the port open with hold=1 and reopens it after the port vanished and returned', async () => {
    pty = await startPtyPair();
    let far = await reader(pty.b);
    const serial = transport(`serial:${pty.a}?hold=1`);
    const before = Buffer.from('before the outage\n');
    await serial.send(before, signal(), meta);
    expect(await far.waitForBytes(before.length)).toEqual(before);

    await far.close();
    await pty.stop();
    expect((await failure(serial.send(Buffer.from('lost?'), signal(), meta))).code).toBe('PRINTER_UNREACHABLE');
    expect((await failure(serial.probe(signal()))).code).toBe('PRINTER_UNREACHABLE');

    await pty.start();
    far = await reader(pty.b);
    await serial.probe(signal());
    const after = Buffer.from('after the outage\n');
    expect(await serial.send(after, signal(), meta)).toMatchObject({ confirmed: true });
    expect(await far.waitForBytes(after.length)).toEqual(after);
  });

  it('reports a missing port as unreachable with an actionable message', async () => {
    const error = await failure(transport('serial:/dev/printgate-no-such-tty?baud=9600').probe(signal()));
    expect(error.code).toBe('PRINTER_UNREACHABLE');
    expect(error.message).toMatch(/does not exist/);
  });

  it('honours the abort signal', async () => {
    pty = await startPtyPair();
    const controller = new AbortController();
    controller.abort();
    expect((await failure(transport(`serial:${pty.a}`).send(Buffer.from('x'), controller.signal, meta))).code).toBe('PRINTER_TIMEOUT');
  });

  it('delivers a job end to end through the gateway', async () => {
    pty = await startPtyPair();
    const far = await reader(pty.b);
    gateway = await startTestGateway({
      printers: [{ name: 'Serial', group: 'store1', appId: 'serial01', uri: `serial:${pty.a}?baud=19200&flow=none`, language: 'raw' }],
    });
    const { key } = gateway.createKey(['PrintToDevice']);
    const body = Buffer.concat([Buffer.from([0x1b, 0x40]), randomBytes(2048), Buffer.from([0x1d, 0x56, 0x00])]);
    const response = await fetch(`${gateway.url}/v1/a/store1/d/serial01/q`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/vnd.escpos' },
      body,
    });
    expect(response.status).toBe(201);
    expect(await far.waitForBytes(body.length)).toEqual(body);
    const [completed] = await waitFor('the gateway to log the completed job', () => {
      const found = gateway?.logs.find('job completed') ?? [];
      return found.length > 0 ? found : null;
    });
    expect(completed).toMatchObject({ confirmed: true, bytes: body.length });
  });
});
