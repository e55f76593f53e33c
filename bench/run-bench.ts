import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { authBench } from './auth-bench.js';
import { verdictOf, type Benchmark, type BenchFigure } from './benchmark.js';
import { cloudBench } from './cloud-bench.js';
import { discoveryBench } from './discovery-bench.js';
import { bombsBench } from './engine/bombs-bench.js';
import { engineBench } from './engine/engine-bench.js';
import { fsyncBench } from './engine/fsync-bench.js';
import { memoryBench } from './engine/memory-bench.js';
import { profileBench } from './engine/profile-bench.js';
import { startupBench } from './engine/startup-bench.js';
import { QUICK } from './harness/bench-env.js';
import { figureLine, summaryTable } from './harness/bench-table.js';
import { REPO_ROOT } from './harness/gateway-process.js';
import { describeMachine, machineInfo } from './harness/machine-info.js';
import { renderBench } from './render-bench.js';
import { sseBench } from './sse-bench.js';

/**
 * `npm run bench [-- name…] [-- --quick] [-- --json]`: runs the registered benchmarks one after
 * another, prints their figures (min / median / max of the runs, the target each is held against,
 * PASS / MISS / FAILED) and a summary table, and writes bench/results.json (a full run; --quick and
 * a few names write under dist/bench/) with the machine, Node, commit and the load before and after.
 * A figure that could not be measured FAILS, and the exit code is then 1.
 * Add a benchmark as its own file exporting a Benchmark and list it here.
 */
const BENCHMARKS: readonly Benchmark[] = [engineBench, fsyncBench, memoryBench, startupBench, bombsBench, cloudBench, authBench, renderBench, discoveryBench, sseBench, profileBench];

interface BenchResult {
  description: string;
  figures: (BenchFigure & { min?: number; max?: number; verdict: string })[];
  notes: string[];
  error?: string;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const selected = names.length === 0 ? BENCHMARKS.filter((bench) => !bench.onlyWhenNamed) : BENCHMARKS.filter((bench) => names.includes(bench.name));
  const machine = machineInfo();
  const runStarted = Date.now();
  const out = (text: string): void => void (json ? undefined : process.stdout.write(`${text}\n`));
  out(`machine: ${describeMachine(machine)}`);
  const results: Record<string, BenchResult> = {};
  const all: BenchFigure[] = [];
  for (const bench of selected) {
    const result: BenchResult = { description: bench.description, figures: [], notes: [] };
    results[bench.name] = result;
    out(`\n${bench.name}: ${bench.description}`);
    const started = Date.now();
    try {
      await bench.run(
        (figure) => {
          all.push(figure);
          const samples = figure.samples ?? [];
          result.figures.push({ ...figure, ...(samples.length > 0 ? { min: Math.min(...samples), max: Math.max(...samples) } : {}), verdict: verdictOf(figure) });
          out(figureLine(figure));
        },
        (text) => {
          result.notes.push(text);
          out(`  ${text}`);
        },
      );
    } catch (error) {
      // A benchmark that broke down is a failed row of its own, and the others still run.
      const reason = (error as Error)?.message ?? String(error);
      result.error = reason;
      const figure: BenchFigure = { label: `${bench.name}: the benchmark itself`, value: Number.NaN, unit: '', failed: reason };
      all.push(figure);
      result.figures.push({ ...figure, verdict: 'FAILED' });
      out(figureLine(figure));
      process.stderr.write(`${bench.name} failed: ${(error as Error)?.stack ?? reason}\n`);
    }
    out(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const failed = all.filter((figure) => verdictOf(figure) === 'FAILED');
  out(`\nsummary (${describeMachine(machine)}):`);
  for (const line of summaryTable(all)) out(line);
  const file = path.join(REPO_ROOT, names.length > 0 ? 'dist/bench/results-partial.json' : QUICK ? 'dist/bench/results-quick.json' : 'bench/results.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const elapsedSeconds = Math.round((Date.now() - runStarted) / 1000);
  const loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 100) / 100);
  out(`load average at the end ${loadAverageAtEnd.map((n) => n.toFixed(2)).join(' ')}; the whole run took ${elapsedSeconds} s${QUICK ? ' (--quick: fewer jobs, keys and runs)' : ''}`);
  const document = { machine, quick: QUICK, finishedAt: new Date().toISOString(), elapsedSeconds, loadAverageAtEnd, selected: selected.map((bench) => bench.name), benchmarks: results };
  writeFileSync(file, `${JSON.stringify(document, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  out(`\nresults written to ${path.relative(process.cwd(), file) || file}${failed.length > 0 ? `; ${failed.length} row(s) FAILED` : ''}`);
  if (json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  return failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
