import { spawn, spawnSync } from 'node:child_process';
import type { Benchmark } from '../benchmark.js';
import { BenchGateway, freePort } from '../harness/bench-gateway.js';
import { benchNumber } from '../harness/bench-env.js';
import { CLI, createKey } from '../harness/gateway-process.js';
import { call } from '../harness/http-call.js';
import { RepTable } from '../harness/rep-table.js';
import { startReceiptSink } from '../peers/receipt-sink.js';
import { SERVE_ENVIRONMENT, SERVE_NODE_FLAGS } from '../../src/memory-limits.js';
import { RECEIPT_MARKER } from './receipt.js';

const STARTS = Math.round(benchNumber('BENCH_STARTUP_RUNS', 5, 3));
const START_TIMEOUT_MS = 30_000;

interface Start {
  /** exec → the first 200 from GET /healthz. */
  healthzMs: number;
  /** exec → the "listening" log line on stdout. */
  listeningMs: number;
}

/** Spawns serve, polls /healthz every 5 ms until it answers 200, then stops it (SIGTERM, bounded). */
async function timeOneStart(configFile: string, port: number): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, CLI, 'serve', '--config', configFile], { env: { ...process.env, ...SERVE_ENVIRONMENT, PRINTGATE_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let listeningMs = Number.NaN;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (Number.isNaN(listeningMs) && output.includes('"msg":"listening"')) listeningMs = performance.now() - started;
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}) before answering: ${output.slice(-500)}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`serve did not answer /healthz within ${START_TIMEOUT_MS} ms`);
      const answer = await call(`http://127.0.0.1:${port}/healthz`, { method: 'GET', timeoutMs: 1000 });
      if (answer.status === 200) {
        const healthzMs = performance.now() - started;
        // The line is written before the loop turn that answers; give the pipe a moment to deliver it.
        for (let i = 0; i < 100 && Number.isNaN(listeningMs); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
        return { healthzMs, listeningMs };
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

function nodeNothingMs(): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['-e', ''], { timeout: 30_000 });
  if (result.status !== 0) throw new Error(`node -e '' exited ${result.status}`);
  return performance.now() - started;
}

/**
 * exec → accepting requests: `node dist/src/cli.js serve` spawned with a configuration of one
 * escpos printer on an existing data directory (one untimed start made it), GET /healthz polled
 * every 5 ms until it answers 200; the median of 5 starts (BENCH_STARTUP_RUNS). The "listening"
 * log line's time is shown beside it, and `node -e ''` as the floor.
 */
export const startupBench: Benchmark = {
  name: 'startup',
  description: `exec → first 200 from GET /healthz (polled every 5 ms), ${STARTS} starts, vs node -e ''`,
  async run(report, note) {
    const table = new RepTable();
    const sink = await startReceiptSink(RECEIPT_MARKER);
    const port = await freePort();
    const files = BenchGateway.configure({ printers: [{ uri: sink.uri, language: 'escpos' }], port });
    try {
      createKey(files.file, ['PrintToDevice'], 'bench');
      await timeOneStart(files.file, port).catch((error: unknown) => table.fail('healthz', (error as Error).message));
      for (let rep = 0; rep < STARTS; rep += 1) {
        try {
          const start = await timeOneStart(files.file, port);
          table.set(rep, 'healthz', start.healthzMs);
          if (Number.isFinite(start.listeningMs)) table.set(rep, 'listening', start.listeningMs);
        } catch (error) {
          table.fail('healthz', (error as Error).message);
          table.fail('listening', (error as Error).message);
        }
        try {
          table.set(rep, 'node', nodeNothingMs());
        } catch (error) {
          table.fail('node', (error as Error).message);
        }
      }
      report(table.figure('exec → accepting requests (first 200 from /healthz)', 'ms', STARTS, ['healthz'], (v) => v('healthz'), { op: '<', value: 1000 }));
      report(table.figure('exec → "listening" log line', 'ms', STARTS, ['listening'], (v) => v('listening')));
      report(table.figure("node -e '' (exec → exit)", 'ms', STARTS, ['node'], (v) => v('node')));
      report(table.figure("exec → accepting requests / node -e ''", '×', STARTS, ['healthz', 'node'], (v) => v('healthz') / v('node')));
      note('an existing data directory (a restart); the port is fixed in advance so /healthz can be polled before the log line');
    } finally {
      files.remove();
      await sink.close();
    }
  },
};
