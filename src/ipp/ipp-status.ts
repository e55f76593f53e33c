import { CatalogueError } from '../errors/catalogue-error.js';
import type { StatusName } from './ipp-constants.js';

/** printgate's catalogue codes as IPP status codes (RFC 8011 §13.1). */
const BY_CODE: Readonly<Record<string, StatusName>> = {
  BAD_REQUEST: 'client-error-bad-request',
  EMPTY_DOCUMENT: 'client-error-bad-request',
  UNAUTHORIZED: 'client-error-not-authenticated',
  TOKEN_INVALID: 'client-error-not-authorized',
  TOKEN_REVOKED: 'client-error-not-authorized',
  TOKEN_EXPIRED: 'client-error-not-authorized',
  TOKEN_DISABLED: 'client-error-not-authorized',
  INSUFFICIENT_SCOPE: 'client-error-not-authorized',
  NOT_FOUND: 'client-error-not-found',
  CONFLICT: 'client-error-not-possible',
  IDEMPOTENCY_CONFLICT: 'client-error-conflicting-attributes',
  PAYLOAD_TOO_LARGE: 'client-error-request-entity-too-large',
  UNSUPPORTED_MEDIA_TYPE: 'client-error-document-format-not-supported',
  DOCUMENT_FORMAT_ERROR: 'client-error-document-format-error',
  DOCUMENT_TOO_COMPLEX: 'client-error-document-format-error',
  QUEUE_FULL: 'server-error-busy',
  RATE_LIMITED: 'server-error-busy',
  INSUFFICIENT_STORAGE: 'server-error-temporary-error',
  SHUTTING_DOWN: 'server-error-service-unavailable',
  UNSUPPORTED_URI: 'server-error-not-accepting-jobs',
  PRINTER_UNREACHABLE: 'server-error-not-accepting-jobs',
};

/** The IPP status for an error of the use cases; null for one that is not a catalogue error (a bug). */
export function ippStatusOf(error: unknown): StatusName | null {
  return error instanceof CatalogueError ? (BY_CODE[error.code] ?? 'server-error-internal-error') : null;
}
