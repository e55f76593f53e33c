import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RETIRED_CODES } from '../../../src/errors/codes.js';

/** Every code that has shipped: clients match on them, so none may vanish or change its meaning. */
const SHIPPED = [
  'BAD_REQUEST', 'UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TOKEN_EXPIRED', 'TOKEN_DISABLED', 'INSUFFICIENT_SCOPE',
  'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'CONFLICT', 'IDEMPOTENCY_CONFLICT', 'HEADERS_TOO_LARGE', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'RATE_LIMITED', 'AUTH_THROTTLED', 'QUEUE_FULL', 'INTERNAL', 'SHUTTING_DOWN', 'CONFIG_INVALID',
  'PRINTER_UNREACHABLE', 'PRINTER_TIMEOUT', 'PRINTER_BUSY', 'PRINTER_ERROR', 'PRINTER_REJECTED_JOB', 'DOCUMENT_FORMAT_ERROR', 'UNSUPPORTED_URI',
];

describe('the error catalogue', () => {
  it('keeps every shipped code, or lists it as retired', () => {
    const gone = SHIPPED.filter((code) => !(code in ERROR_CODES) && !RETIRED_CODES.includes(code));
    expect(gone).toEqual([]);
  });

  it('never gives a retired code a new meaning', () => {
    expect(RETIRED_CODES.filter((code) => code in ERROR_CODES)).toEqual([]);
  });

  it('gives every code an HTTP status, a message a person can act on, and for engine codes a reason', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES) as [string, { status: number; message: string; action?: string; reason?: string }][]) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.message.length).toBeGreaterThan(10);
      if (spec.action !== undefined) expect(spec.reason, code).toMatch(/^[a-z][a-z-]+$/);
    }
  });
});
