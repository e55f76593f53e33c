/** A positive number from the environment (job counts, repetitions), else the default. */
export function benchNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

/** Repetitions of each scenario (BENCH_RUNS, at least 3 unless set lower on purpose). */
export const RUNS = Math.round(benchNumber('BENCH_RUNS', 3));
/** Receipts per throughput run (BENCH_JOBS). */
export const JOBS = Math.round(benchNumber('BENCH_JOBS', 500));
/** Longest a single run may take before it fails (BENCH_RUN_TIMEOUT_MS). */
export const RUN_TIMEOUT_MS = benchNumber('BENCH_RUN_TIMEOUT_MS', 180_000);
