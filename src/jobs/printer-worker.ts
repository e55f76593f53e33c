import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, RenderResult, Transport } from '../driver-api/index.js';
import { AppError, isAppError } from '../errors/app-error.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { Spool } from './spool.js';
import { backoffDelay, Wakeup } from './wakeup.js';

export interface PrinterWorkerDeps {
  printer: Printer;
  transport: Transport;
  language: Language;
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
type Outcome = 'next' | 'retry-later' | 'printer-stopped';

const IDLE_WAIT_MS = 30_000;

/** The stateReason keyword for an error code: PRINTER_UNREACHABLE → printer-unreachable. */
export function reasonFor(error: AppError): string {
  if (error.code === 'PRINTER_UNREACHABLE') return 'printer-offline';
  return error.code.toLowerCase().replace(/_/g, '-');
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
  private current: { jobId: string; controller: AbortController } | null = null;
  private loop: Promise<void> | null = null;
  private consecutiveFailures = 0;
  private offlineSince: string | null = null;
  private readonly log: Logger;

  constructor(private readonly deps: PrinterWorkerDeps) {
    this.log = deps.log.child({ printerId: deps.printer.id });
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
    return true;
  }

  /** Stops taking jobs; waits up to graceMs for the job on the wire, then re-queues it. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
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
    while (!this.stopping) {
      const job = this.deps.jobs.nextPending(this.deps.printer.id);
      if (!job) {
        await this.wakeup.wait(IDLE_WAIT_MS);
        continue;
      }
      const outcome = await this.process(job);
      if (outcome === 'printer-stopped') await this.waitUntilReachable();
      else if (outcome === 'retry-later') await this.pause();
      else this.consecutiveFailures = 0;
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
    const job = jobs.transition(queued.id, 'processing', { attemptsDelta: 1 }, ['pending']);
    if (!job) return 'next';
    events.emit(job);
    registry.updateStatus(printer.id, { state: 'processing' });
    const controller = new AbortController();
    this.current = { jobId: job.id, controller };
    const started = Date.now();
    try {
      const body = await this.deps.spool.read(job.spoolFile);
      const rendered = await this.render(job, body);
      const report = await this.deps.transport.send(rendered.bytes, controller.signal, {
        jobId: job.id,
        jobName: job.name,
        documentFormat: rendered.documentFormat,
        ...(rendered.copies !== undefined ? { copies: rendered.copies } : {}),
      });
      const reason = job.stateReason === 'reprinted-after-restart' ? job.stateReason : report.confirmed ? null : 'completed-unconfirmed';
      const done = jobs.transition(job.id, 'completed', { stateReason: reason, warnings: rendered.warnings }, ['processing']);
      events.emit(done);
      registry.updateStatus(printer.id, { state: 'idle', reasons: [], lastSeenAt: this.deps.now().toISOString(), lastError: null });
      this.log.info(
        { jobId: job.id, bytes: report.bytesWritten, ms: Date.now() - started, confirmed: report.confirmed, note: report.note },
        'job completed',
      );
      return 'next';
    } catch (error) {
      return this.fail(job, error, controller.signal);
    } finally {
      this.current = null;
    }
  }

  private async render(job: Job, body: Buffer): Promise<RenderResult> {
    try {
      return await this.deps.language.render({
        body,
        contentType: job.contentType,
        profile: this.deps.printer.profile,
        options: job.options,
      });
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError('DOCUMENT_FORMAT_ERROR', `cannot render ${job.contentType} as ${this.deps.language.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private fail(job: Job, error: unknown, signal: AbortSignal): Outcome {
    const { jobs, printer, registry, events } = this.deps;
    if (signal.aborted) {
      if (signal.reason === 'shutdown') {
        // Re-queued cleanly; the attempt that was cut short does not count.
        events.emit(jobs.transition(job.id, 'pending', { stateReason: 'requeued-on-shutdown', attemptsDelta: -1 }, ['processing']));
        this.log.warn({ jobId: job.id }, 'job re-queued on shutdown');
      } else {
        this.log.info({ jobId: job.id }, 'job canceled while printing');
      }
      registry.updateStatus(printer.id, { state: 'idle' });
      return 'next';
    }
    const appError = isAppError(error) ? error : new AppError('INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
    const reason = reasonFor(appError);
    const logFields = { jobId: job.id, code: appError.code, err: appError.message, attempts: job.attempts };
    switch (appError.action) {
      case 'stop-printer': {
        events.emit(jobs.transition(job.id, 'pending', { stateReason: reason, attemptsDelta: -1 }, ['processing']));
        registry.updateStatus(printer.id, { state: 'stopped', reasons: ['offline'], lastError: appError.message });
        if (this.offlineSince === null) {
          this.offlineSince = this.deps.now().toISOString();
          this.log.error({ ...logFields, uri: printer.uri }, 'printer offline; jobs wait until it answers');
        }
        return 'printer-stopped';
      }
      case 'retry':
      case 'none': {
        if (job.attempts >= job.maxAttempts) {
          events.emit(jobs.transition(job.id, 'aborted', { stateReason: reason }, ['processing']));
          registry.updateStatus(printer.id, { state: 'idle', lastError: appError.message });
          this.log.error(logFields, 'job aborted after its last attempt');
          return 'next';
        }
        events.emit(jobs.transition(job.id, 'pending', { stateReason: reason }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: appError.message });
        this.log.warn(logFields, 'job will be retried');
        return 'retry-later';
      }
      case 'hold': {
        events.emit(jobs.transition(job.id, 'held', { stateReason: reason }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: appError.message });
        this.log.error(logFields, 'job held for a person');
        return 'next';
      }
      case 'cancel': {
        events.emit(jobs.transition(job.id, 'canceled', { stateReason: reason }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle' });
        this.log.warn(logFields, 'job canceled by the printer');
        return 'next';
      }
      case 'fail': {
        events.emit(jobs.transition(job.id, 'aborted', { stateReason: reason }, ['processing']));
        registry.updateStatus(printer.id, { state: 'idle', lastError: appError.message });
        this.log.error(logFields, 'job aborted');
        return 'next';
      }
    }
  }
}
