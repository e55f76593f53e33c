import type { Job, JobStore, NewJob } from './job-store.js';
import { storageError } from './storage-error.js';

interface Waiting {
  job: NewJob;
  resolve: (job: Job) => void;
  reject: (error: unknown) => void;
}

export interface InsertBatcherDeps {
  store: Pick<JobStore, 'insert' | 'inOneTransaction' | 'forgetCounts'>;
  /** When the batch is written: after the current turn's I/O callbacks (setImmediate). */
  schedule?: (flush: () => void) => void;
}

/**
 * Group commit of new jobs: the jobs submitted in one turn of the event loop (ten receipts whose
 * bodies came in together) are inserted in one transaction. One commit writes a job's pages to
 * the WAL once for all of them: a fifth of the WAL bytes and a quarter of the CPU of a commit
 * each. A job's own failure (an Idempotency-Key that a concurrent request used first) fails only
 * that job (each row is a savepoint); a full disk fails the whole batch, of which nothing is then
 * committed. The 201 still waits for the WAL sync that covers the commit (JobsService).
 */
export class InsertBatcher {
  private waiting: Waiting[] = [];
  private readonly perPrinter = new Map<string, number>();
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly deps: InsertBatcherDeps) {
    this.schedule = deps.schedule ?? ((flush) => void setImmediate(flush));
  }

  /** Resolves with the job as stored, once its batch is committed (not yet synced to disk). */
  insert(job: NewJob): Promise<Job> {
    return new Promise<Job>((resolve, reject) => {
      if (this.waiting.length === 0) this.schedule(() => this.flush());
      this.waiting.push({ job, resolve, reject });
      this.perPrinter.set(job.printerId, (this.perPrinter.get(job.printerId) ?? 0) + 1);
    });
  }

  /** Jobs of this printer handed in and not yet inserted (the queue limit counts them). */
  waitingFor(printerId: string): number {
    return this.perPrinter.get(printerId) ?? 0;
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.perPrinter.clear();
    const outcomes: ({ job: Job } | { error: unknown })[] = [];
    try {
      this.deps.store.inOneTransaction(() => {
        for (const entry of batch) {
          try {
            outcomes.push({ job: this.deps.store.insert(entry.job) });
          } catch (error) {
            // The disk (or the database) failed: the batch stops here and is rolled back whole.
            if (storageError(error) || !isRowError(error)) throw error;
            outcomes.push({ error });
          }
        }
      });
    } catch (error) {
      // Nothing of the batch is in the database: the queue counts kept along the way are recounted.
      this.deps.store.forgetCounts();
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, index) => {
      const outcome = outcomes[index]!;
      if ('job' in outcome) entry.resolve(outcome.job);
      else entry.reject(outcome.error);
    });
  }
}

/** A constraint of one row (its savepoint is rolled back; the batch goes on). */
function isRowError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
