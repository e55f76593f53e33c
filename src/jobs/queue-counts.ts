import type { CommitFence } from './commit-fence.js';
import { QUEUED_STATES, type JobState } from './job-states.js';

const QUEUED = new Set<JobState>(QUEUED_STATES);

interface Count {
  count: number;
  /** The last write of the other thread (see CommitFence) the count from the database included. */
  seen: number;
}

/**
 * How many jobs each printer has waiting or on the wire (Star's QueuedJobs, QUEUE_FULL), kept as
 * jobs are added and move, and counted from the database only the first time a printer is asked
 * (or after another process changed the jobs). With a delivery thread, the jobs it moves reach the
 * counts by message (`remote`), each applied once: `fence` says which of its writes a count from
 * the database already held.
 */
export class QueueCounts {
  private readonly counts = new Map<string, Count>();

  constructor(
    private readonly countFromDatabase: (printerId: string) => number,
    private readonly fence?: CommitFence,
  ) {}

  get(printerId: string): number {
    let entry = this.counts.get(printerId);
    if (entry === undefined) {
      const { value, seen } = this.fence ? this.fence.read(() => this.countFromDatabase(printerId)) : { value: this.countFromDatabase(printerId), seen: 0 };
      entry = { count: value, seen };
      this.counts.set(printerId, entry);
    }
    return entry.count;
  }

  add(printerId: string, delta: number): void {
    const entry = this.counts.get(printerId);
    if (entry !== undefined) entry.count = Math.max(0, entry.count + delta);
  }

  /** A change the delivery thread made in its write number `write`. */
  remote(printerId: string, delta: number, write: number): void {
    const entry = this.counts.get(printerId);
    if (entry !== undefined && write > entry.seen) entry.count = Math.max(0, entry.count + delta);
  }

  /** The change a move makes to the count (0 for moves within or outside the queue). */
  static delta(from: JobState, to: JobState): number {
    return Number(QUEUED.has(to)) - Number(QUEUED.has(from));
  }

  moved(printerId: string, from: JobState, to: JobState): void {
    const delta = QueueCounts.delta(from, to);
    if (delta !== 0) this.add(printerId, delta);
  }

  forget(): void {
    this.counts.clear();
  }
}
