import { describe, expect, it } from 'vitest';
import { cloudPrntTransportFactory, resultOf } from '../../../drivers/transports/cloudprnt-transport.js';
import type { CloudPrntDelivery, CloudPrntMailbox } from '../../../src/driver-api/transport.js';
import { AppError } from '../../../src/errors/app-error.js';

const context = { log: { debug() {}, info() {}, warn() {}, error() {} }, connectTimeoutMs: 1000, confirmTimeoutMs: 1000 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'no error';
}

describe('cloudprnt transport', () => {
  it('turns the printer result code into the job outcome', () => {
    expect(resultOf('200 OK', 10)).toEqual({ confirmed: true, note: 'printer reported 200 OK', bytesWritten: 10 });
    expect(resultOf('201', 3).confirmed).toBe(true);
    expect(codeOf(() => resultOf('520 Download timeout', 1))).toBe('PRINTER_TIMEOUT');
    expect(codeOf(() => resultOf('410 Out of paper', 1))).toBe('PRINTER_ERROR');
    expect(codeOf(() => resultOf('511 Decode error', 1))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(codeOf(() => resultOf('510', 1))).toBe('DOCUMENT_FORMAT_ERROR');
    expect(codeOf(() => resultOf('999', 1))).toBe('DOCUMENT_FORMAT_ERROR');
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
