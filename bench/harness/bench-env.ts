/**
 * `npm run bench -- --quick`: every row in one short run (fewer jobs, keys and repetitions), to see
 * that the bench works end to end; its figures are rougher and its targets are not all meaningful.
 */
export const QUICK = process.argv.includes('--quick');

/** A positive number from the environment (job counts, repetitions), else the default (`quick` under --quick). */
export function benchNumber(name: string, fallback: number, quick = fallback): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

/** Repetitions of each scenario (BENCH_RUNS, at least 3 unless set lower on purpose; 2 under --quick). */
export const RUNS = Math.round(benchNumber('BENCH_RUNS', 3, 2));
/** Receipts per throughput run (BENCH_JOBS; 100 under --quick). */
export const JOBS = Math.round(benchNumber('BENCH_JOBS', 500, 100));
/** Longest a single run may take before it fails (BENCH_RUN_TIMEOUT_MS). */
export const RUN_TIMEOUT_MS = benchNumber('BENCH_RUN_TIMEOUT_MS', 180_000);

/**
 * BENCH_CONFIG: JSON merged over the top level of every bench gateway's configuration (e.g.
 * `{"jobs":{"deliveryThread":true}}`), to compare a setting in one command; results.json records it.
 */
export function benchConfigOverride(): Record<string, unknown> {
  const raw = process.env.BENCH_CONFIG;
  if (raw === undefined || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(`BENCH_CONFIG is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('BENCH_CONFIG: expected a JSON object of top-level config keys');
  return value as Record<string, unknown>;
}
