import type { ChaosSink } from './chaos-sink.js';
import { counts, type JobView } from './chaos-jobs.js';

/** The account of a chaos run: what happened to every accepted job. */
export interface ChaosAccount {
  accepted: number;
  printedOnce: number;
  /** Jobs that arrived more than once, each with the reason the gateway gives. */
  reprinted: { n: number; printer: string; times: number; state: string | null; stateReason: string | null }[];
  /** Not printed, held for a person (the gateway says why). */
  held: number[];
  /** Not printed, ended by the gateway with a reason (aborted, canceled). */
  failed: { n: number; state: string; stateReason: string | null }[];
  /** Not printed yet, still queued when the run stopped waiting. */
  waiting: { n: number; printer: string; state: string; stateReason: string | null }[];
  /** Accepted, never printed, and the gateway does not know it or calls it printed: must be 0. */
  lost: number[];
  /** Arrived at a printer it was not sent to. */
  misrouted: number[];
  torn: Record<string, number>;
  /** Submissions answered with a refusal (a full disk), by status. */
  refused: Record<string, number>;
  serverErrors: number;
  kills: number;
  crashes: number;
  notes: string[];
}

export interface AccountInput {
  accepted: Map<number, string>;
  printerOf: (n: number) => string;
  sinks: readonly ChaosSink[];
  jobs: readonly JobView[];
}

const FINAL_NOT_PRINTED = new Set(['aborted', 'canceled']);

/** Counts every accepted job at the printers and in the gateway's own list. */
export function accountOf(input: AccountInput): Pick<ChaosAccount, 'accepted' | 'printedOnce' | 'reprinted' | 'held' | 'failed' | 'waiting' | 'lost' | 'misrouted' | 'torn'> {
  const byId = new Map(input.jobs.map((job) => [job.id, job]));
  const seenAt = new Map(input.sinks.map((sink) => [sink.name, counts(sink.numbers())]));
  const account = { accepted: input.accepted.size, printedOnce: 0, reprinted: [], held: [], failed: [], waiting: [], lost: [], misrouted: [], torn: {} } as ReturnType<typeof accountOf>;
  for (const sink of input.sinks) account.torn[sink.name] = sink.torn().length;
  for (const [n, jobId] of input.accepted) {
    const printer = input.printerOf(n);
    const job = byId.get(jobId);
    const times = seenAt.get(printer)?.get(n) ?? 0;
    for (const [name, seen] of seenAt) if (name !== printer && (seen.get(n) ?? 0) > 0) account.misrouted.push(n);
    if (times === 1) account.printedOnce += 1;
    else if (times > 1) account.reprinted.push({ n, printer, times, state: job?.state ?? null, stateReason: job?.stateReason ?? null });
    else if (job?.state === 'held') account.held.push(n);
    else if (job && FINAL_NOT_PRINTED.has(job.state)) account.failed.push({ n, state: job.state, stateReason: job.stateReason });
    else if (job && (job.state === 'pending' || job.state === 'processing')) account.waiting.push({ n, printer, state: job.state, stateReason: job.stateReason });
    else account.lost.push(n);
  }
  return account;
}

/** Every accepted job printed, held or ended with a reason (nothing left waiting). */
export function settled(account: ReturnType<typeof accountOf>): boolean {
  return account.waiting.length === 0 && account.lost.length === 0;
}

export function printChaosAccount(account: ChaosAccount, out: (line: string) => void): void {
  out(`chaos account: ${account.kills} kill -9 cycles, ${account.crashes} crashes`);
  out(`  accepted: ${account.accepted}`);
  out(`  printed once: ${account.printedOnce}`);
  out(`  reprinted: ${account.reprinted.length}${account.reprinted.map((r) => `\n    job ${r.n} at ${r.printer} ×${r.times} (${r.state ?? 'unknown'}${r.stateReason ? `, ${r.stateReason}` : ''})`).join('')}`);
  out(`  held: ${account.held.length}${account.held.length > 0 ? ` (${account.held.join(', ')})` : ''}`);
  out(`  failed with a reason: ${account.failed.length}${account.failed.map((f) => `\n    job ${f.n}: ${f.state}${f.stateReason ? `, ${f.stateReason}` : ''}`).join('')}`);
  out(`  still waiting at the end: ${account.waiting.length}${account.waiting.slice(0, 10).map((w) => `\n    job ${w.n} for ${w.printer}: ${w.state}${w.stateReason ? `, ${w.stateReason}` : ''}`).join('')}`);
  out(`  lost: ${account.lost.length}${account.lost.length > 0 ? ` (${account.lost.join(', ')})` : ''}`);
  out(`  misrouted: ${account.misrouted.length}   torn connections: ${Object.entries(account.torn).map(([name, n]) => `${name} ${n}`).join(', ')}`);
  out(`  refused submissions: ${Object.keys(account.refused).length === 0 ? 'none' : Object.entries(account.refused).map(([status, n]) => `${status}: ${n}`).join(', ')}   5xx answers: ${account.serverErrors}`);
  for (const note of account.notes) out(`  note: ${note}`);
}
