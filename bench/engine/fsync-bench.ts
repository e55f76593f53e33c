import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { orFailed, type Benchmark } from '../benchmark.js';
import { BenchGateway } from '../harness/bench-gateway.js';
import { JOBS, RUN_TIMEOUT_MS, RUNS } from '../harness/bench-env.js';
import { needProgram } from '../harness/need-program.js';
import { threadsOf } from '../harness/proc-stats.js';
import { startReceiptSink } from '../peers/receipt-sink.js';
import { RECEIPT_BYTES, RECEIPT_MARKER } from './receipt.js';
import { keepAliveAgent, printgateSubmit } from './submitters.js';
import { timedRun } from './timed-run.js';

const SYNC_CALLS = ['fsync', 'fdatasync', 'sync_file_range'] as const;

/** Calls per syscall from `strace -c`'s summary table. */
export function syncCalls(summary: string): Record<string, number> {
  const calls: Record<string, number> = Object.fromEntries(SYNC_CALLS.map((name) => [name, 0]));
  for (const line of summary.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1) ?? '';
    if (!(name in calls)) continue;
    // % time, seconds, usecs/call, calls, [errors], syscall
    const count = Number(fields[3]);
    if (Number.isFinite(count)) calls[name] = count;
  }
  return calls;
}

/**
 * Attaches `strace -f -c` to every thread of a process (new threads are followed), runs `during`,
 * then detaches (SIGINT) and returns the summary. Bounded: attaching and detaching each 15 s.
 */
async function straced<T>(pid: number, during: () => Promise<T>): Promise<{ result: T; summary: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-strace-'));
  const out = path.join(dir, 'summary.txt');
  const threads = threadsOf(pid).length;
  // -f with the process's PID attaches to all its threads ("attached with N threads") and follows new ones.
  const strace = spawn('strace', ['-f', '-c', '-o', out, '-e', `trace=${SYNC_CALLS.join(',')}`, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  strace.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => strace.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 15_000;
    while (!/attached/.test(stderr)) {
      if (strace.exitCode !== null) throw new Error(`strace could not attach: ${stderr.trim().slice(0, 300)}`);
      if (Date.now() > deadline) throw new Error(`strace did not attach to the ${threads} threads of ${pid} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await during();
    strace.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
    if (code === 'timeout') throw new Error('strace did not detach within 15 s');
    return { result, summary: readFileSync(out, 'utf8') };
  } finally {
    if (strace.exitCode === null) strace.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * fsyncs per accepted job at 10 in flight: strace counts fsync, fdatasync and sync_file_range of
 * the serve process (every thread: libuv's pool runs asynchronous fsyncs) while 500 receipts
 * (escpos) are accepted and delivered to one printer. Whether a 201 ever comes before its job is
 * on stable storage cannot be seen from outside; the chaos test covers losing nothing.
 */
export const fsyncBench: Benchmark = {
  name: 'fsync',
  description: `fsync + fdatasync + sync_file_range per accepted job, ${JOBS} escpos receipts at 10 in flight, strace attached to the serve process, ${RUNS} runs`,
  async run(report, note) {
    const label = 'fsyncs per accepted job, 10 in flight (escpos, 1 printer)';
    let gateway: BenchGateway | null = null;
    const sink = await startReceiptSink(RECEIPT_MARKER);
    const agent = keepAliveAgent(10);
    try {
      await orFailed(report, label, 'per job', { op: '<=', value: 0.5 }, async () => {
        needProgram('strace', 'strace');
        gateway = await BenchGateway.start({ printers: [{ uri: sink.uri, language: 'escpos' }] });
        const submit = printgateSubmit({ url: gateway.url, key: gateway.key, path: (p) => gateway!.printPath(p), body: RECEIPT_BYTES, contentType: 'text/plain', agent });
        await timedRun({ jobs: 50, printers: 1, clients: 10 }, [sink], submit, RUN_TIMEOUT_MS);
        const samples: number[] = [];
        for (let rep = 0; rep < RUNS; rep += 1) {
          const { summary } = await straced(gateway.pid, async () => {
            await timedRun({ jobs: JOBS, printers: 1, clients: 10 }, [sink], submit, RUN_TIMEOUT_MS);
            // The completions' commits after the last receipt belong to the run.
            await new Promise((resolve) => setTimeout(resolve, 500));
          });
          const calls = syncCalls(summary);
          const total = Object.values(calls).reduce((a, b) => a + b, 0);
          samples.push(total / JOBS);
          note(`run ${rep + 1}: ${SYNC_CALLS.map((name) => `${name} ${calls[name]}`).join(', ')} for ${JOBS} jobs`);
        }
        return samples;
      });
      note('strace slows the process it traces: this row counts calls, it times nothing');
    } finally {
      agent.destroy();
      await (gateway as BenchGateway | null)?.stop();
      await sink.close();
    }
  },
};
