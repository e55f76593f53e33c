import { storageError } from './storage-error.js';

interface Entry {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onFull: (() => void) | undefined;
}

export interface TurnWriterDeps {
  /** Runs `work` in one transaction (the writes inside that are transactions of their own become savepoints). */
  transaction: (work: () => void) => void;
  /** How long a `soon` write waits for company (SOON_MS; tests give more). */
  soonMs?: number;
}

/** How long a `soon` write waits for a write that may not wait (a new job) to share its commit with. */
const SOON_MS = 1;

export interface TurnWriteOptions {
  /**
   * The write must not be lost to a full disk (a job's state after its bytes went out): on a
   * storage error this is called (the storage guard frees its reserve) and the write is tried once
   * more. Without it, a full disk fails the write (a new job is refused with 507).
   */
  onFull?: () => void;
  /**
   * The write may wait up to SOON_MS for company (a worker's processing or sent mark: with one
   * client, the next request's new job comes a fraction of a millisecond later, and the two share a
   * commit instead of one each). Any other write in that time commits it at once with its own turn.
   */
  soon?: boolean;
}

/**
 * Group commit of the job store's writes of one event-loop turn: the jobs submitted together and
 * the marks every printer's worker makes (processing, sent, completed) go to the WAL in one
 * commit instead of one each. Each commit writes the pages it touched (a jobs leaf, two index
 * pages, the WAL frame headers) once; with ten printers each worker's batch is a job or two, so
 * separate commits cost every job three of them.
 *
 * Each write must be atomic by itself (one statement, or a transaction of its own: it becomes a
 * savepoint). A write refused by a constraint of its own row (an Idempotency-Key a concurrent
 * request used first) fails alone; any other failure (the disk, the database, a bug) rolls the
 * whole turn back and fails every write of it — except those given `onFull`, which are written
 * once more after a full disk. A write's promise resolves once it is committed (not yet synced:
 * whoever needs it on stable storage awaits the WAL sync after it, as before).
 */
export class TurnWriter {
  private waiting: Entry[] = [];
  /** A commit is due at the end of this turn (setImmediate). */
  private dueThisTurn = false;
  /** Only `soon` writes wait: their commit is due within SOON_MS. */
  private soonTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: TurnWriterDeps) {}

  /** Runs `work` in this turn's transaction; resolves with its result once that is committed. */
  write<T>(work: () => T, options: TurnWriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject, onFull: options.onFull });
      if (this.dueThisTurn) return;
      if (!options.soon) {
        this.dueThisTurn = true;
        setImmediate(() => this.flush());
      } else if (!this.soonTimer) {
        // A write that cannot wait came meanwhile (its commit is due at the end of a turn): that one takes these along.
        this.soonTimer = setTimeout(() => {
          this.soonTimer = null;
          if (!this.dueThisTurn) this.flush();
        }, this.deps.soonMs ?? SOON_MS);
      }
    });
  }

  private flush(): void {
    this.dueThisTurn = false;
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soonTimer = null;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const failure = this.commit(batch);
    if (failure === null) return;
    const full = storageError(failure) !== null;
    const again = full ? batch.filter((entry) => entry.onFull) : [];
    for (const entry of batch) if (!again.includes(entry)) entry.reject(failure);
    if (again.length === 0) return;
    try {
      for (const onFull of new Set(again.map((entry) => entry.onFull!))) onFull();
    } catch {
      // Not even the storage guard could act: the writes fail with the disk's error (never left waiting).
      for (const entry of again) entry.reject(failure);
      return;
    }
    const second = this.commit(again);
    if (second !== null) for (const entry of again) entry.reject(second);
  }

  /** Commits `batch` in one transaction and settles its entries; the error that rolled it back (none settled) or null. */
  private commit(batch: readonly Entry[]): unknown {
    const outcomes: ({ value: unknown } | { error: unknown })[] = [];
    try {
      this.deps.transaction(() => {
        for (const entry of batch) {
          try {
            outcomes.push({ value: entry.work() });
          } catch (error) {
            if (!isRowError(error)) throw error;
            outcomes.push({ error });
          }
        }
      });
    } catch (error) {
      return error;
    }
    batch.forEach((entry, index) => {
      const outcome = outcomes[index]!;
      if ('value' in outcome) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
    return null;
  }
}

/** A constraint of one row (its savepoint is rolled back; the turn goes on). */
function isRowError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
