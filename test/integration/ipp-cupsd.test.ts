import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { decodeEscPos, eventsOf } from '../helpers/receipt-decoder.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../peers/ippeveprinter.js';
import { ippDocuments } from '../peers/ipp-documents.js';
import { startPrivateCupsd, type CupsClient } from '../peers/private-cupsd.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/**
 * A real CUPS as the client: a private cupsd adds the gateway's receipt printer driverlessly
 * (`lpadmin -m everywhere`: CUPS builds its PPD from our Get-Printer-Attributes) and prints a PDF
 * and a text file with `lp`. The ESC/POS bytes at the sink hold rasters exactly the printable
 * width, and CUPS reports a job completed only once the sink took it.
 */
let gateway: TestGateway;
let cups: CupsClient;
let sink: TcpSink | null = null;
let sinkPort: number;
let docs: string;

beforeAll(async () => {
  docs = ippDocuments();
  sinkPort = await freePort();
  const ippPort = await freePort();
  gateway = await startTestGateway({
    printers: [{ name: 'Receipt', group: 'store1', appId: 'receipt', uri: `socket://127.0.0.1:${sinkPort}`, language: 'escpos', profile: 'generic-80mm', statusQuery: 'off' }],
    ipp: { enabled: true, port: ippPort, allow: ['127.0.0.0/8'] },
  });
  cups = await startPrivateCupsd(await freePort());
  const added = await cups.run('lpadmin', ['-p', 'r', '-E', '-v', `ipp://127.0.0.1:${ippPort}/ipp/print/receipt`, '-m', 'everywhere']);
  expect(added.status, `${added.stderr}\n${cups.log()}`).toBe(0);
}, 90_000);

afterAll(async () => {
  await cups?.stop();
  await gateway?.stop();
  await sink?.close();
  if (docs) rmSync(docs, { recursive: true, force: true });
});

async function lp(file: string): Promise<string> {
  const printed = await cups.run('lp', ['-d', 'r', path.join(docs, file)]);
  expect(printed.status, printed.stderr).toBe(0);
  const id = /request id is (r-\d+)/.exec(printed.stdout)?.[1];
  expect(id, printed.stdout).toBeDefined();
  return id!;
}

async function completed(id: string): Promise<boolean> {
  const listed = await cups.run('lpstat', ['-W', 'completed', '-o', 'r']);
  return listed.stdout.split('\n').some((line) => line.startsWith(`${id} `));
}

describe('a private cupsd printing to the gateway by IPP Everywhere', () => {
  it('CUPS made a driverless queue from the printer attributes: the 80 mm roll with 4 mm margins, any length, 203 dpi', async () => {
    const ppd = await waitFor('the queue\'s PPD', () => cups.ppd('r'), 20_000, 200);
    expect(ppd).toMatch(/\*DefaultPageSize: 80x297mm/);
    // 80 mm = 226.77 pt wide; the head prints 72 mm: 4 mm (11.34 pt) each side cannot.
    expect(ppd).toMatch(/\*ImageableArea 80x297mm: "11\.33\d* 0 215\.43\d* 841\.88\d*"/);
    // roll_min_/roll_max_: the width fixed, any length from 25 mm to limits.render.maxPageHeightMM.
    expect(ppd).toMatch(/\*ParamCustomPageSize Width: 1 points 226\.77\d* 226\.77\d*/);
    expect(ppd).toMatch(/\*ParamCustomPageSize Height: 2 points 70\.86\d* 5669\.29\d*/);
    expect(ppd).toMatch(/\*DefaultResolution: 203dpi/);
    expect(ppd).toMatch(/\*cupsFilter2: "application\/vnd\.cups-pdf application\/pdf/);
  });

  it('a PDF waits while the printer is down — CUPS does not call it completed — then prints the printable width', async () => {
    const id = await lp('document-a4.pdf');
    await waitFor('the printgate job pending', async () => {
      const key = gateway.createKey(['ViewJobs']);
      const jobs = (await (await fetch(`${gateway.url}/api/v1/jobs?printer=receipt`, { headers: { authorization: `Bearer ${key.key}` } })).json()) as { data: { source: string; state: string }[] };
      return jobs.data.some((job) => job.source === 'ipp' && job.state === 'pending');
    }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await completed(id)).toBe(false);
    sink = await startTcpSink({ port: sinkPort });
    const [bytes] = await sink.waitForJobs(1, 60_000);
    const rasters = eventsOf(decodeEscPos(bytes!), 'raster');
    expect(rasters.length).toBeGreaterThan(0);
    expect(new Set(rasters.map((raster) => raster.width))).toEqual(new Set([576]));
    await waitFor(`lpstat to show ${id} completed`, () => completed(id), 60_000, 500);
  });

  it('a text file prints too, as a raster the printable width wide', async () => {
    const before = sink!.jobs().length;
    const id = await lp('receipt.txt');
    const jobs = await sink!.waitForJobs(before + 1, 60_000);
    const rasters = eventsOf(decodeEscPos(jobs[before]!), 'raster');
    expect(new Set(rasters.map((raster) => raster.width))).toEqual(new Set([576]));
    await waitFor(`lpstat to show ${id} completed`, () => completed(id), 60_000, 500);
    // Each IPP job was accepted in one log line, with its IPP job id beside the printgate one.
    const accepted = gateway.logs.find('job accepted').filter((line) => line.source === 'ipp');
    expect(accepted).toHaveLength(2);
    for (const line of accepted) expect(line).toMatchObject({ printerId: 'receipt', jobId: expect.any(String), ippJobId: expect.any(Number) });
  });
});
