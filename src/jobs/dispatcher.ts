import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, Transport } from '../driver-api/index.js';
import { AppError } from '../errors/app-error.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import { PrinterWorker } from './printer-worker.js';
import type { Spool } from './spool.js';

export interface DispatcherDeps {
  jobs: JobStore;
  spool: Spool;
  registry: PrinterRegistry;
  events: JobEvents;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  /** Opens the transport for a printer's device URI (throws UNSUPPORTED_URI). */
  openTransport: (printer: Printer) => Transport;
  /** The language a printer speaks. */
  languageFor: (printer: Printer) => Language;
  random?: () => number;
}

/** One worker per printer, FIFO; crash recovery at start; clean re-queue at stop. */
export class Dispatcher {
  private readonly workers = new Map<string, PrinterWorker>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Applies jobs.inFlightAfterRestart to jobs a crash left on the wire, then starts the workers. */
  start(): void {
    this.recoverInFlight();
    this.removeUnreferencedDocuments();
    for (const printer of this.deps.registry.list()) this.startWorker(printer);
  }

  private recoverInFlight(): void {
    const policy = this.deps.config.jobs.inFlightAfterRestart;
    for (const job of this.deps.jobs.listInFlight()) {
      const recovered =
        policy === 'hold'
          ? this.deps.jobs.transition(job.id, 'held', { stateReason: 'held-after-restart' }, ['processing'])
          : this.deps.jobs.transition(job.id, 'pending', { stateReason: 'reprinted-after-restart' }, ['processing']);
      this.deps.log.warn({ jobId: job.id, printerId: job.printerId, policy }, 'job was on the wire when the gateway stopped');
      this.deps.events.emit(recovered);
    }
  }

  private removeUnreferencedDocuments(): void {
    const removed = this.deps.spool.removeUnreferenced(this.deps.jobs.spoolFiles());
    if (removed > 0) this.deps.log.warn({ files: removed }, 'removed spooled documents of requests a crash cut short');
  }

  private startWorker(printer: Printer): void {
    let transport: Transport;
    let language: Language;
    try {
      transport = this.deps.openTransport(printer);
      language = this.deps.languageFor(printer);
    } catch (error) {
      const message = error instanceof AppError ? error.message : String(error);
      this.deps.registry.updateStatus(printer.id, { state: 'stopped', reasons: ['configuration-error'], lastError: message });
      this.deps.log.error({ printerId: printer.id, uri: printer.uri, err: message }, 'printer cannot be driven');
      return;
    }
    const worker = new PrinterWorker({
      printer,
      transport,
      language,
      jobs: this.deps.jobs,
      spool: this.deps.spool,
      registry: this.deps.registry,
      events: this.deps.events,
      log: this.deps.log,
      config: this.deps.config,
      now: this.deps.now,
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    this.workers.set(printer.id, worker);
    worker.start();
  }

  /** Starts the queue of a printer added at run time (a CloudPRNT printer joining its group). */
  addPrinter(printer: Printer): void {
    if (!this.workers.has(printer.id)) this.startWorker(printer);
  }

  notify(printerId: string): void {
    this.workers.get(printerId)?.notify();
  }

  /** Wakes every worker to look at its queue again (another process changed the database). */
  notifyAll(): void {
    for (const worker of this.workers.values()) worker.notify();
  }

  /** Cancels a job that has not finished. Returns the canceled job, or null if it had finished. */
  cancel(jobId: string): Job | null {
    const job = this.deps.jobs.transition(jobId, 'canceled', { stateReason: 'canceled-by-user' }, ['pending', 'held', 'processing']);
    if (job) {
      this.workers.get(job.printerId)?.abortJob(jobId);
      this.deps.events.emit(job);
    }
    return job;
  }

  /** Sends a `held` job back to its queue (a person checked the printer). Returns it, or null if it was not held. */
  release(jobId: string): Job | null {
    const job = this.deps.jobs.transition(jobId, 'pending', { stateReason: 'released-by-user' }, ['held']);
    if (job) {
      this.deps.events.emit(job);
      this.notify(job.printerId);
    }
    return job;
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(graceMs)));
    this.workers.clear();
  }
}
