import { CatalogueError, type CatalogueErrorOptions } from '../errors/catalogue-error.js';
import type { ErrorCode } from '../errors/codes.js';

/**
 * What a transport or language throws: a catalogue code (whose job action the engine follows),
 * a message a technician can act on, and details such as the printer's own result code. No HTTP.
 */
export class DriverError extends CatalogueError {
  constructor(code: ErrorCode, message?: string, options: CatalogueErrorOptions = {}) {
    super(code, message, options);
    this.name = 'DriverError';
  }
}

export function isDriverError(value: unknown): value is DriverError {
  return value instanceof DriverError;
}
