import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { CatalogueError } from '../errors/catalogue-error.js';
import type { WriteLock } from '../db/write-lock.js';
import type { CommitFence } from '../jobs/commit-fence.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { Job, JobStore } from '../jobs/job-store.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import { THREAD_RESOURCE_LIMITS } from '../memory-limits.js';
import { BatchedPort } from './batched-port.js';
import type { DeliveryThreadData, FromDelivery, ToDelivery } from './delivery-messages.js';

export interface DeliveryThreadDeps {
  /** The thread's entry (dist/src/delivery-main.js). */
  entry: string;
  config: Readonly<Config>;
  log: Logger;
  /** The record of printers and their status: the thread's changes are applied to it, its own are sent. */
  registry: PrinterRegistry;
  /** The main thread's job store: the counts of the jobs the thread moves are applied to it. */
  jobs: JobStore;
  /** The fence the main thread's job store reads its counts with (its cells are shared with the thread). */
  fence: CommitFence;
  /** The turns at writing the database the main thread's job store takes too. */
  writeLock: WriteLock;
  events: JobEvents;
  onStorageFull: () => void;
  /** Which printers the thread drives (not CloudPRNT ones). */
  drives: (printer: Printer) => boolean;
  bootId: string | null;
  /** Whether stdout is the journal (log lines then carry their syslog priority). */
  journal: boolean;
}

const RESTART_MS = [250, 1000, 5000, 30_000];
/** Beyond the grace the workers have to finish, how long the thread may take to close its database. */
const STOP_SLACK_MS = 10_000;

/**
 * The main thread's side of the delivery thread (delivery-main.ts): the engine the use cases talk
 * to (queued, canceled, addPrinter, ...), forwarded by message, and the thread's job and printer
 * changes applied here — to the event stream, webhooks and metrics through `events`, to the
 * registry, to the queue counts. A thread that ends on its own is reported, its printers shown
 * `stopped` with reason `internal-error`, and it is started again with back-off (jobs it left on
 * the wire are recovered as after a crash of the gateway).
 */
export class DeliveryThread {
  private worker: Worker | null = null;
  private readonly out: BatchedPort<ToDelivery>;
  private readonly refusals = new Map<string, CatalogueError>();
  private readonly asks = new Map<number, () => void>();
  private nextAsk = 1;
  /** Set while a change the thread made is applied to the registry (it is not sent back). */
  private applying = false;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: DeliveryThreadDeps) {
    this.out = new BatchedPort((batch) => this.worker?.postMessage(batch));
  }

  /** Starts the thread: it recovers the jobs a stop left on the wire (every printer's), then drives its printers. */
  async start(): Promise<{ sameBoot: boolean }> {
    this.unsubscribe ??= this.deps.registry.onUpdate((id, change) => {
      const printer = this.deps.registry.get(id);
      if (!this.applying && printer && this.deps.drives(printer)) this.out.send({ type: 'status', printerId: id, change });
    });
    return this.spawn(true);
  }

  private spawn(cleanSpool: boolean): Promise<{ sameBoot: boolean }> {
    const printers = this.deps.registry.list().filter(this.deps.drives).map((printer) => ({ printer, status: this.deps.registry.status(printer.id) }));
    // A thread that ended while holding the write lock must not slow the next one's writes down.
    this.deps.writeLock.reset();
    const data: DeliveryThreadData = { config: this.deps.config, printers, bootId: this.deps.bootId, cleanSpool, fence: this.deps.fence.buffer, writeLock: this.deps.writeLock.buffer, journal: this.deps.journal };
    const worker = new Worker(this.deps.entry, { workerData: data, resourceLimits: THREAD_RESOURCE_LIMITS });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      let failure: unknown = null;
      worker.on('message', (batch: FromDelivery[]) => {
        for (const message of batch) {
          if (message.type === 'ready') {
            ready = true;
            this.restarts = 0;
            resolve({ sameBoot: message.sameBoot });
          } else this.apply(message);
        }
      });
      worker.on('error', (error) => {
        failure = error;
        this.deps.log.error({ err: error }, 'delivery thread failed');
      });
      this.exited = new Promise((done) => worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        this.out.clear();
        for (const answer of this.asks.values()) answer();
        this.asks.clear();
        done();
        if (!ready) reject(failure ?? new Error(`the delivery thread ended before it was ready (exit code ${code})`));
        else if (!this.stopping) this.ended(code);
      }));
    });
  }

  private ended(code: number): void {
    const delay = RESTART_MS[Math.min(this.restarts, RESTART_MS.length - 1)]!;
    this.restarts += 1;
    this.deps.log.error({ exitCode: code, restartInMs: delay }, 'delivery thread ended: its printers are stopped until it runs again');
    this.applying = true;
    try {
      for (const printer of this.deps.registry.list().filter(this.deps.drives)) {
        this.deps.registry.updateStatus(printer.id, { state: 'stopped', reasons: ['internal-error'], lastError: 'the delivery thread ended; it is being started again' });
      }
    } finally {
      this.applying = false;
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn(false).then(
        () => this.deps.log.info({}, 'delivery thread running again'),
        (error: unknown) => {
          this.deps.log.error({ err: error }, 'delivery thread could not start again');
        },
      );
    }, delay);
  }

  private apply(message: FromDelivery): void {
    switch (message.type) {
      case 'job':
        this.deps.events.emit(message.job);
        return;
      case 'count':
        this.deps.jobs.remoteCountChange(message.printerId, message.delta, message.write);
        return;
      case 'countsLost':
        this.deps.jobs.forgetCounts();
        return;
      case 'status':
        this.applying = true;
        try {
          this.deps.registry.updateStatus(message.printerId, message.change);
        } finally {
          this.applying = false;
        }
        return;
      case 'refusal':
        if (message.refusal) this.refusals.set(message.printerId, new CatalogueError(message.refusal.code, message.refusal.message));
        else this.refusals.delete(message.printerId);
        return;
      case 'storageFull':
        this.deps.onStorageFull();
        return;
      case 'done':
        this.asks.get(message.ask)?.();
        this.asks.delete(message.ask);
        return;
      case 'ready':
      case 'stopped':
        return;
    }
  }

  queued(job: Job): void {
    this.wake(job.printerId);
  }

  canceled(job: Job): void {
    if (this.worker) this.out.send({ type: 'abort', printerId: job.printerId, jobId: job.id });
  }

  refusal(printerId: string): CatalogueError | null {
    return this.refusals.get(printerId) ?? null;
  }

  wake(printerId: string): void {
    if (this.worker) this.out.send({ type: 'wake', printerId });
  }

  wakeAll(): void {
    if (this.worker) this.out.send({ type: 'wakeAll' });
  }

  addPrinter(printer: Printer): void {
    if (this.worker) this.out.send({ type: 'add', printer, status: this.deps.registry.status(printer.id) });
  }

  removePrinter(printerId: string, graceMs = 0): Promise<void> {
    this.refusals.delete(printerId);
    if (!this.worker) return Promise.resolve();
    const ask = this.nextAsk++;
    return new Promise((resolve) => {
      this.asks.set(ask, resolve);
      this.out.send({ type: 'remove', printerId, graceMs, ask });
    });
  }

  setLogLevel(level: string): void {
    if (this.worker) this.out.send({ type: 'logLevel', level });
  }

  /** Stops the workers (each job on the wire gets graceMs), then the thread closes its database. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.unsubscribe?.();
    const worker = this.worker;
    if (!worker) return;
    this.out.send({ type: 'stop', graceMs });
    this.out.flush();
    const timer = setTimeout(() => {
      this.deps.log.warn({}, 'delivery thread did not stop in time: ended');
      void worker.terminate();
    }, graceMs + STOP_SLACK_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
