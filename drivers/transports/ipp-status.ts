import { DriverError, type ErrorCode } from '../../src/driver-api/index.js';

const BUSY = new Set(['server-error-busy', 'server-error-service-unavailable', 'server-error-temporary-error', 'server-error-too-many-jobs']);
const UNREACHABLE = new Set(['server-error-not-accepting-jobs', 'server-error-printer-is-deactivated', 'client-error-not-found', 'client-error-gone']);
const DOCUMENT = new Set([
  'client-error-document-format-not-supported',
  'client-error-document-format-error',
  'client-error-document-unprintable-error',
  'client-error-compression-not-supported',
  'client-error-compression-error',
  'client-error-request-entity-too-large',
]);

/** Job-state-reasons of an aborted job that blame the document rather than the printer. */
const DOCUMENT_REASONS = new Set(['document-format-error', 'document-unprintable-error', 'unsupported-document-format', 'unsupported-compression']);

export function isIppSuccess(statusCode: string): boolean {
  return statusCode.startsWith('successful-ok');
}

/** The catalogue code for a failed IPP status: busy → retry, not accepting → offline, bad document → fail. */
export function ippStatusCode(statusCode: string): ErrorCode {
  if (BUSY.has(statusCode)) return 'PRINTER_BUSY';
  if (UNREACHABLE.has(statusCode)) return 'PRINTER_UNREACHABLE';
  if (DOCUMENT.has(statusCode)) return 'DOCUMENT_FORMAT_ERROR';
  return 'PRINTER_ERROR';
}

export function ippStatusError(operation: string, statusCode: string, message: string): DriverError {
  const hint = statusCode === 'client-error-not-found' ? ': no printer at this URI path (try /ipp/print)' : '';
  return new DriverError(ippStatusCode(statusCode), `${operation}: ${statusCode}${hint}${message ? ` (${message})` : ''}`, {
    details: { ippStatus: statusCode },
  });
}

/** An aborted or canceled IPP job as a catalogue error. */
export function ippJobError(jobId: number, state: string, reasons: readonly string[], message: string): DriverError {
  const blamesDocument = reasons.some((reason) => DOCUMENT_REASONS.has(reason));
  const code: ErrorCode = blamesDocument ? 'DOCUMENT_FORMAT_ERROR' : 'PRINTER_ERROR';
  const why = [reasons.join(', '), message].filter((part) => part !== '').join('; ');
  return new DriverError(code, `IPP job ${jobId} ${state} by the printer${why ? `: ${why}` : ''}`, {
    details: { ippJobId: jobId, jobState: state, jobStateReasons: [...reasons] },
  });
}

/** printer-state-reasons without severity suffixes and without "none": media-empty-error → media-empty. */
export function normalizeReasons(reasons: readonly string[]): string[] {
  return [...new Set(reasons.filter((reason) => reason !== 'none').map((reason) => reason.replace(/-(error|warning|report)$/, '')))];
}
