import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobStore } from './job-store.js';
import type { Spool } from './spool.js';

export interface JobRetentionDeps {
  jobs: JobStore;
  spool: Spool;
  config: Readonly<Config>;
  log: Logger;
  now: () => Date;
}

const HOUR_MS = 3_600_000;

/**
 * Keeps the SD card from filling: finished jobs (completed, aborted, canceled) older than
 * jobs.keepDays, and all but the newest jobs.keepCount of them, are removed with their documents.
 * Pending and held jobs are never touched.
 */
export class JobRetention {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: JobRetentionDeps) {}

  async runOnce(): Promise<number> {
    const { keepDays, keepCount } = this.deps.config.jobs;
    const before = new Date(this.deps.now().getTime() - keepDays * 24 * HOUR_MS).toISOString();
    const files = this.deps.jobs.purgeFinished(before, keepCount);
    for (const file of files) await this.deps.spool.remove(file);
    if (files.length > 0) this.deps.log.info({ jobs: files.length, keepDays, keepCount }, 'finished jobs purged');
    return files.length;
  }

  start(intervalMs = HOUR_MS): void {
    const run = (): void => {
      this.runOnce().catch((error: unknown) => this.deps.log.error({ err: error }, 'job purge failed'));
    };
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
