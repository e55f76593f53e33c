import type net from 'node:net';
import { bounded, describeSystemError, DriverError, type TransportContext, type TransportSession } from '../../src/driver-api/index.js';

/** How often a write in progress is checked for progress. */
const STALL_CHECK_MS = 250;

/**
 * One TCP connection to a raw printer, for any number of jobs. Bytes the printer sends are kept
 * only while a status query waits for them (else dropped, so the printer never blocks on its
 * back-channel). A write makes progress or fails: PRINTER_STALLED when the printer takes nothing
 * for stallMs, PRINTER_UNREACHABLE when the connection drops.
 */
export class SocketSession implements TransportSession {
  private failure: DriverError | null = null;
  /** The failure came from an error (reset, stall), not from the printer closing its side. */
  private errored = false;
  private closed = false;
  private ended = false;
  private reply: Buffer[] | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly socket: net.Socket,
    private readonly target: string,
    private readonly context: TransportContext,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.reply) this.reply.push(chunk);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errored = true;
      this.failure ??= new DriverError('PRINTER_UNREACHABLE', `${describeSystemError(error, target)} (the connection dropped)`, { cause: error });
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.failure ??= new DriverError('PRINTER_UNREACHABLE', `${target} closed the connection`);
      this.wake();
    });
  }

  get alive(): boolean {
    return !this.closed && this.failure === null && !this.socket.writableEnded;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  write(data: Uint8Array, signal: AbortSignal): Promise<void> {
    return bounded<void>({ signal, what: `send to ${this.target}` }, (settle) => {
      this.check();
      const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      let lastWritten = this.socket.bytesWritten;
      let lastProgress = Date.now();
      let flushed = false;
      const onChange = (): void => {
        if (this.failure) settle.reject(this.failure);
        else if (this.ended) settle.reject(new DriverError('PRINTER_UNREACHABLE', `${this.target} closed the connection before the whole job was sent`));
        else if (flushed) settle.resolve();
      };
      this.waiters.add(onChange);
      const stall = setInterval(() => {
        const written = this.socket.bytesWritten;
        if (written !== lastWritten || this.socket.writableLength === 0) {
          lastWritten = written;
          lastProgress = Date.now();
          return;
        }
        if (Date.now() - lastProgress >= this.context.stallMs) {
          const error = new DriverError('PRINTER_STALLED', `${this.target} accepted the connection but took no data for ${Math.round(this.context.stallMs / 1000)} s`);
          this.errored = true;
          this.failure ??= error;
          this.socket.destroy();
          settle.reject(error);
        }
      }, Math.min(STALL_CHECK_MS, this.context.stallMs));
      // The callback runs once the bytes are handed to the kernel (or with the error that stopped them).
      this.socket.write(buffer, (error) => {
        if (error) {
          this.errored = true;
          this.failure ??= new DriverError('PRINTER_UNREACHABLE', `${describeSystemError(error as NodeJS.ErrnoException, this.target)} (while sending)`, { cause: error });
        }
        flushed = true;
        onChange();
      });
      return () => {
        clearInterval(stall);
        this.waiters.delete(onChange);
      };
    });
  }

  query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
    let answer = Buffer.alloc(0);
    return bounded<Uint8Array>({ signal, what: `status query to ${this.target}`, timeoutMs, onTimeout: () => null }, (settle) => {
      this.check();
      this.reply = [];
      const onChange = (): void => {
        answer = Buffer.concat(this.reply ?? []);
        if (isComplete(answer) || this.ended) settle.resolve(answer);
        else if (this.failure) settle.reject(this.failure);
      };
      this.waiters.add(onChange);
      this.socket.write(Buffer.from(request.buffer, request.byteOffset, request.byteLength));
      return () => {
        this.waiters.delete(onChange);
        this.reply = null;
      };
    }).catch((error: unknown) => {
      // The time is up: what came so far (perhaps nothing) is the answer.
      if (error === null) return answer;
      throw error;
    });
  }

  finish(signal: AbortSignal, waitMs: number): Promise<{ confirmed: boolean; note: string; bytesWritten: number }> {
    const unconfirmed = (): { confirmed: boolean; note: string; bytesWritten: number } => ({
      confirmed: false,
      note: `all bytes sent but ${this.target} did not close the connection within ${waitMs} ms`,
      bytesWritten: this.socket.bytesWritten,
    });
    return bounded<{ confirmed: boolean; note: string; bytesWritten: number }>(
      { signal, what: `finish of the send to ${this.target}`, timeoutMs: waitMs, onTimeout: () => null },
      (settle) => {
        // A reset or a stall fails the finish; the printer closing its side after the last byte confirms it.
        const onChange = (): void => {
          if (this.errored && this.failure) settle.reject(this.failure);
          else if (this.ended || this.closed) settle.resolve({ confirmed: true, note: `${this.target} closed the connection`, bytesWritten: this.socket.bytesWritten });
        };
        this.waiters.add(onChange);
        this.socket.end();
        onChange();
        return () => this.waiters.delete(onChange);
      },
    )
      .catch((error: unknown) => {
        if (error === null) return unconfirmed();
        throw error;
      })
      .finally(() => this.socket.destroy());
  }

  /** Resets the connection: a printer (or a plain sink) never takes a cut-off exchange for a whole job. */
  abandon(): void {
    this.failure ??= new DriverError('PRINTER_UNREACHABLE', `the connection to ${this.target} was given up`);
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }
}
