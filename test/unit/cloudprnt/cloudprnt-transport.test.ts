import { ERROR_CODES } from '../../../src/errors/codes.js';
import { describe, expect, it } from 'vitest';
import { cloudPrntTransportFactory, resultOf } from '../../../drivers/transports/cloudprnt-transport.js';
import type { CloudPrntDelivery, CloudPrntMailbox } from '../../../src/driver-api/transport.js';
import { AppError } from '../../../src/errors/app-error.js';

const context = { log: { debug() {}, info() {}, warn() {}, error() {} }, connectTimeoutMs: 1000, confirmTimeoutMs: 1000, stallMs: 1000 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'no error';
}

describe('cloudprnt transport', () => {
  it('turns the printer result code into the job outcome, as Star defines it: 2xx printed, 520 retried, the rest failed', () => {
    expect(resultOf('200 OK', 10)).toEqual({ confirmed: true, note: 'printer reported 200 OK', bytesWritten: 10, printerCode: '200 OK' });
    expect(resultOf('201', 3)).toMatchObject({ confirmed: true, printerCode: '201' });
    expect(resultOf(' 211 Paper low ', 3)).toMatchObject({ confirmed: true, printerCode: '211 Paper low' });
    expect(codeOf(() => resultOf('520 Download timeout', 1))).toBe('PRINTER_TIMEOUT');
    // Deliberate change to follow Star's spec (§6.3): a 4xx used to hold the job (PRINTER_ERROR); now it fails it.
    expect(codeOf(() => resultOf('410 Out of paper', 1))).toBe('PRINTER_REJECTED_JOB');
    expect(codeOf(() => resultOf('411 Paper jam', 1))).toBe('PRINTER_REJECTED_JOB');
    expect(codeOf(() => resultOf('511 Decode error', 1))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(codeOf(() => resultOf('510', 1))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(codeOf(() => resultOf('521 Job too large', 1))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(codeOf(() => resultOf('999', 1))).toBe('PRINTER_REJECTED_JOB');
    expect(codeOf(() => resultOf('301 Moved', 1))).toBe('PRINTER_REJECTED_JOB');
  });

  it('carries the printer code in the error, and the catalogue fails (never retries or holds) a rejected job', () => {
    for (const code of ['411 Paper jam', '520 Download timeout', '511 Decode error']) {
      try {
        resultOf(code, 1);
        expect.unreachable();
      } catch (error) {
        expect((error as AppError).details).toEqual({ printerCode: code });
      }
    }
    expect(ERROR_CODES.PRINTER_REJECTED_JOB).toMatchObject({ action: 'fail', status: 502 });
    expect(ERROR_CODES.DOCUMENT_FORMAT_ERROR.action).toBe('fail');
  });

  it('hands the job to the mailbox under the printer MAC and reports what the printer said', async () => {
    const seen: { mac: string; delivery: CloudPrntDelivery }[] = [];
    const mailbox: CloudPrntMailbox = {
      deliver: async (mac, delivery) => {
        seen.push({ mac, delivery });
        return '200 OK';
      },
      reachable: (mac) => {
        if (mac !== '00:11:62:1d:9a:b7') throw new AppError('PRINTER_UNREACHABLE');
      },
    };
    const factory = cloudPrntTransportFactory(mailbox);
    expect(factory.schemes).toEqual(['cloudprnt']);
    const transport = factory.create(new URL('cloudprnt:00:11:62:1D:9A:B7'), context);
    const report = await transport.send(new Uint8Array([1, 2, 3]), new AbortController().signal, { jobId: 'j1', jobName: 'n', documentFormat: 'application/vnd.star.starprnt' });
    expect(report).toMatchObject({ confirmed: true, bytesWritten: 3 });
    expect(seen[0]?.mac).toBe('00:11:62:1d:9a:b7');
    expect(seen[0]?.delivery).toMatchObject({ jobId: 'j1', mediaType: 'application/vnd.star.starprnt' });
    await expect(transport.probe(new AbortController().signal)).resolves.toBeUndefined();
    await expect(factory.create(new URL('cloudprnt:00:11:62:00:00:01'), context).probe(new AbortController().signal)).rejects.toMatchObject({ code: 'PRINTER_UNREACHABLE' });
    expect(() => factory.create(new URL('cloudprnt:kitchen'), context)).toThrow(/names no MAC/);
  });
});
