import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DeliveryReport, Language, RenderResult, Transport } from '../driver-api/index.js';
import { DriverError } from '../driver-api/index.js';
import { CatalogueError, isCatalogueError } from '../errors/catalogue-error.js';
import { errorSpec, type ErrorCode, type JobAction } from '../errors/codes.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
import { readDocument } from './read-document.js';
import { StatusChecker, type StatusCheck } from './status-checker.js';
import { backoffDelay, Wakeup } from './wakeup.js';

export interface PrinterWorkerDeps {
  printer: Printer;
  transport: Transport;
  language: Language;
  renderer: Renderer;
  jobs: JobStore;
  spool: Spool;
  registry: PrinterRegistry;
  events: JobEvents;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  random?: () => number;
}

type AbortReason = 'shutdown' | 'cancel';
type Outcome = 'next' | 'retry-later' | 'printer-stopped' | 'printer-blocked';

const IDLE_WAIT_MS = 30_000;
/** Longest wait between status queries to a printer that reports a problem. */
const RECOVERY_POLL_MAX_MS = 5_000;
/**
 * Reasons after which the printer keeps the job it took and finishes it once a person has fixed
 * the printer (paper loaded, cover closed, pause released): the job waits as `processing` and is
 * completed then, never sent twice. Any other error (jam, cutter, mechanical) may have spoilt the
 * ticket: the job is `held` for a person to release (reprint) or cancel.
 */
const RESUMABLE_REASONS: readonly string[] = ['media-empty', 'cover-open', 'paused', 'offline', 'marker-supply-empty', 'over-temperature'];

interface Confirmation {
  state: 'completed' | 'held';
  stateReason: string | null;
  /** The printer answered a status query: its reasons in the registry are current. */
  answered: boolean;
}

/** What the engine does about an error met while a job was on the wire: the catalogue decides. */
export interface FailureDecision {
  code: ErrorCode;
  action: JobAction;
  /** The job's stateReason. */
  reason: string;
  message: string;
}

/** An error → its catalogue code's action and reason; an error without one (a bug) is INTERNAL. */
export function decideFailure(error: unknown): FailureDecision {
  const code: ErrorCode = isCatalogueError(error) && errorSpec(error.code).action !== undefined ? error.code : 'INTERNAL';
  const spec = errorSpec(code);
  return {
    code,
    action: spec.action ?? 'retry',
    reason: spec.reason ?? 'internal-error',
    message: (error as Error)?.message ?? String(error),
  };
}

/**
 * One printer's queue: takes its pending jobs oldest first, one at a time, renders them with the
 * printer's language and sends them with its transport. An unreachable printer is a printer state
 * (stopped, offline), not a failed job: the job waits and the printer is probed with capped
 * exponential back-off until it answers.
 */
export class PrinterWorker {
  private readonly wakeup = new Wakeup();
  private stopping = false;
  /** The job on the wire; `sending` once its bytes may have reached the printer. */
  private current: { jobId: string; controller: AbortController; sending: boolean } | null = null;
  private loop: Promise<void> | null = null;
  private consecutiveFailures = 0;
  private offlineSince: string | null = null;
  /** Reasons from the printer's last status answer that stop it; jobs wait while there are any. */
  private blocking: string[] = [];
  private lastPollAt = 0;
  private recoveryAttempt = 0;
  private readonly lifetime = new AbortController();
  private readonly status: StatusChecker;
  private readonly log: Logger;

  constructor(private readonly deps: PrinterWorkerDeps) {
    this.log = deps.log.child({ printerId: deps.printer.id });
    this.status = new StatusChecker(deps);
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.log.fatal({ err: error }, 'printer worker crashed');
    });
  }

  notify(): void {
    this.wakeup.notify();
  }

  /** Aborts the job on the wire if it is `jobId` (its state was already set by the caller). */
  abortJob(jobId: string): boolean {
    if (this.current?.jobId !== jobId) return false;
    this.current.controller.abort('cancel' satisfies AbortReason);
    this.wakeup.notify();
    return true;
  }

  /** Stops taking jobs; waits up to graceMs for the job on the wire, then re-queues it. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.lifetime.abort('shutdown' satisfies AbortReason);
    this.wakeup.notify();
    if (this.current) {
      const current = this.current;
      const timer = setTimeout(() => current.controller.abort('shutdown' satisfies AbortReason), graceMs);
      await this.loop;
      clearTimeout(timer);
    } else {
      await this.loop;
    }
    await this.deps.transport.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    if (this.status.enabled) await this.pollStatus();
    while (!this.stopping) {
      const job = this.deps.jobs.nextPending(this.deps.printer.id);
      // While the printer reports a problem, jobs wait; one that does not yet say why is asked for (pre-flight).
      if (this.blocking.length > 0 && (!job || job.stateReason === this.blocking[0])) {
        await this.waitUntilHealthy();
        continue;
      }
      if (!job) {
        await this.idle();
        continue;
      }
      const outcome = await this.process(job);
      if (outcome === 'printer-stopped') await this.waitUntilReachable();
      else if (outcome === 'retry-later') await this.pause();
      else if (outcome === 'next') this.consecutiveFailures = 0;
    }
  }

  /** Waits for work; a printer that answers status queries is asked every jobs.statusPollMs meanwhile. */
  private async idle(): Promise<void> {
    const pollMs = this.deps.config.jobs.statusPollMs;
    if (!this.status.answers || pollMs === 0) {
      await this.wakeup.wait(IDLE_WAIT_MS);
      return;
    }
    const due = this.lastPollAt + pollMs - Date.now();
    if (due > 0) await this.wakeup.wait(Math.min(due, IDLE_WAIT_MS));
    else await this.pollStatus();
  }

  /**
   * Asks the printer outside a job (at start, while idle, while it reports a problem) and keeps
   * `blocking` and the registry current. An unreachable printer that used to answer is offline.
   */
  private async pollStatus(): Promise<StatusCheck | null> {
    this.lastPollAt = Date.now();
    try {
      const check = await this.status.check(this.lifetime.signal);
      this.noteStatus(check);
      return check;
    } catch (error) {
      if (this.stopping) return null;
      this.log.debug({ err: error }, 'status query failed');
      if (this.status.answers && !this.blocking.includes('offline')) {
        this.deps.registry.updateStatus(this.deps.printer.id, { state: 'stopped', reasons: ['offline'], lastError: (error as Error).message });
        this.noteBlocked(['offline']);
      }
      return null;
    }
  }

  private noteStatus(check: StatusCheck): void {
    if (check.kind === 'blocked') {
      this.noteBlocked(check.blocking);
    } else if (check.kind === 'ready' && this.blocking.length > 0) {
      this.log.info({ was: this.blocking }, 'printer ready again');
      this.blocking = [];
      this.recoveryAttempt = 0;
    }
  }

  private noteBlocked(blocking: string[]): void {
    if (this.blocking.join() !== blocking.join()) this.log.warn({ reasons: blocking }, 'printer reports a problem; jobs wait until it clears');
    this.blocking = blocking;
  }

  /** Back-off for asking a stopped printer again: a person fixing it should not wait long for the queue. */
  private recoveryDelay(attempt: number): number {
    const { retryInitialMs, retryMaxMs } = this.deps.config.jobs;
    return backoffDelay(attempt, retryInitialMs, Math.min(retryMaxMs, RECOVERY_POLL_MAX_MS), this.deps.random);
  }

  /** While the printer reports a problem: one back-off wait, then ask again. */
  private async waitUntilHealthy(): Promise<void> {
    await this.wakeup.wait(this.recoveryDelay(this.recoveryAttempt));
    this.recoveryAttempt += 1;
    if (this.stopping) return;
    const check = await this.pollStatus();
    if (check?.kind === 'silent' && !this.status.answers) {
      // It stopped answering altogether: nothing more to learn by asking; jobs go out unconfirmed.
      this.blocking = [];
    }
  }

  private async pause(): Promise<void> {
    const { retryInitialMs, retryMaxMs } = this.deps.config.jobs;
    const delay = backoffDelay(this.consecutiveFailures, retryInitialMs, retryMaxMs, this.deps.random);
    this.consecutiveFailures += 1;
    await this.wakeup.wait(delay);
  }

  private async waitUntilReachable(): Promise<void> {
    const { printer, transport, registry, config } = this.deps;
    let attempt = 0;
    while (!this.stopping) {
      const delay = backoffDelay(attempt, config.jobs.retryInitialMs, config.jobs.retryMaxMs, this.deps.random);
      attempt += 1;
      await this.wakeup.wait(delay);
      if (this.stopping) return;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort('timeout'), config.jobs.connectTimeoutMs);
      try {
        await transport.probe(controller.signal);
        registry.updateStatus(printer.id, { state: 'idle', reasons: [], lastSeenAt: this.deps.now().toISOString(), lastError: null });
        this.log.info({ offlineSince: this.offlineSince, probes: attempt }, 'printer back online');
        this.offlineSince = null;
        return;
      } catch (error) {
        this.log.debug({ err: error, attempt }, 'printer still offline');
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private async process(queued: Job): Promise<Outcome> {
    const { jobs, printer, registry, events } = this.deps;
    const job = jobs.transition(queued.id, 'processing', { attemptsDelta: 1, printerCode: null }, ['pending']);
    if (!job) return 'next';
    events.emit(job);
    registry.updateStatus(printer.id, { state: 'processing' });
    const controller = new AbortController();
    const current = { jobId: job.id, controller, sending: false };
    this.current = current;
    const started = Date.now();
    try {
      if (this.status.answers) {
        // Ask first: a printer out of paper or with its cover open gets nothing to choke on; the job waits.
        const check = await this.status.check(controller.signal);
        this.noteStatus(check);
        if (check.kind === 'blocked') {
          events.emit(jobs.transition(job.id, 'pending', { stateReason: check.blocking[0] ?? null, attemptsDelta: -1 }, ['processing']));
          return 'printer-blocked';
        }
      }
      const body = await readDocument(this.deps.jobs, this.deps.spool, job);
      const rendered = await this.render(job, body);
      current.sending = true;
      const report = await this.deps.transport.send(rendered.bytes, controller.signal, {
        jobId: job.id,
        jobName: job.name,
        documentFormat: rendered.documentFormat,
        ...(rendered.copies !== undefined ? { copies: rendered.copies } : {}),
      });
      const confirmation = await this.confirm(report, controller.signal);
      const reason =
        confirmation.state === 'completed' && job.stateReason === 'reprinted-after-restart' ? job.stateReason : confirmation.stateReason;
      const change = { stateReason: reason, warnings: rendered.warnings, printerCode: report.printerCode ?? null };
      const done = jobs.transition(job.id, confirmation.state, change, ['processing']);
      events.emit(done);
      const stopped = this.blocking.length > 0;
      registry.updateStatus(printer.id, {
        state: stopped ? 'stopped' : 'idle',
        ...(confirmation.answered ? {} : { reasons: [] }),
        lastSeenAt: this.deps.now().toISOString(),
        ...(stopped ? {} : { lastError: null }),
      });
      if (confirmation.state === 'held') {
        this.log.error({ jobId: job.id, reason, reasons: this.blocking }, 'job held for a person');
        return 'printer-blocked';
      }
      this.log.info(
        { jobId: job.id, bytes: report.bytesWritten, ms: Date.now() - started, confirmed: reason !== 'completed-unconfirmed', note: report.note },
        'job completed',
      );
      return 'next';
    } catch (error) {
      return this.fail(job, error, controller.signal, current.sending);
    } finally {
      this.current = null;
    }
  }

  /**
   * What the bytes' delivery means. With a status query: a healthy answer confirms; a paper-out or
   * open-cover answer means the printer holds the job until a person fixes it (the job waits as
   * processing, then completes, never sent twice); another error holds the job; no answer leaves it
   * completed-unconfirmed. Without one, the transport's own confirmation decides.
   */
  private async confirm(report: DeliveryReport, signal: AbortSignal): Promise<Confirmation> {
    const unconfirmed: Confirmation = { state: 'completed', stateReason: 'completed-unconfirmed', answered: false };
    if (!this.status.enabled) return report.confirmed ? { state: 'completed', stateReason: null, answered: false } : unconfirmed;
    if (!this.status.shouldAsk()) return unconfirmed;
    let attempt = 0;
    for (;;) {
      let check: StatusCheck;
      try {
        check = await this.status.check(signal);
      } catch (error) {
        if (signal.aborted && signal.reason === 'cancel') throw error;
        // The printer took every byte, then went away (or we are shutting down): never send it twice.
        return unconfirmed;
      }
      this.noteStatus(check);
      if (check.kind === 'ready') return { state: 'completed', stateReason: null, answered: true };
      if (check.kind === 'silent') return unconfirmed;
      if (!check.blocking.every((reason) => RESUMABLE_REASONS.includes(reason))) {
        return { state: 'held', stateReason: check.blocking[0] ?? 'printer-error', answered: true };
      }
      if (attempt === 0) this.log.warn({ reasons: check.blocking }, 'printer stopped with the job inside; it completes when the printer is ready');
      await this.wakeup.wait(this.recoveryDelay(attempt));
      attempt += 1;
      if (signal.aborted && signal.reason === 'cancel') throw new DriverError('PRINTER_ERROR', 'canceled while the printer was stopped');
      if (this.stopping) return unconfirmed;
    }
  }

  private render(job: Job, body: Buffer): Promise<RenderResult> {
    return this.deps.renderer.render(this.deps.language, {
      body,
      contentType: job.contentType,
      profile: this.deps.printer.profile,
      options: job.options,
    });
  }

  private fail(job: Job, error: unknown, signal: AbortSignal, sending: boolean): Outcome {
    const { jobs, printer, registry, events } = this.deps;
    if (signal.aborted) {
      if (signal.reason === 'shutdown' && sending && this.deps.config.jobs.inFlightAfterRestart === 'hold') {
        // Bytes may have reached the printer: under `hold` nothing may print twice, so a person decides.
        events.emit(jobs.transition(job.id, 'held', { stateReason: 'held-after-shutdown' }, ['processing']));
        this.log.warn({ jobId: job.id }, 'job held on shutdown: it may have printed');
      } else if (signal.reason === 'shutdown') {
        // Re-queued cleanly; the attempt that was cut short does not count.
        events.emit(jobs.transition(job.id, 'pending', { stateReason: 'requeued-on-shutdown', attemptsDelta: -1 }, ['processing']));
        this.log.warn({ jobId: job.id }, 'job re-queued on shutdown');
      } else {
        this.log.info({ jobId: job.id }, 'job canceled while printing');
      }
      registry.updateStatus(printer.id, { state: 'idle' });
      return 'next';
    }
    const decision = decideFailure(error);
    const { reason } = decision;
    const jobError = { code: decision.code, message: decision.message };
    const lastError = decision.message;
    // The printer's own answer (CloudPRNT "411 Paper jam"), kept with the job for its webhook.
    const details = error instanceof CatalogueError ? error.details : undefined;
    const printerCode = typeof details?.printerCode === 'string' ? details.printerCode : null;
    const logFields = { jobId: job.id, code: decision.code, err: decision.message, attempts: job.attempts };
    switch (decision.action) {
      case 'stop-printer': {
        events.emit(jobs.transition(job.id, 'pending', { stateReason: reason, attemptsDelta: -1 }, ['processing']));
        registry.updateStatus(printer.id, { state: 'stopped', reasons: ['offline'], lastError: lastError });
        if (this.offlineSince === null) {
          this.offlineSince = this.deps.now().toISOString();
          this.log.error({ ...logFields, uri: printer.uri }, 'printer offline; jobs wait until it answers');
        }
        return 'printer-stopped';
      }
      case 'retry': {
        if (job.attempts >= job.maxAttempts) {
          events.emit(jobs.transition(job.id, 'aborted', { stateReason: reason, printerCode, error: jobError }, ['processing']));
          registry.updateStatus(printer.id, { state: 'idle', lastError: lastError });
          this.log.error(logFields, 'job aborted after its last attempt');
          return 'next';
        }
        events.emit(jobs.transition(job.id, 'pending', { stateReason: reason, printerCode, error: jobError }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: lastError });
        this.log.warn(logFields, 'job will be retried');
        return 'retry-later';
      }
      case 'hold': {
        events.emit(jobs.transition(job.id, 'held', { stateReason: reason, printerCode, error: jobError }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: lastError });
        this.log.error(logFields, 'job held for a person');
        return 'next';
      }
      case 'cancel': {
        events.emit(jobs.transition(job.id, 'canceled', { stateReason: reason, printerCode, error: jobError }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle' });
        this.log.warn(logFields, 'job canceled by the printer');
        return 'next';
      }
      case 'fail': {
        events.emit(jobs.transition(job.id, 'aborted', { stateReason: reason, printerCode, error: jobError }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: lastError });
        this.log.error(logFields, 'job aborted');
        return 'next';
      }
    }
  }
}
