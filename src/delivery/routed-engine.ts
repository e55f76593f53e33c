import type { CatalogueError } from '../errors/catalogue-error.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { Job } from '../jobs/job-store.js';
import type { Printer } from '../printers/printer-registry.js';
import type { DeliveryThread } from './delivery-thread.js';

type Engine = Pick<Dispatcher, 'queued' | 'canceled' | 'refusal' | 'wake' | 'wakeAll' | 'addPrinter' | 'removePrinter'>;

/**
 * The engine the use cases see when delivery runs in its own thread: CloudPRNT printers are driven
 * on the main thread (their mailbox is the HTTP loop's), every other printer by the thread.
 */
export class RoutedEngine implements Engine {
  constructor(
    private readonly local: Engine,
    private readonly thread: DeliveryThread,
    /** Whether a printer is driven on the main thread. */
    private readonly isLocal: (printerId: string) => boolean,
  ) {}

  private of(printerId: string): Engine {
    return this.isLocal(printerId) ? this.local : this.thread;
  }

  queued(job: Job): void {
    this.of(job.printerId).queued(job);
  }

  canceled(job: Job): void {
    this.of(job.printerId).canceled(job);
  }

  refusal(printerId: string): CatalogueError | null {
    return this.of(printerId).refusal(printerId);
  }

  wake(printerId: string): void {
    this.of(printerId).wake(printerId);
  }

  wakeAll(): void {
    this.local.wakeAll();
    this.thread.wakeAll();
  }

  addPrinter(printer: Printer): void {
    this.of(printer.id).addPrinter(printer);
  }

  removePrinter(printerId: string, graceMs?: number): Promise<void> {
    return this.of(printerId).removePrinter(printerId, graceMs);
  }
}
