import type { Job } from '../../jobs/job-store.js';

/** A job as the native API shows it. */
export function jobView(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    printerId: job.printerId,
    name: job.name,
    contentType: job.contentType,
    bytes: job.bytes,
    copies: job.copies,
    state: job.state,
    stateReason: job.stateReason,
    /** The catalogue code and message of the job's last error (a retry that then printed keeps it for the record). */
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    source: job.source,
    /** The printer's own result, where it gives one (a CloudPRNT code such as "411 Paper jam"). */
    printerCode: job.printerCode ?? null,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    /**
     * Times it was sent again because a restart found it on the wire unconfirmed: it may have
     * printed that many extra times (its stateReason says `reprinted-after-restart` only until an
     * unconfirmed completion replaces it).
     */
    reprints: job.reprints,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
    warnings: job.warnings,
  };
}
