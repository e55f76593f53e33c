import type { Job } from './job-store.js';

export type JobListener = (job: Job) => void;

/** Fan-out of job state changes (event stream, webhooks, metrics). Listeners must not throw. */
export class JobEvents {
  private readonly listeners = new Set<JobListener>();

  on(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(job: Job | null): void {
    if (job === null) return;
    for (const listener of this.listeners) {
      try {
        listener(job);
      } catch {
        // A broken listener must never stop a job.
      }
    }
  }
}
