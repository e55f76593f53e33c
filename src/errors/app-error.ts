import { CatalogueError, type CatalogueErrorOptions } from './catalogue-error.js';
import type { ErrorCode } from './codes.js';

export interface AppErrorOptions extends CatalogueErrorOptions {
  /** Extra headers for the HTTP answer (Retry-After, Allow, ...). */
  headers?: Record<string, string>;
}

/** An error for an HTTP client or the command line: a catalogue code, and HTTP headers where they matter. */
export class AppError extends CatalogueError {
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(code, message, options);
    this.name = 'AppError';
    this.headers = options.headers ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
