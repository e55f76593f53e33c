import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, Transport } from '../driver-api/index.js';
import { CatalogueError, isCatalogueError } from '../errors/catalogue-error.js';
import type { PrinterEngine } from '../printers/devices-service.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { JobEngine } from './jobs-service.js';
import { PrinterWorker } from './printer-worker.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';

export interface DispatcherDeps {
  jobs: JobStore;
  spool: Spool;
  registry: PrinterRegistry;
  events: JobEvents;
  renderer: Renderer;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  /** Opens the transport for a printer's device URI (throws UNSUPPORTED_URI). */
  openTransport: (printer: Printer) => Transport;
  /** The language a printer speaks (throws when it is not built). */
  languageOf: (printer: Printer) => Language;
  random?: () => number;
}

/** One worker per printer, FIFO; crash recovery at start; clean re-queue at stop. */
export class Dispatcher implements JobEngine, PrinterEngine {
  private readonly workers = new Map<string, PrinterWorker>();
  /** Printers that cannot be driven at all, and why (their jobs are refused at submit). */
  private readonly refusals = new Map<string, CatalogueError>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Applies jobs.inFlightAfterRestart to jobs a crash left on the wire (before any worker starts). */
  recover(): void {
    const policy = this.deps.config.jobs.inFlightAfterRestart;
    for (const job of this.deps.jobs.listInFlight()) {
      const recovered =
        policy === 'hold'
          ? this.deps.jobs.transition(job.id, 'held', { stateReason: 'held-after-restart' }, ['processing'])
          : this.deps.jobs.transition(job.id, 'pending', { stateReason: 'reprinted-after-restart' }, ['processing']);
      this.deps.log.warn({ jobId: job.id, printerId: job.printerId, policy }, 'job was on the wire when the gateway stopped');
      this.deps.events.emit(recovered);
    }
    const removed = this.deps.spool.removeUnreferenced(this.deps.jobs.spoolFiles());
    if (removed > 0) this.deps.log.warn({ files: removed }, 'removed spooled documents of requests a crash cut short');
  }

  /** Starts a worker for every printer in the registry. */
  start(): void {
    for (const printer of this.deps.registry.list()) this.startWorker(printer);
  }

  private startWorker(printer: Printer): void {
    let transport: Transport;
    let language: Language;
    try {
      transport = this.deps.openTransport(printer);
      language = this.deps.languageOf(printer);
    } catch (error) {
      const refusal = isCatalogueError(error) ? error : new CatalogueError('UNSUPPORTED_URI', String(error));
      this.refusals.set(printer.id, refusal);
      this.deps.registry.updateStatus(printer.id, { state: 'stopped', reasons: ['configuration-error'], lastError: refusal.message });
      this.deps.log.error({ printerId: printer.id, uri: printer.uri, code: refusal.code, err: refusal.message }, 'printer cannot be driven');
      return;
    }
    this.refusals.delete(printer.id);
    const worker = new PrinterWorker({
      printer,
      transport,
      language,
      renderer: this.deps.renderer,
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

  addPrinter(printer: Printer): void {
    if (!this.workers.has(printer.id)) this.startWorker(printer);
  }

  async removePrinter(printerId: string): Promise<void> {
    const worker = this.workers.get(printerId);
    this.workers.delete(printerId);
    this.refusals.delete(printerId);
    await worker?.stop(0);
  }

  refusal(printerId: string): CatalogueError | null {
    return this.refusals.get(printerId) ?? null;
  }

  queued(job: Job): void {
    this.workers.get(job.printerId)?.notify();
  }

  canceled(job: Job): void {
    this.workers.get(job.printerId)?.abortJob(job.id);
  }

  /** Wakes a printer's worker (a CloudPRNT printer polls again). */
  wake(printerId: string): void {
    this.workers.get(printerId)?.notify();
  }

  /** Wakes every worker to look at its queue again (another process changed the database). */
  wakeAll(): void {
    for (const worker of this.workers.values()) worker.notify();
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(graceMs)));
    this.workers.clear();
  }
}
