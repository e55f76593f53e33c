import type { DestinationStream } from 'pino';

/** What StdoutLines writes to: process.stdout, or any stream of the same kind (tests). */
export interface LineOutput {
  write(text: string): boolean;
  readonly writableLength: number;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export interface StdoutLinesOptions {
  /** Bytes that may wait for a slow reader before lines are dropped (4 MiB). */
  maxQueuedBytes?: number;
}

/**
 * The log's way out: stdout as node's own stream, which writes each line at once when the reader
 * (journald, a pipe) keeps up and queues it, off the event loop, when it does not. pino's
 * synchronous destination instead slept 100 ms per attempt on a full pipe (sonic-boom's EAGAIN
 * retry), which froze printing whenever the journal fell behind — measured under load, 155 ms
 * stretches of a busy loop in one profile. Past maxQueuedBytes lines are dropped and counted, and
 * once the reader has caught up `onDropped` says how many; a reader that went away for good
 * (EPIPE) costs the lines, not the gateway.
 */
export class StdoutLines implements DestinationStream {
  /** Told how many lines were dropped, once the queue has drained (the logger writes a warning). */
  onDropped: ((lines: number) => void) | null = null;
  private dropped = 0;
  private waiting = false;
  private broken = false;
  private readonly maxQueuedBytes: number;

  constructor(private readonly out: LineOutput, options: StdoutLinesOptions = {}) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    out.on('error', () => {
      this.broken = true;
    });
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.out.writableLength >= this.maxQueuedBytes) {
      this.dropped += 1;
      this.awaitDrain();
      return;
    }
    this.out.write(line);
  }

  /** Lines that wait for the reader, in bytes (0: everything logged is with the reader). */
  get queuedBytes(): number {
    return this.broken ? 0 : this.out.writableLength;
  }

  /**
   * Resolves when every line is with the reader, or after `timeoutMs` (before process.exit, which
   * would drop what is queued).
   */
  drained(timeoutMs: number): Promise<void> {
    if (this.queuedBytes === 0) return Promise.resolve();
    // 'drain' only comes after a write that passed the stream's highWaterMark: a few queued lines
    // below it are seen by looking.
    return new Promise((resolve) => {
      const started = Date.now();
      const look = setInterval(() => {
        if (this.queuedBytes === 0 || Date.now() - started >= timeoutMs) {
          clearInterval(look);
          resolve();
        }
      }, DRAIN_LOOK_MS);
    });
  }

  private awaitDrain(): void {
    if (this.waiting) return;
    this.waiting = true;
    this.out.once('drain', () => {
      this.waiting = false;
      const lines = this.dropped;
      this.dropped = 0;
      if (lines > 0) this.onDropped?.(lines);
    });
  }
}

/** How often drained() looks whether the reader has taken everything. */
const DRAIN_LOOK_MS = 10;
