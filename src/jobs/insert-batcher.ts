import type { Job, JobStore, NewJob } from './job-store.js';

export interface InsertBatcherDeps {
  store: Pick<JobStore, 'insert' | 'inTurn'>;
}

/**
 * Group commit of new jobs: the jobs submitted in one turn of the event loop (ten receipts whose
 * bodies came in together) are inserted in the store's turn transaction (JobStore.inTurn), with the
 * marks the printers' workers make in that turn. One commit writes a job's pages to the WAL once
 * for all of them: a fifth of the WAL bytes and a quarter of the CPU of a commit each. A job's own
 * failure (an Idempotency-Key that a concurrent request used first) fails only that job (each row
 * is a savepoint); a full disk fails the whole batch, of which nothing is then committed. The 201
 * still waits for the WAL sync that covers the commit (JobsService).
 */
export class InsertBatcher {
  private readonly perPrinter = new Map<string, number>();

  constructor(private readonly deps: InsertBatcherDeps) {}

  /** Resolves with the job as stored, once its batch is committed (not yet synced to disk). */
  async insert(job: NewJob): Promise<Job> {
    this.perPrinter.set(job.printerId, (this.perPrinter.get(job.printerId) ?? 0) + 1);
    try {
      return await this.deps.store.inTurn(() => this.deps.store.insert(job));
    } finally {
      const left = (this.perPrinter.get(job.printerId) ?? 1) - 1;
      if (left === 0) this.perPrinter.delete(job.printerId);
      else this.perPrinter.set(job.printerId, left);
    }
  }

  /** Jobs of this printer handed in and not yet inserted (the queue limit counts them). */
  waitingFor(printerId: string): number {
    return this.perPrinter.get(printerId) ?? 0;
  }
}
