import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, Transport } from '../driver-api/index.js';
import { CatalogueError, isCatalogueError } from '../errors/catalogue-error.js';
import type { PrinterEngine } from '../printers/devices-service.js';
import type { Printer, PrinterStatuses } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { JobEngine } from './jobs-service.js';
import { PrinterWorker } from './printer-worker.js';
import { planRecovery } from './worker-decisions.js';
import { storageError } from './storage-error.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';

export interface DispatcherDeps {
  jobs: JobStore;
  spool: Spool;
  /** The printers' live status, and the printers to drive at start. */
  registry: PrinterStatuses & { list(): Printer[] };
  events: JobEvents;
  renderer: Renderer;
  /** Resolves once every commit so far is on stable storage. */
  durable: () => Promise<void>;
  /** How often idle printers are checked; 0 = never (CloudPRNT printers are watched by their polls instead). */
  probeMs: number;
  /** Told when a worker's write failed for lack of disk space. */
  onStorageFull: () => void;
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

  /** Whether this run follows the last on the same boot of the machine (see recover). */
  private sameBoot = false;
  /** Jobs left on the wire at start were all settled (so any job `processing` later is this process's own). */
  private recoveredAtStart = false;

  /**
   * Jobs a crash left `processing` (before any worker starts). One whose bytes were handed to the
   * printer follows jobs.inFlightAfterRestart (sent again and says so, or held for a person). One
   * that only waited in its batch goes back to the queue as it was — but only when the machine did
   * not restart in between (same boot id): a reboot or power cut may have lost the unsynced note
   * that its bytes went out, so then every such job counts as on the wire. On a full disk what
   * cannot be written now is left to each printer's worker, which settles it before its first job.
   */
  recover(bootId: string | null, { cleanSpool = true }: { cleanSpool?: boolean } = {}): { sameBoot: boolean } {
    this.sameBoot = bootId !== null && this.deps.jobs.stateValue('boot_id') === bootId;
    try {
      for (const job of this.deps.jobs.listInFlight()) {
        const onTheWire = job.sentAt !== null || !this.sameBoot;
        const { inFlightAfterRestart: policy, maxReprints } = this.deps.config.jobs;
        const plan = planRecovery(onTheWire, policy, job.reprints, maxReprints);
        if (onTheWire) this.deps.log.warn({ jobId: job.id, printerId: job.printerId, policy, sameBoot: this.sameBoot, reprints: job.reprints, to: plan.to }, 'job was on the wire when the gateway stopped');
        if (onTheWire && plan.to === 'held' && policy === 'reprint') this.deps.log.error({ jobId: job.id, printerId: job.printerId, reprints: job.reprints, maxReprints }, 'job held: it was on the wire at more restarts than jobs.maxReprints; release it once the printer is checked');
        this.deps.events.emit(this.deps.jobs.transition(job, plan.to, plan.change, ['processing']));
      }
      this.recoveredAtStart = true;
      if (bootId !== null) this.deps.jobs.setStateValue('boot_id', bootId);
      // Not while requests come in (a delivery thread started again): their files are not referenced yet.
      const removed = !cleanSpool ? 0 : this.deps.spool.removeUnreferenced(this.deps.jobs.spoolFiles());
      if (removed > 0) this.deps.log.warn({ files: removed }, 'removed spooled documents of requests a crash cut short');
    } catch (error) {
      if (!storageError(error)) throw error;
      this.deps.onStorageFull();
      this.deps.log.warn({}, 'the disk is full: jobs left on the wire are settled by their printers as soon as there is room');
    }
    return { sameBoot: this.sameBoot };
  }

  /** Recovery ran elsewhere (the delivery thread, for every printer): what it found about the boot. */
  recoveredElsewhere(sameBoot: boolean): void {
    this.sameBoot = sameBoot;
    this.recoveredAtStart = true;
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
      durable: this.deps.durable,
      onStorageFull: this.deps.onStorageFull,
      // Jobs a failed loop leaves on the wire: a note that their bytes went out is trusted only on the same boot.
      trustSentNotes: () => this.sameBoot || this.recoveredAtStart,
      // A CloudPRNT printer is never connected to: its polls say whether it is there.
      probeMs: printer.uri.startsWith('cloudprnt:') ? 0 : this.deps.probeMs,
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    this.workers.set(printer.id, worker);
    worker.start();
  }

  addPrinter(printer: Printer): void {
    if (!this.workers.has(printer.id)) this.startWorker(printer);
  }

  /** Stops a printer's worker; the job on the wire gets `graceMs` to finish before it is re-queued. */
  async removePrinter(printerId: string, graceMs = 0): Promise<void> {
    const worker = this.workers.get(printerId);
    this.workers.delete(printerId);
    this.refusals.delete(printerId);
    await worker?.stop(graceMs);
  }

  refusal(printerId: string): CatalogueError | null {
    return this.refusals.get(printerId) ?? null;
  }

  /** A job was accepted for a printer: its worker is told, with the job as stored (an in-memory hand-off; the database stays the record). */
  queued(job: Job): void {
    this.workers.get(job.printerId)?.notify(job);
  }

  canceled(job: Job): void {
    this.abort(job.printerId, job.id);
  }

  /** Stops sending a job that is on the wire (it was canceled). */
  abort(printerId: string, jobId: string): void {
    this.workers.get(printerId)?.abortJob(jobId);
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
