import { authBench } from './auth-bench.js';
import { cloudBench } from './cloud-bench.js';
import { discoveryBench } from './discovery-bench.js';
import type { Benchmark, BenchFigure } from './benchmark.js';
import { printBench } from './print-bench.js';
import { renderBench } from './render-bench.js';
import { sseBench } from './sse-bench.js';

/**
 * `npm run bench [-- name…] [-- --json]`: runs the registered benchmarks one after another and
 * prints their figures. Add a benchmark as its own file exporting a Benchmark and list it here.
 */
const BENCHMARKS: readonly Benchmark[] = [
  authBench,
  {
    name: 'print',
    description: 'print jobs accepted and delivered per second',
    run: async (_report, note) => (await printBench()).forEach(note),
  },
  cloudBench,
  renderBench,
  discoveryBench,
  sseBench,
];

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => names.includes(bench.name));
  const results: Record<string, { figures: BenchFigure[]; notes: string[] }> = {};
  for (const bench of selected) {
    const figures: BenchFigure[] = [];
    const notes: string[] = [];
    results[bench.name] = { figures, notes };
    if (!json) process.stdout.write(`\n${bench.name}: ${bench.description}\n`);
    await bench.run(
      (figure) => {
        figures.push(figure);
        if (!json) process.stdout.write(`  ${figure.label.padEnd(52)} ${formatValue(figure.value).padStart(10)} ${figure.unit}\n`);
      },
      (text) => {
        notes.push(text);
        if (!json) process.stdout.write(`  ${text}\n`);
      },
    );
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

function formatValue(value: number): string {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
