import { DriverError } from './driver-error.js';

/** Settles a bounded operation once; later calls are ignored. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  readonly settled: boolean;
}

export interface BoundedOptions {
  signal: AbortSignal;
  /** What the operation is, for the messages: "send to 10.0.0.7:9100". */
  what: string;
  /** Rejects with what `onTimeout` returns (by default PRINTER_TIMEOUT naming `what`) after `timeoutMs`; no bound when absent. */
  timeoutMs?: number;
  onTimeout?: () => unknown;
}

/**
 * The one settle-once block of the transports: a promise that settles exactly once, is rejected
 * with PRINTER_TIMEOUT when `signal` aborts or `timeoutMs` passes, and runs the operation's
 * cleanup (the function `run` returns) whichever way it ends.
 */
export function bounded<T>(options: BoundedOptions, run: (settle: Settle<T>) => (() => void) | void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, what } = options;
    if (signal.aborted) {
      reject(new DriverError('PRINTER_TIMEOUT', `${what} aborted before it began`));
      return;
    }
    let settled = false;
    let cleanup: (() => void) | void = undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      settled = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup?.();
    };
    const settle: Settle<T> = {
      resolve: (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      reject: (error) => {
        if (settled) return;
        finish();
        reject(error);
      },
      get settled() {
        return settled;
      },
    };
    const onAbort = (): void => settle.reject(new DriverError('PRINTER_TIMEOUT', `${what} aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      const timedOut = options.onTimeout ?? (() => new DriverError('PRINTER_TIMEOUT', `${what} did not finish within ${options.timeoutMs} ms`));
      timer = setTimeout(() => settle.reject(timedOut()), options.timeoutMs);
    }
    try {
      cleanup = run(settle);
      if (settled) cleanup?.();
    } catch (error) {
      settle.reject(error);
    }
  });
}
