/**
 * Two counters in shared memory around the writes of one thread that change queue counts: a
 * seqlock. The writer numbers each outermost write (started before its commit, committed after);
 * a reader in another thread counts from the database and learns exactly which of those writes its
 * count already holds, so a write's count change that reaches it later by message is applied only
 * when the count did not see the write itself (never twice, never lost).
 */
export class CommitFence {
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  private depth = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.cells = new Int32Array(buffer);
  }

  /** Writer: runs `write` as one numbered write (nested writes belong to the outermost). */
  around<T>(write: () => T): T {
    if (this.depth++ === 0) Atomics.add(this.cells, STARTED, 1);
    try {
      return write();
    } finally {
      if (--this.depth === 0) Atomics.store(this.cells, COMMITTED, Atomics.load(this.cells, STARTED));
    }
  }

  /** Writer: the number of the write in progress (the last one, between writes). */
  current(): number {
    return Atomics.load(this.cells, STARTED);
  }

  /**
   * Reader: runs `count` (a read of the database) and returns the last write it is sure to include.
   * A write that started but had not committed while it ran makes the answer unsure: it runs again
   * (a write is a few microseconds of synchronous work, so a second try is almost always enough).
   */
  read<T>(count: () => T): { value: T; seen: number } {
    for (let tries = 1; ; tries++) {
      const committed = Atomics.load(this.cells, COMMITTED);
      const value = count();
      if (Atomics.load(this.cells, STARTED) === committed || tries >= MAX_TRIES) return { value, seen: committed };
    }
  }
}

const STARTED = 0;
const COMMITTED = 1;
const MAX_TRIES = 100;
