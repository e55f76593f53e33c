import type { JobStore } from '../jobs/job-store.js';
import type { Spool } from '../jobs/spool.js';
import { readDocument } from '../jobs/read-document.js';
import type { SourceDocument } from './media-offers.js';

export interface CloudPrntDocumentsDeps {
  jobs: Pick<JobStore, 'get' | 'inlineDocument'>;
  spool: Pick<Spool, 'read'>;
}

/**
 * The document of a job as its client sent it, for CloudPRNT printers that print some types
 * themselves. It is `plain` — offerable as it is — only when the job asks for nothing the document
 * alone cannot carry: one copy, no buzzer, no drawer.
 */
export function cloudPrntDocuments({ jobs, spool }: CloudPrntDocumentsDeps): (jobId: string) => Promise<SourceDocument | null> {
  return async (jobId) => {
    const job = jobs.get(jobId);
    if (!job) return null;
    const { copies, preBuzzer, postBuzzer, drawer } = job.options;
    return { contentType: job.contentType, body: await readDocument(jobs, spool, job), plain: copies <= 1 && preBuzzer === 0 && postBuzzer === 0 && drawer === 'none' };
  };
}
