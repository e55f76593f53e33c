/**
 * Turns at writing the database between threads that each have a connection to it (the main
 * thread and the delivery thread), in shared memory. SQLite lets one connection write at a time;
 * one that finds the lock taken runs its busy handler, which sleeps at least a millisecond before
 * it looks again (2,172 such sleeps counted over 3,000 jobs with the delivery thread on) — on the
 * event loop, while the other's commit took some tens of microseconds. A thread that waits here
 * is woken the moment the other lets go (a futex, Atomics.wait / Atomics.notify).
 *
 * The lock is advisory: SQLite's own locking keeps the database correct, this only keeps the two
 * from meeting there. A waiter gives up after `maxWaitMs` and writes anyway (SQLite then decides),
 * so a thread that ended while holding it can only slow writes down, never stop them; the main
 * thread releases it for good when it starts a new delivery thread.
 */
export class WriteLock {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Int32Array;
  private depth = 0;
  private owned = false;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT), private readonly maxWaitMs = 50) {
    this.buffer = buffer;
    this.cell = new Int32Array(buffer);
  }

  /** Runs `write` (synchronous work: statements, a transaction) holding the lock; nested calls belong to the outermost. */
  hold<T>(write: () => T): T {
    if (this.depth++ === 0) this.owned = this.acquire();
    try {
      return write();
    } finally {
      if (--this.depth === 0 && this.owned) {
        this.owned = false;
        Atomics.store(this.cell, 0, FREE);
        Atomics.notify(this.cell, 0, 1);
      }
    }
  }

  /** Frees the lock whoever holds it (a thread that ended while holding it): only between writes of this thread. */
  reset(): void {
    Atomics.store(this.cell, 0, FREE);
    Atomics.notify(this.cell, 0);
  }

  private acquire(): boolean {
    if (Atomics.compareExchange(this.cell, 0, FREE, HELD) === FREE) return true;
    const deadline = performance.now() + this.maxWaitMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.cell, 0, HELD, left);
      if (Atomics.compareExchange(this.cell, 0, FREE, HELD) === FREE) return true;
    }
  }
}

const FREE = 0;
const HELD = 1;
