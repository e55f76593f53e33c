import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { IppTransport } from '../../drivers/transports/ipp-transport.js';
import type { TransportContext } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort, startIppEvePrinter, type IppEvePrinter } from '../peers/ippeveprinter.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const context = (overrides: Partial<TransportContext> = {}): TransportContext => ({
  log: silent,
  connectTimeoutMs: 3000,
  confirmTimeoutMs: 10_000,
  stallMs: 10_000,
  ...overrides,
});
const escpos = (text: string): Uint8Array => Buffer.concat([Buffer.from([0x1b, 0x40]), Buffer.from(text), Buffer.from([0x0a, 0x1d, 0x56, 0x00])]);
const meta = { jobId: 'job-1', jobName: 'receipt 1', documentFormat: 'application/vnd.escpos' };
const signal = (): AbortSignal => new AbortController().signal;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DriverError) return error.code;
    throw error;
  }
  throw new Error('expected a DriverError');
}

describe('ipp transport against ippeveprinter', () => {
  const peers: IppEvePrinter[] = [];
  let gateway: TestGateway | undefined;
  const printer = async (options: Parameters<typeof startIppEvePrinter>[0] = {}): Promise<IppEvePrinter> => {
    const peer = await startIppEvePrinter(options);
    peers.push(peer);
    return peer;
  };
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    for (const peer of peers.splice(0)) await peer.stop();
  });

  it('describes the printer: state, reasons and document formats', async () => {
    const peer = await printer();
    const transport = new IppTransport(new URL(peer.uri), context());
    const description = await transport.describe(signal());
    expect(description.state).toBe('idle');
    expect(description.acceptingJobs).toBe(true);
    expect(description.documentFormats).toEqual(expect.arrayContaining(['application/vnd.escpos', 'application/octet-stream']));
    await transport.probe(signal());
  });

  it('prints with the rendered document-format and confirms completion', async () => {
    const peer = await printer();
    const transport = new IppTransport(new URL(peer.uri), context());
    const bytes = escpos(`hello ipp ${randomBytes(4).toString('hex')}`);
    const report = await transport.send(bytes, signal(), meta);
    expect(report).toMatchObject({ confirmed: true, bytesWritten: bytes.byteLength });
    const [document] = await peer.waitForDocuments(1);
    expect(document).toEqual(Buffer.from(bytes));
  });

  it('falls back to octet-stream only when listed, and reports the refusal as a document error', async () => {
    // ippeveprinter always adds application/octet-stream, sniffs it, and refuses raw ESC/POS.
    const peer = await printer({ formats: ['application/pdf', 'image/pwg-raster'] });
    const transport = new IppTransport(new URL(peer.uri), context());
    expect(await codeOf(transport.send(escpos('x'), signal(), meta))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(peer.documents()).toHaveLength(0);
  });

  it('reports an aborting printer as a printer error', async () => {
    const peer = await printer({ command: '/bin/false' });
    const transport = new IppTransport(new URL(peer.uri), context());
    expect(await codeOf(transport.send(escpos('abort me'), signal(), meta))).toMatch(/^(PRINTER_ERROR|DOCUMENT_FORMAT_ERROR)$/);
  });

  it('maps a busy printer to PRINTER_BUSY and a completion past the confirm time to unconfirmed', async () => {
    const peer = await printer({ jobSeconds: 3 });
    const transport = new IppTransport(new URL(peer.uri), context({ confirmTimeoutMs: 200 }));
    const first = await transport.send(escpos('first'), signal(), meta);
    expect(first.confirmed).toBe(false);
    expect(first.note).toMatch(/still/);
    expect(await codeOf(transport.send(escpos('second'), signal(), meta))).toBe('PRINTER_BUSY');
  });

  it('treats a dead port and a wrong path as unreachable', async () => {
    const port = await freePort();
    const dead = new IppTransport(new URL(`ipp://127.0.0.1:${port}/ipp/print`), context());
    expect(await codeOf(dead.probe(signal()))).toBe('PRINTER_UNREACHABLE');
    expect(await codeOf(dead.send(escpos('x'), signal(), meta))).toBe('PRINTER_UNREACHABLE');
    const peer = await printer();
    const wrongPath = new IppTransport(new URL(peer.uri.replace('/ipp/print', '/ipp/nothing')), context());
    expect(await codeOf(wrongPath.probe(signal()))).toBe('PRINTER_UNREACHABLE');
  });

  it('talks ipps to the self-signed printer only with ?insecure=1', async () => {
    const peer = await printer();
    const strict = new IppTransport(new URL(peer.uri.replace('ipp:', 'ipps:')), context());
    const error = await strict.probe(signal()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).code).toBe('PRINTER_UNREACHABLE');
    expect((error as DriverError).message).toMatch(/insecure=1/);
    const insecure = new IppTransport(new URL(`${peer.uri.replace('ipp:', 'ipps:')}?insecure=1`), context());
    const bytes = escpos('over tls');
    expect(await insecure.send(bytes, signal(), meta)).toMatchObject({ confirmed: true });
    expect((await peer.waitForDocuments(1))[0]).toEqual(Buffer.from(bytes));
  });

  it('honours the abort signal while the job is tracked', async () => {
    const peer = await printer({ jobSeconds: 5 });
    const transport = new IppTransport(new URL(peer.uri), context({ confirmTimeoutMs: 30_000 }));
    const controller = new AbortController();
    const sending = transport.send(escpos('abandon'), controller.signal, meta);
    await waitFor('the printer to receive the job', () => peer.documents().length === 1);
    controller.abort();
    expect(await codeOf(sending)).toBe('PRINTER_TIMEOUT');
  });

  it('delivers a job end to end through the gateway', async () => {
    const peer = await printer();
    gateway = await startTestGateway({ printers: [{ name: 'IPP', group: 'store1', appId: 'ipp01', uri: peer.uri, language: 'raw' }] });
    const { key } = gateway.createKey(['PrintToDevice']);
    const body = escpos(`through the gateway ${randomBytes(4).toString('hex')}`);
    const response = await fetch(`${gateway.url}/v1/a/store1/d/ipp01/q`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/vnd.escpos' },
      body,
    });
    expect(response.status).toBe(201);
    const [document] = await peer.waitForDocuments(1);
    expect(document).toEqual(Buffer.from(body));
    const [completed] = await waitFor('the gateway to log the completed job', () => {
      const found = gateway?.logs.find('job completed') ?? [];
      return found.length > 0 ? found : null;
    });
    expect(completed).toMatchObject({ confirmed: true });
  });
});
