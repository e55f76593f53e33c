import { DriverError, type DeliveryReport, type SendMeta, type Transport, type TransportFactory } from '../../src/driver-api/index.js';
import type { CloudPrntMailbox } from '../../src/driver-api/transport.js';

const MAC = /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;

/** The MAC of `cloudprnt:00:11:62:1d:9a:b7` (or `cloudprnt://00-11-62-1d-9a-b7`), lower case with colons. */
export function cloudPrntMac(uri: URL): string | null {
  const address = decodeURIComponent(uri.host || uri.pathname).replace(/^\/+|\/+$/g, '');
  const match = MAC.exec(address);
  return match ? match.slice(1, 7).join(':').toLowerCase() : null;
}

/**
 * The printer's verdict (the `code` of its DELETE, e.g. "411 Paper jam") → the job's fate, as Star's
 * CloudPRNT protocol and sample server define it: 2xx printed; 520 (download timeout, most likely
 * the network) retried; every other code failed and cleared, never retried: 5xx the printer could
 * not take the document (510 unsupported media type, 511 decode error, 512 media version, 521 too
 * large) → `document-format-error`; 4xx (410 out of paper, 411 jam, 420 cover open) and anything
 * else → `printer-rejected-job`. The code travels with the result so the job and its webhook carry it.
 */
export function resultOf(code: string, bytes: number): DeliveryReport {
  const printerCode = code.trim().slice(0, 100);
  const status = printerCode.slice(0, 3);
  if (/^2\d\d$/.test(status)) return { confirmed: true, note: `printer reported ${printerCode}`, bytesWritten: bytes, printerCode };
  const message = `CloudPRNT printer reported "${printerCode}"`;
  const details = { printerCode };
  if (status === '520') throw new DriverError('PRINTER_TIMEOUT', `${message}: download timeout; the job is retried`, { details });
  if (/^5\d\d$/.test(status)) throw new DriverError('DOCUMENT_FORMAT_ERROR', `${message}: it cannot print this document`, { details });
  throw new DriverError('PRINTER_REJECTED_JOB', `${message}; the job is not retried`, { details });
}

/** cloudprnt:<mac> — a Star printer that polls the gateway; the job waits in the mailbox until it is fetched and confirmed. */
export class CloudPrntTransport implements Transport {
  readonly uri: string;
  private readonly mac: string;

  constructor(uri: URL, private readonly mailbox: CloudPrntMailbox) {
    this.uri = uri.href;
    const mac = cloudPrntMac(uri);
    if (!mac) throw new DriverError('UNSUPPORTED_URI', `cloudprnt URI ${uri.href} names no MAC address (cloudprnt:00:11:62:1d:9a:b7)`);
    this.mac = mac;
  }

  async send(data: Uint8Array, signal: AbortSignal, meta: SendMeta): Promise<DeliveryReport> {
    const code = await this.mailbox.deliver(this.mac, { jobId: meta.jobId, bytes: data, mediaType: meta.documentFormat }, signal);
    return resultOf(code, data.byteLength);
  }

  async probe(): Promise<void> {
    this.mailbox.reachable(this.mac);
  }

  async close(): Promise<void> {}
}

/** The factory main.ts builds around the gateway's CloudPRNT hub. */
export function cloudPrntTransportFactory(mailbox: CloudPrntMailbox): TransportFactory {
  return { schemes: ['cloudprnt'], defaultLanguage: 'starprnt', create: (uri) => new CloudPrntTransport(uri, mailbox) };
}
