import { mkdirSync, writeFileSync } from 'node:fs';
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
import { figureLine, summaryTable } from './harness/bench-table.js';
import { REPO_ROOT } from './harness/gateway-process.js';
import { describeMachine, machineInfo } from './harness/machine-info.js';
import { renderBench } from './render-bench.js';
import { sseBench } from './sse-bench.js';

/**
 * `npm run bench [-- name…] [-- --json]`: runs the registered benchmarks one after another, prints
 * their figures (min / median / max of the runs, the target each is held against, PASS / MISS /
 * FAILED) and a summary table, and writes bench/results.json (a full run) with the machine, Node
 * and commit. A figure that could not be measured FAILS, and the exit code is then 1.
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
  const file = names.length === 0 ? path.join(REPO_ROOT, 'bench/results.json') : path.join(REPO_ROOT, 'dist/bench/results-partial.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const document = { machine, finishedAt: new Date().toISOString(), selected: selected.map((bench) => bench.name), benchmarks: results };
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
