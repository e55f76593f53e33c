import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DeliveryReport, Language, Transport, TransportSession } from '../driver-api/index.js';
import { DriverError } from '../driver-api/index.js';
import type { Printer, PrinterStatuses } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import { TERMINAL_STATES, type JobState } from './job-states.js';
import type { Job, JobStore, TransitionChange } from './job-store.js';
import { BatchRenderer, type Item } from './batch-renderer.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
import { storageError } from './storage-error.js';
import type { StatusCheck, StatusChecker } from './status-checker.js';
import {
  completionReason,
  confirmationOf,
  decideFailure,
  planFailure,
  planUncertain,
  UNCONFIRMED,
  type Confirmation,
  type FailurePlan,
} from './worker-decisions.js';

/** How a delivery ended, for the worker's loop. */
export type Outcome = 'next' | 'retry-later' | 'printer-stopped' | 'printer-blocked';

/** At most this many jobs go to a printer on one connection (and about 2 MiB: BatchRenderer). */
export const MAX_BATCH_JOBS = 32;
/** A status answer younger than this is trusted instead of asking again before a job. */
const FRESH_STATUS_MS = 3000;
/** A printer known not to close connections gets this long (or confirmTimeoutMs if shorter) to do so. */
const SHORT_CLOSE_WAIT_MS = 300;
const TERMINAL = new Set<JobState>(TERMINAL_STATES);

export interface DeliveryDeps {
  printer: Printer;
  transport: Transport;
  language: Language;
  renderer: Renderer;
  jobs: JobStore;
  spool: Spool;
  registry: PrinterStatuses;
  events: JobEvents;
  status: StatusChecker;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  /** Resolves once every commit so far is on stable storage. */
  durable: () => Promise<void>;
  /** Told when a write failed for lack of disk space (the storage guard frees its reserve). */
  onStorageFull: () => void;
  /** Waits between status answers while the printer holds a job it cannot finish yet (bounded, cut short by notify). */
  recoveryWait: (attempt: number) => Promise<void>;
  /** The worker's view: stopping, and the reasons the printer reports that stop it. */
  state: { readonly stopping: boolean; blocking: string[] };
}

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

/**
 * Sends a printer's batch of pending jobs: renders them (never on the event loop when the renderer
 * is a pool), asks the printer first when its last answer is stale, marks them processing in one
 * durable commit, then sends them — on one connection where the transport can (status asked after
 * each job where the printer answers, else its close confirms them all), else one exchange each —
 * and records each job's end from the catalogue's decisions.
 */
export class JobDelivery {
  current: OnTheWire | null = null;
  private readonly canceled = new Set<string>();
  private readonly renders: BatchRenderer;
  private session: TransportSession | null = null;
  /** Jobs of the last batch, and how many of them reached an end state here. */
  private batchSize = 0;
  private settled = 0;
  private sessionTimer: NodeJS.Timeout | null = null;
  private closeTimeouts = 0;
  private readonly log: Logger;

  constructor(private readonly deps: DeliveryDeps) {
    this.log = deps.log.child({ printerId: deps.printer.id });
    this.renders = new BatchRenderer({ ...deps, log: this.log, end: (job, to, change, from) => this.end(job, to, change, from) });
  }

  /** Every job of the last batch reached an end state here (none of it waits again, none was left out). */
  get settledAll(): boolean {
    return this.settled === this.batchSize;
  }

  /** A job was canceled: cut it short if it is on the wire, skip it if it waits in the batch. */
  cancel(jobId: string): boolean {
    this.canceled.add(jobId);
    if (this.current?.jobId !== jobId || !this.current.cancellable) return false;
    this.current.controller.abort('cancel');
    return true;
  }

  /** Drops an open connection (worker stop). */
  closeSession(): void {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
    this.session?.abandon();
    this.session = null;
  }

  async deliver(pending: readonly Job[]): Promise<Outcome> {
    this.canceled.clear();
    this.batchSize = pending.length;
    this.settled = 0;
    const items = await this.renders.render(pending);
    if (items.length === 0) return 'next';
    const blocked = await this.preflight(items[0]!.job);
    if (blocked) return blocked;
    // Rendered: only a render that never finishes (it crashed the gateway) counts against its starts.
    const marked = this.deps.jobs.transitionAll(
      items.map((item) => item.job),
      'processing',
      { attemptsDelta: 1, printerCode: null, clearSent: true, renderFinished: true },
      ['pending'],
    );
    const ready: Item[] = [];
    this.renders.marked(items);
    marked.forEach((job, index) => {
      if (!job) return;
      this.deps.events.emit(job);
      ready.push({ job, rendered: items[index]!.rendered });
    });
    if (ready.length === 0) return 'next';
    // A stalled printer is tried again as it is: stopped/stalled until a job gets through.
    if (!this.deps.registry.status(this.deps.printer.id).reasons.includes('stalled')) this.deps.registry.updateStatus(this.deps.printer.id, { state: 'processing' });
    // The mark must be on disk before a byte leaves: after a power cut, a job that may have printed is known as such.
    await this.deps.durable();
    return this.deps.transport.openSession ? this.sendOnSession(ready) : this.sendEach(ready);
  }

  // ---- pre-flight --------------------------------------------------------------------------------

  /** A printer that answers is asked first unless it answered a moment ago; out of paper, the jobs wait. */
  private async preflight(first: Job): Promise<Outcome | null> {
    const { status } = this.deps;
    if (!status.answers) return null;
    const answeredAt = status.answeredAt;
    if (answeredAt !== null && this.deps.now().getTime() - answeredAt < FRESH_STATUS_MS && this.deps.state.blocking.length === 0) return null;
    const controller = new AbortController();
    let check: StatusCheck;
    try {
      check = this.session?.alive ? await this.askOnSession(this.session, controller.signal) : await status.check(controller.signal);
    } catch {
      // Unreachable: the send finds out and the printer goes offline there.
      return null;
    }
    if (check.kind !== 'blocked') {
      if (check.kind === 'ready') this.deps.state.blocking = [];
      return null;
    }
    this.deps.state.blocking = check.blocking;
    const reason = check.blocking[0] ?? null;
    if (first.stateReason !== reason) this.deps.events.emit(this.deps.jobs.setPendingReason(first, reason));
    return 'printer-blocked';
  }

  private async askOnSession(session: TransportSession, signal: AbortSignal): Promise<StatusCheck> {
    const request = this.deps.status.request;
    if (!request) return { kind: 'silent' };
    return this.deps.status.interpret(await session.query(request.bytes, request.isComplete, signal, request.timeoutMs));
  }

  // ---- sending -----------------------------------------------------------------------------------

  private async sendEach(items: readonly Item[]): Promise<Outcome> {
    for (const [index, item] of items.entries()) {
      if (this.canceled.has(item.job.id)) continue;
      if (this.deps.state.stopping) {
        this.requeue(items.slice(index), 'requeued-on-shutdown');
        return 'next';
      }
      const wire = this.onWire(item.job);
      try {
        this.deps.jobs.markSent(item.job);
        const report = await this.deps.transport.send(item.rendered.bytes, wire.controller.signal, {
          jobId: item.job.id,
          jobName: item.job.name,
          documentFormat: item.rendered.documentFormat,
          ...(item.rendered.copies !== undefined ? { copies: item.rendered.copies } : {}),
        });
        const confirmation = await this.confirmAfter(report, wire.controller.signal, (signal) => this.deps.status.check(signal));
        const held = this.complete(item, confirmation, report);
        if (held) {
          this.requeue(items.slice(index + 1), null);
          return held;
        }
      } catch (error) {
        if (storageError(error)) throw error;
        const outcome = this.failed(item.job, error, wire);
        if (outcome !== 'next') {
          this.requeue(items.slice(index + 1), null);
          return outcome;
        }
      } finally {
        this.current = null;
      }
    }
    return 'next';
  }

  private async sendOnSession(items: readonly Item[]): Promise<Outcome> {
    let session: TransportSession;
    const opening = this.onWire(items[0]!.job, false);
    try {
      session = await this.openSession(opening.controller.signal);
    } catch (error) {
      this.current = null;
      const outcome = this.failed(items[0]!.job, error, opening);
      this.requeue(items.slice(1), null);
      return outcome;
    }
    this.current = null;
    // Asked after each job on this connection only once the printer is known to answer: a plain
    // sink never sees a status request among its bytes.
    const askEach = this.deps.status.answers && this.deps.status.request !== null;
    const written: Item[] = [];
    for (const [index, item] of items.entries()) {
      if (this.canceled.has(item.job.id)) continue;
      if (this.deps.state.stopping) {
        // The jobs not yet written go back; those written are confirmed by the printer's close as
        // always (within the shutdown grace; after it, each goes back or is held as on shutdown).
        this.requeue(items.slice(index), 'requeued-on-shutdown');
        return this.finishSession(session, written);
      }
      const wire = this.onWire(item.job);
      try {
        this.deps.jobs.markSent(item.job);
        wire.bytesOut = true;
        await session.write(item.rendered.bytes, wire.controller.signal);
        if (!askEach) {
          written.push(item);
          continue;
        }
        const confirmation = await this.confirmAfter({ confirmed: false, bytesWritten: item.rendered.bytes.byteLength }, wire.controller.signal, (signal) =>
          this.askOnSession(session, signal),
        );
        const held = this.complete(item, confirmation, { confirmed: false, bytesWritten: item.rendered.bytes.byteLength });
        if (held) {
          this.keepSession(session);
          this.requeue(items.slice(index + 1), null);
          return held;
        }
      } catch (error) {
        this.closeSession();
        session.abandon();
        // The disk, not the printer: the worker's loop settles what is on the wire after its back-off.
        if (storageError(error)) throw error;
        this.uncertain(written);
        const outcome = this.failed(item.job, error, wire);
        this.requeue(items.slice(index + 1), null);
        return outcome;
      } finally {
        this.current = null;
      }
    }
    if (askEach) {
      this.keepSession(session);
      return 'next';
    }
    return this.finishSession(session, written);
  }

  /** A silent printer: half-close and take its close as the confirmation of every job written. */
  private async finishSession(session: TransportSession, written: readonly Item[]): Promise<Outcome> {
    if (this.session === session) this.session = null;
    if (written.length === 0) {
      session.abandon();
      return 'next';
    }
    const { confirmTimeoutMs } = this.deps.config.jobs;
    const waitMs = this.closeTimeouts >= 2 ? Math.min(SHORT_CLOSE_WAIT_MS, confirmTimeoutMs) : confirmTimeoutMs;
    const wire = this.onWire(written.at(-1)!.job, true, false);
    wire.bytesOut = true; // every job of the batch was written; only the printer's close is awaited
    try {
      const finished = await session.finish(wire.controller.signal, waitMs);
      if (finished.confirmed) this.closeTimeouts = 0;
      else if (++this.closeTimeouts === 2) this.log.warn({}, 'printer does not close connections: its jobs complete unconfirmed (status queries confirm them where the printer answers)');
      const report: DeliveryReport = { confirmed: finished.confirmed, bytesWritten: finished.bytesWritten, note: finished.note };
      // Where the printer's language can ask, its answer decides (once for the whole batch); else its close does.
      const confirmation = await this.confirmAfter(report, wire.controller.signal, (signal) => this.deps.status.check(signal));
      return this.completeAll(written, confirmation, report, (item) => item.rendered.bytes.byteLength) ?? 'next';
    } catch (error) {
      session.abandon();
      if (storageError(error)) throw error;
      if (wire.controller.signal.aborted && wire.controller.signal.reason === 'shutdown') {
        // Stopping while the printer had not confirmed: each job written goes back (or is held) as on shutdown.
        for (const item of written) this.failed(item.job, error, wire);
        return 'next';
      }
      this.uncertain(written.slice(0, -1));
      return this.failed(written.at(-1)!.job, error, wire);
    } finally {
      this.current = null;
    }
  }

  private async openSession(signal: AbortSignal): Promise<TransportSession> {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
    if (this.session?.alive) return this.session;
    this.session = await this.deps.transport.openSession!(signal);
    return this.session;
  }

  /** A printer that answers keeps its connection a moment for the next jobs. */
  private keepSession(session: TransportSession): void {
    this.session = session;
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = setTimeout(() => {
      if (this.session === session && !this.current) {
        this.session = null;
        void session.finish(new AbortController().signal, 0).catch(() => undefined);
      }
    }, 2000);
    this.sessionTimer.unref();
  }

  private onWire(job: Job, sending = true, cancellable = true): OnTheWire {
    this.current = { jobId: job.id, controller: new AbortController(), sending, cancellable };
    return this.current;
  }

  // ---- outcomes ----------------------------------------------------------------------------------

  /**
   * What the bytes' delivery means. With a status query: a healthy answer confirms; paper out or
   * an open cover means the printer holds the job until a person fixes it (it waits as processing,
   * then completes, never sent twice); another error holds it; no answer leaves it unconfirmed.
   * Without one, the transport's own confirmation decides.
   */
  private async confirmAfter(report: DeliveryReport, signal: AbortSignal, ask: (signal: AbortSignal) => Promise<StatusCheck>): Promise<Confirmation> {
    const { status } = this.deps;
    if (!status.enabled) return report.confirmed ? { kind: 'completed', stateReason: null, answered: false } : UNCONFIRMED;
    if (!status.shouldAsk()) return UNCONFIRMED;
    for (let attempt = 0; ; attempt += 1) {
      let confirmation: Confirmation;
      try {
        const check = await ask(signal);
        if (check.kind === 'blocked') this.deps.state.blocking = check.blocking;
        else if (check.kind === 'ready') this.deps.state.blocking = [];
        confirmation = confirmationOf(check);
      } catch (error) {
        if (signal.aborted && signal.reason === 'cancel') throw error;
        // The printer took every byte, then went away (or we are stopping): never send it twice.
        return UNCONFIRMED;
      }
      if (confirmation.kind !== 'wait') return confirmation;
      if (attempt === 0) this.log.warn({ reasons: confirmation.reasons }, 'printer stopped with the job inside; it completes when the printer is ready');
      await this.deps.recoveryWait(attempt);
      if (signal.aborted && signal.reason === 'cancel') throw new DriverError('PRINTER_ERROR', 'canceled while the printer was stopped');
      if (this.deps.state.stopping) return UNCONFIRMED;
    }
  }

  /** Records a sent job's end; returns 'printer-blocked' when the printer holds it for a person. */
  private complete(item: Item, confirmation: Confirmation, report: DeliveryReport): Outcome | null {
    return this.completeAll([item], confirmation, report, () => report.bytesWritten);
  }

  /**
   * Records the end of jobs the printer confirmed together (a session's batch, by its close or one
   * status answer): one commit for all of them, then their events and log lines. A full disk does
   * not lose the outcome: the storage guard frees its reserve and the whole batch is written again.
   */
  private completeAll(items: readonly Item[], confirmation: Confirmation, report: DeliveryReport, bytesOf: (item: Item) => number): Outcome | null {
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
    const moved = this.endAll(plans.map((plan) => ({ job: plan.job, to: state, change: plan.change, from: ['processing'] as const })));
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

  private failed(job: Job, error: unknown, wire: OnTheWire): Outcome {
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
  private requeue(items: readonly Item[], reason: string | null): void {
    for (const item of items) {
      if (this.canceled.has(item.job.id)) continue;
      this.end(item.job, 'pending', { attemptsDelta: -1, ...(reason ? { stateReason: reason } : {}) }, ['processing']);
    }
  }

  /** Jobs whose bytes all went out on a connection that failed before the printer confirmed them. */
  private uncertain(items: readonly Item[]): void {
    const plan = planUncertain(this.deps.config.jobs.inFlightAfterRestart);
    for (const item of items) {
      if (this.canceled.has(item.job.id)) continue;
      this.end(item.job, plan.to, plan.change, ['processing']);
      this.log.warn({ jobId: item.job.id, to: plan.to }, 'connection lost after the job was sent: it may have printed');
    }
  }

  /**
   * Records a job's new state. A full disk does not lose the outcome of a job that printed: the
   * storage guard frees its reserve at once and the write is tried again.
   */
  private end(job: Job, to: JobState, change: TransitionChange, from: readonly JobState[]): Job | null {
    return this.endAll([{ job, to, change, from }])[0]!;
  }

  /** Several jobs' new states in one commit (a full disk: the reserve is freed and all are written again), then their events. */
  private endAll(moves: readonly { job: Job; to: JobState; change: TransitionChange; from: readonly JobState[] }[]): (Job | null)[] {
    const write = (): (Job | null)[] => {
      if (moves.length === 1) return [this.deps.jobs.transition(moves[0]!.job, moves[0]!.to, moves[0]!.change, moves[0]!.from)];
      const moved: (Job | null)[] = [];
      this.deps.jobs.inOneTransaction(() => {
        for (const move of moves) moved.push(this.deps.jobs.transition(move.job, move.to, move.change, move.from));
      });
      return moved;
    };
    let moved: (Job | null)[];
    try {
      moved = write();
    } catch (error) {
      if (!storageError(error)) throw error;
      // Nothing of a failed batch was committed: the queue counts kept along the way are recounted.
      if (moves.length > 1) this.deps.jobs.forgetCounts();
      this.deps.onStorageFull();
      moved = write();
    }
    for (const job of moved) {
      if (job && TERMINAL.has(job.state)) this.settled += 1;
      this.deps.events.emit(job);
    }
    return moved;
  }
}
