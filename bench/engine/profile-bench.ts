import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Benchmark, BenchFigure } from '../benchmark.js';
import { BenchGateway, type BenchPrinter } from '../harness/bench-gateway.js';
import { JOBS, RUN_TIMEOUT_MS, RUNS } from '../harness/bench-env.js';
import { CLI_MODULES, REPO_ROOT } from '../harness/gateway-process.js';
import { cpuMsOf } from '../harness/proc-stats.js';
import { startReceiptSink, type ReceiptSink } from '../peers/receipt-sink.js';
import { weightedStacks, type CpuProfile } from '../profile/cpu-profile.js';
import { heapSummary, type HeapProfile } from '../profile/heap-profile.js';
import { longestBusyStretches, summarise, summaryLines } from '../profile/profile-summary.js';
import { renderBombs } from '../fuzz/document-bombs.js';
import { renderAll, type Bombs } from './bombs-bench.js';
import { RECEIPT_BYTES, RECEIPT_MARKER } from './receipt.js';
import { keepAliveAgent, printgateSubmit, type Submit } from './submitters.js';
import { timedRun } from './timed-run.js';

const INTERVAL_US = 500;
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

interface Scenario {
  title: string;
  printers: (sinks: ReceiptSink[]) => BenchPrinter[];
  permissions: string[];
  /** Untimed warm-up, then the profiled part; returns the jobs it counts per-job figures by. */
  warmUp(gateway: BenchGateway, sinks: ReceiptSink[], submit: Submit): Promise<void>;
  profiled(gateway: BenchGateway, sinks: ReceiptSink[], submit: Submit, note: (text: string) => void): Promise<number>;
}

/** Sinks a scenario may use (the 10-printer one uses them all). */
const SINKS = 10;

/** RUNS × JOBS receipts to `printers` printers (round robin) after a warm-up: the shapes of the engine's own rows. */
function receiptsScenario(title: string, language: string, printers: number, clients: number): Scenario {
  return {
    title: `${title}, ${RUNS} × ${JOBS} receipts`,
    printers: (sinks) => sinks.slice(0, printers).map((sink) => ({ uri: sink.uri, language })),
    permissions: ['PrintToDevice'],
    warmUp: async (_gateway, sinks, submit) => void (await timedRun({ jobs: 500, printers, clients }, sinks, submit, RUN_TIMEOUT_MS)),
    profiled: async (_gateway, sinks, submit, note) => {
      for (let rep = 0; rep < RUNS; rep += 1) {
        const result = await timedRun({ jobs: JOBS, printers, clients }, sinks, submit, RUN_TIMEOUT_MS);
        note(`run ${rep + 1}: ${((JOBS * 1000) / result.deliverMs).toFixed(0)} jobs/s under the profiler`);
      }
      return RUNS * JOBS;
    },
  };
}

const engineScenario = receiptsScenario('escpos, 1 printer × 10 clients', 'escpos', 1, 10);
const oneClientScenario = receiptsScenario('raw, 1 printer × 1 client (latency-bound: nothing to batch)', 'raw', 1, 1);
const tenPrintersScenario = receiptsScenario('raw, 10 printers × 10 clients (small batches: each printer gets every tenth job)', 'raw', 10, 10);
const escposOneClientScenario = receiptsScenario('escpos, 10 printers × 1 client (each job rendered and sent alone)', 'escpos', 10, 1);

let bombs: Bombs = [];
const bombsScenario: Scenario = {
  title: 'the document bombs (and their previews), once',
  printers: (sinks) => [
    { uri: sinks[0]!.uri, language: 'escpos' },
    { uri: sinks[1]!.uri, language: 'zpl' },
  ],
  permissions: ['PrintToDevice', 'ViewJobs'],
  warmUp: async () => {
    bombs = renderBombs();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  },
  profiled: async (gateway, _sinks, _submit, note) => {
    for (const outcome of await renderAll(gateway, bombs)) note(outcome);
    return 0;
  },
};

/**
 * The main thread's allocations per job (garbage included: what the collector then spends time on)
 * over RUNS × JOBS escpos receipts, 1 printer × 10 clients, after a warm-up: serve loads
 * bench/profile/heap-sampler.js, which samples between two SIGUSR2. What found the per-job object
 * shapes that cost ~30 µs a job (README, Performance, 2026-12-06).
 */
async function heapScenario(report: (figure: BenchFigure) => void, note: (text: string) => void): Promise<void> {
  const dir = path.join(REPO_ROOT, 'dist/bench/profiles', `${new Date().toISOString().replace(/[:.]/g, '-')}-heap`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'main.heapprofile');
  const sinks = [await startReceiptSink(RECEIPT_MARKER)];
  const agent = keepAliveAgent(10);
  note(`— profile: allocations of the main thread, escpos, 1 printer × 10 clients, ${RUNS} × ${JOBS} receipts`);
  let gateway: BenchGateway | null = null;
  try {
    const sampler = path.join(REPO_ROOT, 'dist/bench/profile/heap-sampler.js');
    gateway = await BenchGateway.start({ printers: [{ uri: sinks[0]!.uri, language: 'escpos' }], entry: CLI_MODULES, nodeArgs: ['--import', sampler], env: { HEAP_SAMPLER_FILE: file } });
    const started = gateway;
    const submit = printgateSubmit({ url: started.url, key: started.key, path: (p) => started.printPath(p), body: RECEIPT_BYTES, contentType: 'text/plain', agent });
    await engineScenario.warmUp(started, sinks, submit);
    process.kill(started.pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const jobs = await engineScenario.profiled(started, sinks, submit, note);
    process.kill(started.pid, 'SIGUSR2');
    const deadline = Date.now() + 30_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!existsSync(file)) throw new Error(`serve wrote no heap profile into ${dir}`);
    // The file is written whole by one writeFileSync: once it parses, it is complete.
    let profile: HeapProfile | null = null;
    while (profile === null && Date.now() < deadline) {
      try {
        profile = JSON.parse(readFileSync(file, 'utf8')) as HeapProfile;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (profile === null) throw new Error(`the heap profile in ${dir} did not become readable`);
    const summary = heapSummary(profile, jobs);
    for (const line of summary.lines) note(`  ${line}`);
    report({ label: 'heap: main thread allocated per job (garbage included)', value: summary.kibPerJob, unit: 'KiB' });
    note(`profile: ${path.relative(process.cwd(), file)} (open in Chrome DevTools → Memory)`);
  } finally {
    agent.destroy();
    await gateway?.stop();
    for (const sink of sinks) await sink.close();
  }
}

/** The profiled scenarios by name (BENCH_PROFILE=engine,escpos-one-client runs some of them). */
const SCENARIOS: ReadonlyArray<readonly [string, Scenario]> = [
  ['engine', engineScenario],
  ['one-client', oneClientScenario],
  ['ten-printers', tenPrintersScenario],
  ['escpos-one-client', escposOneClientScenario],
  ['bombs', bombsScenario],
];

/** Runs a scenario on a serve child under --cpu-prof; summarises each thread's samples of the profiled part. */
async function profileScenario(name: string, scenario: Scenario, report: (figure: BenchFigure) => void, note: (text: string) => void): Promise<void> {
  const dir = path.join(REPO_ROOT, 'dist/bench/profiles', `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}`);
  mkdirSync(dir, { recursive: true });
  const sinks: ReceiptSink[] = [];
  for (let i = 0; i < SINKS; i += 1) sinks.push(await startReceiptSink(RECEIPT_MARKER));
  const spawnedUs = nowUs();
  let gateway: BenchGateway | null = null;
  let fromUs = 0;
  let toUs = 0;
  let jobs = 0;
  let cpuMs = 0;
  const agent = keepAliveAgent(10);
  note(`— profile: ${scenario.title}`);
  try {
    // The unbundled CLI: the profile then names each built file, which is what the areas are read from.
    gateway = await BenchGateway.start({ printers: scenario.printers(sinks), permissions: scenario.permissions, entry: CLI_MODULES, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(INTERVAL_US)] });
    const started = gateway;
    const submit = printgateSubmit({ url: started.url, key: started.key, path: (p) => started.printPath(p), body: RECEIPT_BYTES, contentType: 'text/plain', agent });
    await scenario.warmUp(gateway, sinks, submit);
    const cpuBefore = cpuMsOf(gateway.pid);
    fromUs = nowUs();
    jobs = await scenario.profiled(gateway, sinks, submit, note);
    await new Promise((resolve) => setTimeout(resolve, 300));
    toUs = nowUs();
    cpuMs = cpuMsOf(gateway.pid) - cpuBefore;
  } finally {
    agent.destroy();
    await gateway?.stop();
    for (const sink of sinks) await sink.close();
  }
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`serve wrote no profile into ${dir}`);
  if (jobs > 0) report({ label: `${name}: serve CPU per job under the profiler (all threads)`, value: cpuMs / jobs, unit: 'ms' });
  else report({ label: `${name}: serve CPU under the profiler (all threads)`, value: cpuMs, unit: 'ms' });
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const threadOf = (file: string): number => Number(file.split('.')[4]);
  for (const file of files.sort((a, b) => threadOf(a) - threadOf(b))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    // The profile's clock is the monotonic one of process.hrtime(): keep the profiled part's samples only.
    const sameClock = profile.startTime >= spawnedUs - 5e6 && profile.startTime <= toUs;
    const stacks = weightedStacks(profile, sameClock ? fromUs : null, sameClock ? toUs : null);
    const summary = summarise(stacks);
    if (summary.totalMs === 0) continue;
    const main = threadOf(file) === 0;
    const title = `${main ? 'main thread' : `render thread ${threadOf(file)}`}${sameClock ? '' : ' (whole profile: clocks differ)'}`;
    for (const line of summaryLines(title, summary, jobs)) note(line);
    if (main) {
      const stretches = longestBusyStretches(stacks);
      if (stretches.length > 0) note('  longest stretches the event loop was busy:');
      for (const stretch of stretches) note(`    ${stretch}`);
    }
    report({ label: `${name}: ${title}, busy${jobs > 0 ? ' per job' : ''}`, value: jobs > 0 ? summary.busyMs / jobs : summary.busyMs, unit: 'ms' });
  }
  note(`profiles: ${path.relative(process.cwd(), dir)} (open in Chrome DevTools → Performance, or VS Code)`);
}

/**
 * `npm run bench -- profile` (only when named): the serve child under `node --cpu-prof
 * --cpu-prof-interval 500` (µs) for (1) the 1 printer × 10 clients escpos scenario (BENCH_RUNS ×
 * BENCH_JOBS receipts after a warm-up), (2) the same count of raw receipts from one client (each
 * submit waits for the one before: per-job costs that batching hides), (3) raw receipts to 10 printers
 * from 10 clients (each printer's batches small), (4) escpos receipts to 10 printers from one client
 * (each job rendered and sent on its own), (5) the document bombs and (6) `heap`: the main thread's
 * allocations per job under the escpos load (BENCH_PROFILE picks some by name); for each thread, a summary
 * of the samples taken during the profiled part: where the time goes by area (intake HTTP, auth,
 * SQLite, render hand-off, delivery, logging…), top self-time functions and modules, and the
 * longest stretches the event loop was busy. The profiles stay in dist/bench/profiles/.
 */
export const profileBench: Benchmark = {
  name: 'profile',
  description: `--cpu-prof of serve: ${RUNS} × ${JOBS} escpos receipts (1 printer × 10 clients), raw receipts (1 × 1, then 10 printers × 10), escpos 10 printers × 1 client, the document bombs, then the main thread's allocations per job`,
  onlyWhenNamed: true,
  async run(report, note) {
    const only = (process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean);
    for (const [name, scenario] of SCENARIOS) {
      if (only.length === 0 || only.includes(name)) await profileScenario(name, scenario, report, note);
    }
    if (only.length === 0 || only.includes('heap')) await heapScenario(report, note);
    note('the profiler costs time of its own (a sample every 500 µs): shares are the figures to read, not the totals');
  },
};
