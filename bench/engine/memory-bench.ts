import type { Benchmark } from '../benchmark.js';
import { BenchGateway } from '../harness/bench-gateway.js';
import { benchNumber, RUN_TIMEOUT_MS, RUNS } from '../harness/bench-env.js';
import { call } from '../harness/http-call.js';
import { rssKbOf } from '../harness/proc-stats.js';
import { RepTable } from '../harness/rep-table.js';
import { startReceiptSink, type ReceiptSink } from '../peers/receipt-sink.js';
import { RECEIPT_BYTES, RECEIPT_MARKER } from './receipt.js';
import { keepAliveAgent, printgateSubmit } from './submitters.js';
import { timedRun } from './timed-run.js';

const JOBS = Math.round(benchNumber('BENCH_MEMORY_JOBS', 10_000, 1000));
const PRINTERS = 10;
const IDLE_MS = 2000;
const SETTLE_MS = 1000;
/** Idle time after which V8 has given back the heap a burst made it grow (its memory reducer). */
const RESTED_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The main thread's V8 heap (used, total) in MB from the gateway's /metrics (prom-client's defaults). */
async function heapOf(gateway: BenchGateway, when: string): Promise<Map<string, number>> {
  const answer = await call(`${gateway.url}/metrics`, { method: 'GET', headers: { authorization: `Bearer ${gateway.key}` }, timeoutMs: 10_000 });
  if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status || answer.error}`);
  const text = answer.body.toString('utf8');
  const metric = (name: string): number => {
    const match = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
    if (!match) throw new Error(`/metrics has no ${name}`);
    return Number(match[1]) / (1024 * 1024);
  };
  return new Map([
    [`${when} heap`, metric('nodejs_heap_size_used_bytes')],
    [`${when} heap total`, metric('nodejs_heap_size_total_bytes')],
  ]);
}

/**
 * Resident memory of the serve process (VmRSS, every thread: the render pool's count): idle 2 s
 * after its start, 1 s after 10,000 escpos receipts (BENCH_MEMORY_JOBS) were delivered to 10
 * printers at 10 in flight (the target row), and 30 s after them, once V8 has given back the heap
 * the burst made it grow (what a box holds between rushes). A fresh process per run; the peak seen while it ran is shown too.
 */
export const memoryBench: Benchmark = {
  name: 'memory',
  description: `RSS of the serve process idle and after ${JOBS} escpos receipts (10 printers, 10 in flight), ${RUNS} fresh processes`,
  async run(report, note) {
    const table = new RepTable();
    const sinks: ReceiptSink[] = [];
    try {
      for (let i = 0; i < PRINTERS; i += 1) sinks.push(await startReceiptSink(RECEIPT_MARKER));
      for (let rep = 0; rep < RUNS; rep += 1) {
        let gateway: BenchGateway | null = null;
        const agent = keepAliveAgent(10);
        let peak = 0;
        let sampler: NodeJS.Timeout | null = null;
        try {
          gateway = await BenchGateway.start({ printers: sinks.map((sink) => ({ uri: sink.uri, language: 'escpos' })), permissions: ['PrintToDevice', 'ViewStatus'] });
          await sleep(IDLE_MS);
          const pid = gateway.pid;
          table.set(rep, 'idle', rssKbOf(pid) / 1024);
          await heapOf(gateway, 'idle').then((heap) => heap.forEach((value, name) => table.set(rep, name, value)));
          sampler = setInterval(() => {
            try {
              peak = Math.max(peak, rssKbOf(pid));
            } catch {
              // the process is gone; the run fails below
            }
          }, 100);
          const submit = printgateSubmit({ url: gateway.url, key: gateway.key, path: (p) => gateway!.printPath(p), body: RECEIPT_BYTES, contentType: 'text/plain', agent });
          const result = await timedRun({ jobs: JOBS, printers: PRINTERS, clients: 10 }, sinks, submit, Math.max(RUN_TIMEOUT_MS, JOBS * 20));
          await sleep(SETTLE_MS);
          table.set(rep, 'after', rssKbOf(gateway.pid) / 1024);
          table.set(rep, 'peak', Math.max(peak, rssKbOf(gateway.pid)) / 1024);
          await heapOf(gateway, 'after').then((heap) => heap.forEach((value, name) => table.set(rep, name, value)));
          await sleep(RESTED_MS - SETTLE_MS);
          table.set(rep, 'rested', rssKbOf(gateway.pid) / 1024);
          process.stderr.write(`  … memory run ${rep + 1}/${RUNS}: ${JOBS} jobs in ${(result.deliverMs / 1000).toFixed(1)} s\n`);
        } catch (error) {
          for (const name of ['idle', 'after', 'peak', 'rested']) if (table.get(rep, name) === undefined) table.fail(name, (error as Error).message);
        } finally {
          if (sampler) clearInterval(sampler);
          agent.destroy();
          await gateway?.stop();
        }
      }
      report(table.figure('RSS of serve, idle (start + 2 s)', 'MB', RUNS, ['idle'], (v) => v('idle'), { op: '<', value: 80 }));
      report(table.figure(`RSS of serve after ${JOBS.toLocaleString('en-US')} jobs`, 'MB', RUNS, ['after'], (v) => v('after'), JOBS === 10_000 ? { op: '<', value: 150 } : undefined));
      // Not a target row: what the box holds once the burst is over (1 s after it, V8 still keeps the heap it grew to).
      report(table.figure(`RSS of serve ${RESTED_MS / 1000} s after ${JOBS.toLocaleString('en-US')} jobs (spare heap given back)`, 'MB', RUNS, ['rested'], (v) => v('rested')));
      report(table.figure(`RSS of serve, peak while taking ${JOBS.toLocaleString('en-US')} jobs`, 'MB', RUNS, ['peak'], (v) => v('peak')));
      // Where the RSS is, from the gateway's own /metrics (main thread's V8 heap; render threads not included).
      for (const when of ['idle', 'after'] as const) {
        const title = when === 'idle' ? 'idle' : `after ${JOBS.toLocaleString('en-US')} jobs`;
        report(table.figure(`main thread V8 heap used, ${title}`, 'MB', RUNS, [`${when} heap`], (v) => v(`${when} heap`)));
        report(table.figure(`main thread V8 heap total, ${title}`, 'MB', RUNS, [`${when} heap total`], (v) => v(`${when} heap total`)));
      }
      note('VmRSS from /proc/<pid>/status: the main thread, the render threads and their heaps, SQLite\'s page cache');
    } finally {
      for (const sink of sinks) await sink.close();
    }
  },
};
