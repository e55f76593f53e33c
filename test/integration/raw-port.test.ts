import net from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../peers/ippeveprinter.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/**
 * A raw port (printers[].rawPort) with a real POS client: node-thermal-printer, what many Node
 * POS apps print with, configured tcp://127.0.0.1:RAWPORT as if the gateway were the printer.
 */
const { ThermalPrinter, PrinterTypes } = createRequire(import.meta.url)('node-thermal-printer') as {
  ThermalPrinter: new (options: object) => {
    println(text: string): void;
    bold(on: boolean): void;
    cut(): void;
    getBuffer(): Buffer;
    execute(): Promise<unknown>;
    isPrinterConnected(): Promise<boolean>;
  };
  PrinterTypes: { EPSON: string };
};

let gateway: TestGateway;
let sink: TcpSink;
let sinkPort: number;
let rawPort: number;

function receipt(text: string) {
  const printer = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: `tcp://127.0.0.1:${rawPort}`, width: 48, options: { timeout: 5000 } });
  printer.bold(true);
  printer.println(text);
  printer.bold(false);
  printer.println('2 x coffee        5.00');
  printer.cut();
  return printer;
}

async function jobsOf(source: string): Promise<{ id: string; state: string; source: string; contentType: string }[]> {
  const key = gateway.createKey(['ViewJobs']);
  const answer = await fetch(`${gateway.url}/api/v1/jobs?printer=till`, { headers: { authorization: `Bearer ${key.key}` } });
  return ((await answer.json()) as { data: { id: string; state: string; source: string; contentType: string }[] }).data.filter((job) => job.source === source);
}

beforeAll(async () => {
  sink = await startTcpSink();
  sinkPort = sink.port;
  rawPort = await freePort();
  gateway = await startTestGateway({
    printers: [
      { name: 'Till', group: 'store1', uri: sink.uri, language: 'escpos', profile: 'generic-80mm', rawPort, statusQuery: 'off' },
    ],
    ipp: { enabled: true, port: 0, allow: ['127.0.0.1/32'], rawIdleSeconds: 1 },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

describe('raw port', () => {
  it('node-thermal-printer prints a receipt: its bytes reach the printer unchanged, as a raw job', async () => {
    const printer = receipt('RAW PORT TEST 1');
    const bytes = Buffer.from(printer.getBuffer());
    await printer.execute();
    const delivered = await waitFor('the receipt at the sink', () => sink.jobs().find((job) => job.includes(Buffer.from('RAW PORT TEST 1'))), 15_000);
    expect(Buffer.compare(delivered, bytes)).toBe(0);
    const [job] = await jobsOf('raw');
    expect(job).toMatchObject({ state: 'completed', source: 'raw', contentType: 'application/octet-stream' });
    // One line for its acceptance: the job, and how its connection ended.
    expect(gateway.logs.find('job accepted').filter((line) => line.jobId === job!.id)).toEqual([
      expect.objectContaining({ printerId: 'till', source: 'raw', bytes: bytes.length, ended: 'closed' }),
    ]);
  });

  it('with the printer down the job waits, and prints when it returns', async () => {
    await sink.close();
    const printer = receipt('RAW PORT TEST 2');
    const bytes = Buffer.from(printer.getBuffer());
    await printer.execute();
    await waitFor('the raw job queued', async () => (await jobsOf('raw')).length === 2, 10_000);
    const waiting = (await jobsOf('raw'))[0]!;
    expect(waiting.state).not.toBe('completed');
    sink = await startTcpSink({ port: sinkPort });
    const delivered = await waitFor('the receipt after the printer came back', () => sink.jobs().find((job) => job.includes(Buffer.from('RAW PORT TEST 2'))), 30_000);
    expect(Buffer.compare(delivered, bytes)).toBe(0);
    await waitFor('the job completed', async () => (await jobsOf('raw'))[0]!.state === 'completed', 10_000);
  });

  it('answers DLE EOT at once from the live status; a connection that only polls status prints nothing', async () => {
    const before = (await jobsOf('raw')).length;
    const socket = net.connect(rawPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const replies: number[] = [];
    socket.on('data', (chunk: Buffer) => replies.push(...chunk));
    socket.write(Buffer.from([0x10, 0x04, 0x01]));
    socket.write(Buffer.from([0x10, 0x04]));
    socket.write(Buffer.from([0x04]));
    await waitFor('two status bytes', () => replies.length >= 2, 5000);
    // Online, no cover open or paper end: the fixed bits only.
    expect(replies).toEqual([0x12, 0x12]);
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await jobsOf('raw')).length).toBe(before);
  });

  it('a pause longer than ipp.rawIdleSeconds ends a job while the connection stays open', async () => {
    const socket = net.connect(rawPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('IDLE GAP ONE\n');
    await waitFor('the first part printed', () => sink.received().includes('IDLE GAP ONE'), 10_000);
    socket.write('IDLE GAP TWO\n');
    await waitFor('the second part printed', () => sink.received().includes('IDLE GAP TWO'), 10_000);
    socket.destroy();
  });

  it('refuses a client outside ipp.allow: the connection is closed, nothing prints', async () => {
    const before = sink.received().length;
    const socket = net.connect({ port: rawPort, host: '127.0.0.1', localAddress: '127.0.0.2' });
    socket.on('error', () => undefined);
    socket.write('NOT ALLOWED\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sink.received().length).toBe(before);
  });
});
