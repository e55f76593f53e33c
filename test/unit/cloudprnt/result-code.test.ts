import { describe, expect, it } from 'vitest';
import { isPrintedCode, parseResultCode } from '../../../src/cloudprnt/result-code.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import type { Job } from '../../../src/jobs/job-store.js';
import { completionCode, failureCode } from '../../../src/webhooks/webhook-events.js';

/** A job as the engine leaves it: its stateReason and the catalogue code kept with it (never parsed back from the reason). */
const CODES: Record<string, ErrorCode> = { 'printer-rejected-job': 'PRINTER_REJECTED_JOB', 'document-format-error': 'DOCUMENT_FORMAT_ERROR', 'printer-timeout': 'PRINTER_TIMEOUT' };
const job = (state: Job['state'], stateReason: string | null, printerCode: string | null): Job =>
  ({ state, stateReason, printerCode, attempts: 1, errorCode: stateReason ? (CODES[stateReason] ?? null) : null }) as Job;

describe('CloudPRNT result codes', () => {
  it('reads the code and the printer text, filling in Star text for bare digits', () => {
    expect(parseResultCode('411 Paper jam')).toEqual({ code: 411, description: 'Paper jam' });
    expect(parseResultCode('211')).toEqual({ code: 211, description: 'Paper low' });
    expect(parseResultCode('200')).toEqual({ code: 200, description: 'OK' });
    expect(parseResultCode('520')).toEqual({ code: 520, description: 'Download timeout' });
    expect(parseResultCode('299')).toEqual({ code: 299, description: 'OK' });
    expect(parseResultCode('499')).toEqual({ code: 499, description: 'Printer error' });
    expect(parseResultCode('999')).toEqual({ code: 999, description: 'Error' });
    expect(parseResultCode(null)).toBeNull();
    expect(parseResultCode('')).toBeNull();
    expect(parseResultCode('OK')).toBeNull();
    expect(isPrintedCode({ code: 211, description: '' })).toBe(true);
    expect(isPrintedCode({ code: 411, description: '' })).toBe(false);
  });
});

describe('webhook Code and CodeDescription', () => {
  it('job/completed carries the printer 2xx, or 200 OK from a transport that reports none', () => {
    expect(completionCode(job('completed', null, '211 Paper low'))).toEqual({ Code: 211, CodeDescription: 'Paper low' });
    expect(completionCode(job('completed', null, '200 OK'))).toEqual({ Code: 200, CodeDescription: 'OK' });
    expect(completionCode(job('completed', null, null))).toEqual({ Code: 200, CodeDescription: 'OK' });
    expect(completionCode(job('completed', 'completed-unconfirmed', null))).toEqual({ Code: 200, CodeDescription: 'OK' });
  });

  it('job/failed carries the printer code; without one, the HTTP status of the job error code', () => {
    expect(failureCode(job('aborted', 'printer-rejected-job', '411 Paper jam'))).toEqual({ Code: 411, CodeDescription: 'Paper jam' });
    expect(failureCode(job('aborted', 'document-format-error', '511'))).toEqual({ Code: 511, CodeDescription: 'Decode error' });
    expect(failureCode(job('aborted', 'printer-timeout', '520 Download timeout'))).toEqual({ Code: 520, CodeDescription: 'Download timeout' });
    expect(failureCode(job('aborted', 'document-format-error', null))).toEqual({ Code: 422, CodeDescription: 'document-format-error' });
    expect(failureCode(job('aborted', 'printer-rejected-job', null))).toEqual({ Code: 502, CodeDescription: 'printer-rejected-job' });
  });
});
