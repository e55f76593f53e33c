import type { ReceiptSink } from '../peers/receipt-sink.js';
import type { Submit } from './submitters.js';

export interface RunShape {
  jobs: number;
  /** Submits in flight at once. */
  clients: number;
  /** Printers the jobs are spread over, round robin (sinks[0..printers-1]). */
  printers: number;
}

export interface RunResult {
  /** First submit → every submit answered. */
  acceptMs: number;
  /** First submit → the last receipt at the sinks. */
  deliverMs: number;
  /** Each submit's time until its answer. */
  latencies: number[];
  /** The sinks' receipt counts before the run (for checkNoExtra after it settled). */
  bases: number[];
}

/** Receipts each of the first `printers` sinks gets from `jobs` spread round robin. */
export function expectedPerSink(shape: RunShape): number[] {
  return Array.from({ length: shape.printers }, (_, k) => Math.floor(shape.jobs / shape.printers) + (k < shape.jobs % shape.printers ? 1 : 0));
}

/**
 * One timed run (`sinks` empty: nothing is waited for beyond the answers): `clients` submitters take jobs 0…jobs-1 in turn (job i to printer i mod printers),
 * and the run ends when every receipt arrived at the sinks. A submit that is not accepted, or a
 * receipt missing at the deadline, fails the whole run: its time is not a figure.
 */
export async function timedRun(shape: RunShape, sinks: readonly ReceiptSink[], submit: Submit, timeoutMs: number): Promise<RunResult> {
  const used = sinks.slice(0, shape.printers);
  const expected = expectedPerSink(shape);
  const bases = used.map((sink) => sink.receipts());
  const latencies: number[] = [];
  let next = 0;
  let failure: Error | null = null;
  const deadline = performance.now() + timeoutMs;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (next < shape.jobs && failure === null) {
      const i = next;
      next += 1;
      if (performance.now() > deadline) throw new Error(`submits still running after ${timeoutMs} ms`);
      const at = performance.now();
      await submit(i, i % shape.printers);
      latencies.push(performance.now() - at);
    }
  };
  const arrivals = used.map((sink, k) => sink.waitForReceipts(bases[k]! + expected[k]!, timeoutMs));
  // A failed run stops waiting at once; the arrivals it leaves are settled by their own timers.
  for (const arrival of arrivals) arrival.catch(() => undefined);
  await Promise.all(
    Array.from({ length: shape.clients }, () =>
      client().catch((error: unknown) => {
        failure ??= error as Error;
      }),
    ),
  );
  if (failure) throw failure;
  const acceptMs = performance.now() - started;
  // No sinks (the bare server): the run ends with the last answer.
  const lastAt = Math.max(started, ...(await Promise.all(arrivals)));
  return { acceptMs, deliverMs: Math.max(lastAt - started, acceptMs), latencies, bases };
}

/** Fails when a sink got more receipts than were sent (a job printed twice). */
export function checkNoExtra(shape: RunShape, sinks: readonly ReceiptSink[], bases: readonly number[]): void {
  const expected = expectedPerSink(shape);
  sinks.slice(0, shape.printers).forEach((sink, k) => {
    const extra = sink.receipts() - bases[k]! - expected[k]!;
    if (extra !== 0) throw new Error(`printer ${k} received ${extra > 0 ? `${extra} receipts more` : `${-extra} fewer`} than sent`);
  });
}

/**
 * After a failed run: waits (bounded) until no sink has received anything for `quietMs`, so the
 * jobs a failed run left queued are not counted as the next run's receipts.
 */
export async function settleSinks(sinks: readonly ReceiptSink[], quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = sinks.map((sink) => sink.receipts()).join(',');
  let quietSince = performance.now();
  while (performance.now() - quietSince < quietMs && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = sinks.map((sink) => sink.receipts()).join(',');
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
  }
}
