import { fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Group commit for a WAL database opened with `synchronous = NORMAL`: commits only write to the
 * WAL (no fsync on the event loop), and whoever needs them on stable storage — a 201 for an
 * accepted job, a job marked as going to the printer — awaits `sync()`. Every caller that arrives
 * while an fdatasync is running shares the next one, so ten concurrent accepts cost one or two
 * fsyncs, run in libuv's thread pool.
 *
 * Why that is durable: SQLite in WAL mode with synchronous=NORMAL syncs the WAL before each
 * checkpoint and the database after it, so a committed transaction is on disk either in the WAL
 * (our fdatasync) or in the database (a checkpoint's fsync) before the WAL is reused.
 *
 * `syncSoon()` is for a caller that may wait a moment (a printer worker's "processing" mark before
 * it sends): its sync starts within SOON_MS, or at once when a caller that may not wait (a request
 * awaiting its 201) comes first, and they share it. With one client that is one fdatasync per job
 * instead of two, and the request no longer waits behind the worker's: each new job's request
 * arrived just as the worker's sync for the job before had started.
 */
/** How long a syncSoon() waits for a sync() to share before its own starts. */
const SOON_MS = 1;

export class WalSync {
  private handle: FileHandle | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** A syncSoon() waiting for its SOON_MS or for a sync() to share. */
  private deferred: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void; timer: NodeJS.Timeout } | null = null;
  private syncs = 0;

  constructor(private readonly walPath: string) {}

  /** fdatasyncs done so far (the benchmark reports them per job). */
  get count(): number {
    return this.syncs;
  }

  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void> {
    const deferred = this.deferred;
    if (deferred) {
      // A caller that could wait was waiting for just this: the sync starts now and covers both.
      this.deferred = null;
      clearTimeout(deferred.timer);
      const shared = this.syncNow();
      shared.then(deferred.resolve, deferred.reject);
      return shared;
    }
    return this.syncNow();
  }

  /** sync(), for a caller that may wait up to SOON_MS for another caller to share the fdatasync with. */
  syncSoon(): Promise<void> {
    // A sync waits to start already (it starts after our commit): share it.
    if (this.queued) return this.queued;
    if (this.deferred) return this.deferred.promise;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => {
      if (this.deferred?.promise !== promise) return;
      this.deferred = null;
      this.syncNow().then(resolve, reject);
    }, SOON_MS);
    this.deferred = { promise, resolve, reject, timer };
    return promise;
  }

  private syncNow(): Promise<void> {
    // A sync already running may have started before our commit: wait for the one after it.
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.flush().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    const next = this.running.then(
      () => this.runQueued(),
      () => this.runQueued(),
    );
    this.queued = next;
    return next;
  }

  private runQueued(): Promise<void> {
    this.queued = null;
    this.running = this.flush().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async flush(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await this.walHandle();
    } catch (error) {
      // No WAL file: everything committed is in the database file already (checkpointed at close).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.syncs += 1;
    await handle.datasync();
  }

  /**
   * The WAL file, reopened if SQLite replaced it (it is deleted when the last connection closes).
   * Whether the open one was deleted is one fstat of its descriptor (no link left), done on the
   * spot: a stat by path in the thread pool cost every sync a second trip through it.
   */
  private async walHandle(): Promise<FileHandle> {
    if (this.handle && fstatSync(this.handle.fd).nlink > 0) return this.handle;
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    this.handle = await open(this.walPath, 'r');
    return this.handle;
  }

  async close(): Promise<void> {
    if (this.deferred) await this.sync().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }
}
