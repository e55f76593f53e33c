import type { Job, JobStore } from './job-store.js';
import type { Spool } from './spool.js';

/** A job's document: from its row when small, else from its spool file (ENOENT when purged). */
export async function readDocument(store: Pick<JobStore, 'inlineDocument'>, spool: Pick<Spool, 'read'>, job: Job): Promise<Buffer> {
  if (job.spoolFile === '') return store.inlineDocument(job.id) ?? Buffer.alloc(0);
  return spool.read(job.spoolFile);
}
