import { ERROR_CODES, type ErrorCode, type JobAction } from './codes.js';

export interface AppErrorOptions {
  /** Extra headers for the HTTP answer (Retry-After, Allow, ...). */
  headers?: Record<string, string>;
  /** Structured details, safe to show to the client (never a secret). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type printgate throws. The code decides the HTTP status and the job action. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get action(): JobAction {
    return ERROR_CODES[this.code].action;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
