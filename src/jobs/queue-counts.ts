import { QUEUED_STATES, type JobState } from './job-states.js';

const QUEUED = new Set<JobState>(QUEUED_STATES);

/**
 * How many jobs each printer has waiting or on the wire (Star's QueuedJobs, QUEUE_FULL), kept as
 * jobs are added and move, and counted from the database only the first time a printer is asked
 * (or after another process changed the jobs).
 */
export class QueueCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly countFromDatabase: (printerId: string) => number) {}

  get(printerId: string): number {
    let count = this.counts.get(printerId);
    if (count === undefined) {
      count = this.countFromDatabase(printerId);
      this.counts.set(printerId, count);
    }
    return count;
  }

  add(printerId: string, delta: number): void {
    const count = this.counts.get(printerId);
    if (count !== undefined) this.counts.set(printerId, Math.max(0, count + delta));
  }

  moved(printerId: string, from: JobState, to: JobState): void {
    const delta = Number(QUEUED.has(to)) - Number(QUEUED.has(from));
    if (delta !== 0) this.add(printerId, delta);
  }

  forget(): void {
    this.counts.clear();
  }
}
