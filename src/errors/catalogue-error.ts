import { ERROR_CODES, errorSpec, type ErrorCode, type ErrorSpec } from './codes.js';

export interface CatalogueErrorOptions {
  /** Structured details, safe to show to a client (never a secret). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An error with a catalogue code. AppError (HTTP, CLI) and DriverError (transports, languages)
 * both are one: whoever meets it keeps the code, never re-parses it from a message.
 */
export class CatalogueError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: CatalogueErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CatalogueError';
    this.code = code;
    this.details = options.details;
  }

  get spec(): ErrorSpec {
    return errorSpec(this.code);
  }

  get status(): number {
    return this.spec.status;
  }
}

export function isCatalogueError(value: unknown): value is CatalogueError {
  return value instanceof CatalogueError;
}
