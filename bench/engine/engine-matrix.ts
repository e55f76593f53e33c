import { BenchGateway, freePort } from '../harness/bench-gateway.js';
import { benchNumber, JOBS, RUN_TIMEOUT_MS, RUNS } from '../harness/bench-env.js';
import { cpuMsOf } from '../harness/proc-stats.js';
import { RepTable } from '../harness/rep-table.js';
import { startBare201Server, type Bare201Server } from '../peers/bare-201-server.js';
import { startPrivateCupsd, type PrivateCupsd } from '../peers/private-cupsd.js';
import { startReceiptSink, type ReceiptSink } from '../peers/receipt-sink.js';
import { RECEIPT_BYTES, RECEIPT_MARKER } from './receipt.js';
import { bareSubmit, cupsSubmit, floorSubmit, keepAliveAgent, printgateSubmit, type Submit } from './submitters.js';
import { checkNoExtra, settleSinks, timedRun, type RunResult, type RunShape } from './timed-run.js';

export const CELLS: readonly RunShape[] = [
  { jobs: JOBS, printers: 1, clients: 1 },
  { jobs: JOBS, printers: 1, clients: 10 },
  { jobs: JOBS, printers: 10, clients: 1 },
  { jobs: JOBS, printers: 10, clients: 10 },
];
export const cellName = (shape: RunShape): string => `${shape.printers}p×${shape.clients}c`;
export const SYSTEMS = ['floor', 'printgate', 'CUPS'] as const;
export type System = (typeof SYSTEMS)[number];

/** Time after the last receipt for the gateway's completion bookkeeping to land in its CPU figure. */
const SETTLE_MS = 300;
/**
 * printgate's warm-up, in each shape of CELLS: a gateway runs for days, so its figures are those of
 * code V8 has optimised. Measured here (raw, 1 printer × 1 client, runs of 500): 580 jobs/s over the
 * first 1,000 receipts, a plateau of ~850/s after about 2,000. CUPS (C) and the floor need no JIT.
 */
const WARMUP_JOBS = Math.round(benchNumber('BENCH_WARMUP_JOBS', 500, 100));

const say = (text: string): void => void process.stderr.write(`  … ${text}\n`);

export interface MatrixRun {
  table: RepTable;
  /** Bytes a receipt is at the printer in this language (what the floor and CUPS are sent). */
  printerBytes: number;
}

/**
 * The end-to-end matrix of one language: 500 receipts (BENCH_JOBS) through printgate's serve
 * process, through a private cupsd (raw queues, IPP Print-Job) and straight to the sinks, for each
 * shape of CELLS, BENCH_RUNS times, interleaved so each repetition's ratios come from one moment of
 * a noisy machine. Records per repetition: jobs/s and accept/s of each system, printgate's CPU per
 * job and submit latencies, and the bare node:http server's latencies beside the 1p×10c run.
 */
export async function runMatrix(language: 'raw' | 'escpos'): Promise<MatrixRun> {
  const table = new RepTable();
  const sinks: ReceiptSink[] = [];
  let gateway: BenchGateway | null = null;
  let cups: PrivateCupsd | null = null;
  let bare: Bare201Server | null = null;
  const agent = keepAliveAgent(10);
  try {
    for (let i = 0; i < 10; i += 1) sinks.push(await startReceiptSink(RECEIPT_MARKER));
    gateway = await BenchGateway.start({ printers: sinks.map((sink) => ({ uri: sink.uri, language })) });
    const submitOf = printgateSubmit({ url: gateway.url, key: gateway.key, path: (p) => gateway!.printPath(p), body: RECEIPT_BYTES, contentType: 'text/plain', agent });
    const printerBytes = await captureOneJob(sinks[0]!, submitOf);
    say(`${language}: a receipt is ${printerBytes.length} bytes at the printer`);
    const submits: Record<System, Submit | string> = {
      floor: floorSubmit({ ports: sinks.map((sink) => sink.port), body: printerBytes }),
      printgate: submitOf,
      CUPS: 'cupsd needs root (it drops to user lp): run npm run bench as root',
    };
    if (process.getuid?.() === 0) {
      try {
        cups = await startPrivateCupsd(await freePort(), sinks.map((sink) => sink.uri));
        submits.CUPS = cupsSubmit({ printerUrls: cups.printerUrls, body: printerBytes, agent });
      } catch (error) {
        submits.CUPS = `private cupsd did not start: ${(error as Error).message}`;
      }
    }
    bare = await startBare201Server();
    const bareRun = bareSubmit({ url: bare.url, body: RECEIPT_BYTES, agent });
    // Warm-up (JIT, render threads, CUPS's first job): not timed.
    for (const system of SYSTEMS) {
      const submit = submits[system];
      if (typeof submit === 'string') continue;
      const shapes = system === 'printgate' ? CELLS.map((cell) => ({ ...cell, jobs: WARMUP_JOBS })) : [{ jobs: 20, printers: 10, clients: 10 }];
      for (const shape of shapes) {
        await timedRun(shape, sinks, submit, RUN_TIMEOUT_MS).catch((error: unknown) => say(`${language}: warm-up of ${system} failed: ${(error as Error).message}`));
      }
    }
    await timedRun({ jobs: WARMUP_JOBS, printers: 1, clients: 10 }, [], bareRun, RUN_TIMEOUT_MS).catch(() => undefined);

    for (let rep = 0; rep < RUNS; rep += 1) {
      for (const cell of CELLS) {
        for (const system of SYSTEMS) {
          const name = `${system} ${cellName(cell)}`;
          const submit = submits[system];
          if (typeof submit === 'string') {
            table.fail(name, submit);
            continue;
          }
          try {
            const pid = gateway.pid;
            const cpuBefore = system === 'printgate' ? cpuMsOf(pid) : 0;
            const result = await timedRun(cell, sinks, submit, RUN_TIMEOUT_MS);
            await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
            checkNoExtra(cell, sinks, result.bases);
            record(table, rep, name, cell, result);
            if (system === 'printgate') table.set(rep, `${name} cpu ms/job`, (cpuMsOf(pid) - cpuBefore) / cell.jobs);
            say(`${language} run ${rep + 1}/${RUNS} ${name}: ${((cell.jobs * 1000) / result.deliverMs).toFixed(0)} jobs/s, accepted in ${result.acceptMs.toFixed(0)} ms`);
          } catch (error) {
            table.fail(name, (error as Error).message);
            say(`${language} run ${rep + 1}/${RUNS} ${name}: FAILED ${(error as Error).message}`);
            // What the failed run left queued still arrives: not the next run's receipts.
            await settleSinks(sinks, 1000, RUN_TIMEOUT_MS);
          }
          if (system === 'printgate' && cell.printers === 1 && cell.clients === 10) {
            try {
              // Nothing reaches a printer: the run ends when every submit is answered.
              record(table, rep, `bare ${cellName(cell)}`, cell, await timedRun(cell, [], bareRun, RUN_TIMEOUT_MS));
            } catch (error) {
              table.fail(`bare ${cellName(cell)}`, (error as Error).message);
            }
          }
        }
      }
    }
    return { table, printerBytes: printerBytes.length };
  } finally {
    agent.destroy();
    await bare?.stop();
    await cups?.stop();
    await gateway?.stop();
    for (const sink of sinks) await sink.close();
  }
}

function record(table: RepTable, rep: number, name: string, cell: RunShape, result: RunResult): void {
  table.set(rep, `${name} jobs/s`, (cell.jobs * 1000) / result.deliverMs);
  table.set(rep, `${name} ms`, result.deliverMs);
  table.set(rep, `${name} accept/s`, (cell.jobs * 1000) / result.acceptMs);
  const sorted = [...result.latencies].sort((a, b) => a - b);
  table.set(rep, `${name} p50 ms`, sorted[Math.ceil(0.5 * sorted.length) - 1]!);
  table.set(rep, `${name} p99 ms`, sorted[Math.ceil(0.99 * sorted.length) - 1]!);
}

/** Sends one receipt and returns the bytes the printer got for it: what the floor and CUPS are sent. */
async function captureOneJob(sink: ReceiptSink, submit: Submit): Promise<Buffer> {
  sink.capture(true);
  try {
    const before = sink.receipts();
    await submit(0, 0);
    await sink.waitForReceipts(before + 1, 30_000);
    const deadline = Date.now() + 30_000;
    // Probe connections (no bytes) may end first: wait for the one that carried the receipt.
    let bytes: Buffer | undefined;
    while (!(bytes = sink.captured().find((connection) => connection.includes(RECEIPT_MARKER)))) {
      if (Date.now() > deadline) throw new Error('the printer connection of the first receipt did not end within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (bytes.indexOf(RECEIPT_MARKER) !== bytes.lastIndexOf(RECEIPT_MARKER)) throw new Error('the first connection carried more than one receipt');
    return bytes;
  } finally {
    sink.capture(false);
  }
}
