import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Printer } from '../printers/printer-registry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { PrintOptions } from './print-options.js';
import type { Spool } from './spool.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface SubmitInput {
  printer: Printer;
  contentType: string;
  body: Readable;
  options: PrintOptions;
  keyId: string | null;
  idempotencyKey?: string | undefined;
}

export interface SubmitResult {
  job: Job;
  queuedJobs: number;
  /** True when an Idempotency-Key matched an earlier request: nothing new was queued. */
  replayed: boolean;
}

export interface JobServiceDeps {
  jobs: JobStore;
  spool: Spool;
  events: JobEvents;
  config: Readonly<Config>;
  log: Logger;
  now: () => Date;
  /** Wakes the printer's worker. */
  notify: (printerId: string) => void;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Accepting a job: spooled and committed durably before the caller answers 201. */
export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  async submit(input: SubmitInput): Promise<SubmitResult> {
    const { jobs, spool, config } = this.deps;
    const queueFull = (): AppError | null =>
      jobs.countQueued(input.printer.id) < config.limits.maxQueuedJobs
        ? null
        : new AppError('QUEUE_FULL', `The queue of printer ${input.printer.id} is full (limits.maxQueuedJobs = ${config.limits.maxQueuedJobs}). Retry later.`, {
            headers: { 'Retry-After': '5' },
          });
    // A retry under an Idempotency-Key must get its first answer even when the queue has filled since:
    // only a request that cannot be a replay is refused before its body is read.
    const fullNow = queueFull();
    if (fullNow && input.idempotencyKey === undefined) {
      input.body.resume();
      throw fullNow;
    }
    const document = await spool.write(input.body, config.limits.maxDocumentBytes);
    const requestHash = createHash('sha256')
      .update(JSON.stringify([input.printer.id, input.contentType, input.options, document.sha256]))
      .digest('hex');

    if (input.idempotencyKey !== undefined && input.keyId !== null) {
      const earlier = this.findReplay(input.keyId, input.idempotencyKey, requestHash);
      if (earlier) {
        await spool.remove(document.file);
        return { job: earlier, queuedJobs: jobs.countQueued(input.printer.id), replayed: true };
      }
    }

    const full = queueFull();
    if (full) {
      await spool.remove(document.file);
      throw full;
    }

    const id = randomUUID();
    let job: Job;
    try {
      job = jobs.insert({
        id,
        printerId: input.printer.id,
        name: input.options.name ?? `job ${id.slice(0, 8)}`,
        contentType: input.contentType,
        bytes: document.bytes,
        copies: input.options.copies,
        options: {
          copies: input.options.copies,
          preBuzzer: input.options.preBuzzer,
          postBuzzer: input.options.postBuzzer,
          drawer: input.options.drawer,
        },
        maxAttempts: config.jobs.maxAttempts,
        spoolFile: document.file,
        keyId: input.keyId,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash,
        createdAt: this.deps.now().toISOString(),
      });
    } catch (error) {
      await spool.remove(document.file);
      if (isUniqueViolation(error) && input.idempotencyKey !== undefined && input.keyId !== null) {
        // A concurrent request with the same Idempotency-Key won the race.
        const earlier = this.findReplay(input.keyId, input.idempotencyKey, requestHash);
        if (earlier) return { job: earlier, queuedJobs: jobs.countQueued(input.printer.id), replayed: true };
      }
      throw error;
    }
    this.deps.log.info({ jobId: job.id, printerId: job.printerId, bytes: job.bytes, contentType: job.contentType }, 'job accepted');
    this.deps.events.emit(job);
    this.deps.notify(job.printerId);
    return { job, queuedJobs: jobs.countQueued(input.printer.id), replayed: false };
  }

  private findReplay(keyId: string, idempotencyKey: string, requestHash: string): Job | null {
    const windowStart = new Date(this.deps.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
    this.deps.jobs.expireIdempotencyKey(keyId, idempotencyKey, windowStart);
    const earlier = this.deps.jobs.findByIdempotencyKey(keyId, idempotencyKey, windowStart);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different document or options.');
    }
    return earlier;
  }
}
