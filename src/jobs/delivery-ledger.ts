import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DeliveryReport } from '../driver-api/index.js';
import type { Printer, PrinterStatuses } from '../printers/printer-registry.js';
import type { Item } from './batch-renderer.js';
import type { JobEvents } from './job-events.js';
import { TERMINAL_STATES, type JobState } from './job-states.js';
import type { Job, JobStore, TransitionChange } from './job-store.js';
import { storageError } from './storage-error.js';
import { completionReason, decideFailure, planFailure, planUncertain, type Confirmation, type FailurePlan } from './worker-decisions.js';

/** How a delivery ended, for the worker's loop. */
export type Outcome = 'next' | 'retry-later' | 'printer-stopped' | 'printer-blocked';

/** The job on the wire, so a cancel or a shutdown can cut it short. */
export interface OnTheWire {
  jobId: string;
  controller: AbortController;
  sending: boolean;
  /** Bytes of the job were handed to the connection (a session write began): it may print though the send failed. */
  bytesOut?: boolean;
  /** False once every byte is out and only the printer's close is awaited: a cancel cannot take them back, and cutting the wait short would lose the others' confirmation. */
  cancellable: boolean;
}

export interface DeliveryLedgerDeps {
  printer: Printer;
  jobs: JobStore;
  registry: PrinterStatuses;
  events: JobEvents;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  onStorageFull: () => void;
  state: { readonly stopping: boolean; blocking: string[] };
  /** Jobs canceled during this delivery (skipped, never moved again here). */
  canceled: ReadonlySet<string>;
}

const TERMINAL = new Set<JobState>(TERMINAL_STATES);

type Move = { job: Job; to: JobState; change: TransitionChange; from: readonly JobState[] };

/**
 * What JobDelivery records of each job it took: completed or held on the printer's word, failed as
 * the catalogue decides, back in the queue, or uncertain after a lost connection — each one
 * commit (or one for a batch the printer confirmed together), then its event and log line. Counts
 * the jobs that reached an end state, so the worker knows when a batch is all settled.
 */
export class DeliveryLedger {
  /** Jobs of the current delivery that reached an end state here. */
  settled = 0;

  constructor(private readonly deps: DeliveryLedgerDeps, private readonly log: Logger) {}

  /** Records a sent job's end; returns 'printer-blocked' when the printer holds it for a person. */
  complete(item: Item, confirmation: Confirmation, report: DeliveryReport): Promise<Outcome | null> {
    return this.completeAll([item], confirmation, report, () => report.bytesWritten);
  }

  /**
   * Records the end of jobs the printer confirmed together (a session's batch, by its close or one
   * status answer): committed with the turn's other writes (every printer's, JobStore.inTurn), then
   * their events and log lines. A full disk does not lose the outcome: the storage guard frees its
   * reserve and the batch is written again.
   */
  async completeAll(items: readonly Item[], confirmation: Confirmation, report: DeliveryReport, bytesOf: (item: Item) => number): Promise<Outcome | null> {
    if (confirmation.kind === 'wait' || items.length === 0) return null;
    const state: JobState = confirmation.kind === 'held' ? 'held' : 'completed';
    const plans = items.map(({ job, rendered }) => ({
      job,
      change: {
        stateReason: state === 'completed' ? completionReason(job.stateReason, confirmation.stateReason) : confirmation.stateReason,
        warnings: rendered.warnings,
        printerCode: report.printerCode ?? null,
      } satisfies TransitionChange,
    }));
    const moved = await this.endAllInTurn(plans.map((plan) => ({ job: plan.job, to: state, change: plan.change, from: ['processing'] as const })));
    const stopped = this.deps.state.blocking.length > 0;
    this.deps.registry.updateStatus(this.deps.printer.id, {
      state: stopped ? 'stopped' : 'idle',
      ...(confirmation.answered ? {} : { reasons: [] }),
      lastSeenAt: this.deps.now().toISOString(),
      ...(stopped ? {} : { lastError: null }),
    });
    if (state === 'held') {
      for (const plan of plans) this.log.error({ jobId: plan.job.id, reason: plan.change.stateReason, reasons: this.deps.state.blocking }, 'job held for a person');
      return 'printer-blocked';
    }
    // Not moved: canceled meanwhile (its bytes had all gone out); the printer's answer still counts.
    moved.forEach((job, index) => {
      if (!job) return;
      this.log.info({ jobId: job.id, bytes: bytesOf(items[index]!), confirmed: job.stateReason !== 'completed-unconfirmed', note: report.note }, 'job completed');
    });
    return null;
  }

  failed(job: Job, error: unknown, wire: OnTheWire): Outcome {
    const { signal } = wire.controller;
    if (signal.aborted) {
      if (signal.reason === 'cancel') {
        this.log.info({ jobId: job.id }, 'job canceled while printing');
      } else if (wire.sending && this.deps.config.jobs.inFlightAfterRestart === 'hold') {
        // Bytes may have reached the printer: under `hold` nothing may print twice, so a person decides.
        this.end(job, 'held', { stateReason: 'held-after-shutdown' }, ['processing']);
        this.log.warn({ jobId: job.id }, 'job held on shutdown: it may have printed');
      } else {
        // Re-queued cleanly; the attempt that was cut short does not count.
        this.end(job, 'pending', { stateReason: 'requeued-on-shutdown', attemptsDelta: -1 }, ['processing']);
        this.log.warn({ jobId: job.id }, 'job re-queued on shutdown');
      }
      this.deps.registry.updateStatus(this.deps.printer.id, { state: 'idle' });
      return 'next';
    }
    const decision = decideFailure(error);
    const plan: FailurePlan = planFailure(decision, job, wire.sending, this.deps.config.jobs.inFlightAfterRestart, wire.bytesOut ?? false);
    this.end(job, plan.to, plan.change, ['processing']);
    const fields = { jobId: job.id, code: decision.code, err: decision.message, attempts: job.attempts };
    if (plan.printer !== 'idle') {
      this.deps.registry.updateStatus(this.deps.printer.id, { state: 'stopped', reasons: [plan.printer], lastError: decision.message });
      return 'printer-stopped';
    }
    this.deps.registry.updateStatus(this.deps.printer.id, { state: 'idle', lastError: plan.to === 'canceled' ? null : decision.message });
    if (plan.to === 'pending') this.log.warn(fields, 'job will be retried');
    else this.log.error(fields, `job ${plan.to}`);
    return plan.then === 'pause' ? 'retry-later' : 'next';
  }

  /** Jobs marked processing but never sent: back in the queue, the attempt not counted. */
  requeue(items: readonly Item[], reason: string | null): void {
    for (const item of items) {
      if (this.deps.canceled.has(item.job.id)) continue;
      this.end(item.job, 'pending', { attemptsDelta: -1, ...(reason ? { stateReason: reason } : {}) }, ['processing']);
    }
  }

  /** Jobs whose bytes all went out on a connection that failed before the printer confirmed them. */
  uncertain(items: readonly Item[]): void {
    const plan = planUncertain(this.deps.config.jobs.inFlightAfterRestart);
    for (const item of items) {
      if (this.deps.canceled.has(item.job.id)) continue;
      this.end(item.job, plan.to, plan.change, ['processing']);
      this.log.warn({ jobId: item.job.id, to: plan.to }, 'connection lost after the job was sent: it may have printed');
    }
  }

  /**
   * Records a job's new state. A full disk does not lose the outcome of a job that printed: the
   * storage guard frees its reserve at once and the write is tried again.
   */
  end(job: Job, to: JobState, change: TransitionChange, from: readonly JobState[]): Job | null {
    return this.endAll([{ job, to, change, from }])[0]!;
  }

  /** Several jobs' new states in one commit (a full disk: the reserve is freed and all are written again), then their events. */
  endAll(moves: readonly Move[]): (Job | null)[] {
    let moved: (Job | null)[];
    try {
      moved = this.write(moves);
    } catch (error) {
      if (!storageError(error)) throw error;
      // Nothing of a failed batch was committed: the queue counts kept along the way are recounted.
      if (moves.length > 1) this.deps.jobs.forgetCounts();
      this.deps.onStorageFull();
      moved = this.write(moves);
    }
    return this.recorded(moved);
  }

  /** endAll, committed with the turn's other writes (the hot path: a batch the printer confirmed). */
  async endAllInTurn(moves: readonly Move[]): Promise<(Job | null)[]> {
    return this.recorded(await this.deps.jobs.inTurn(() => this.write(moves), { onFull: this.deps.onStorageFull }));
  }

  private write(moves: readonly Move[]): (Job | null)[] {
    if (moves.length === 1) return [this.deps.jobs.transition(moves[0]!.job, moves[0]!.to, moves[0]!.change, moves[0]!.from)];
    const moved: (Job | null)[] = [];
    this.deps.jobs.inOneTransaction(() => {
      for (const move of moves) moved.push(this.deps.jobs.transition(move.job, move.to, move.change, move.from));
    });
    return moved;
  }

  /** Counts the jobs that reached an end state and tells their events. */
  private recorded(moved: (Job | null)[]): (Job | null)[] {
    for (const job of moved) {
      if (job && TERMINAL.has(job.state)) this.settled += 1;
      this.deps.events.emit(job);
    }
    return moved;
  }
}
