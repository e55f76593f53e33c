/**
 * Messages to another thread, sent as one array per turn of the event loop (a postMessage costs
 * tens of microseconds; a job makes several messages).
 */
export class BatchedPort<T> {
  private batch: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (batch: T[]) => void) {}

  send(message: T): void {
    this.batch.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Sends what waits now (before the thread ends). */
  flush(): void {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.post(batch);
  }

  /** Drops what waits (its thread is gone). */
  clear(): void {
    this.batch = [];
  }
}
