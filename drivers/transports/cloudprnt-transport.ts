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
 * The printer's verdict (the `code` of its DELETE) → the job's fate, as Star's sample server does:
 * 2xx printed; 520 (download timeout, most likely the network) retried; 4xx (paper out, jam, cover
 * open while printing) held for a person; any other code (510 unsupported media type, 511 decode
 * error, 512 media version, 521 too large) aborts the job.
 */
export function resultOf(code: string, bytes: number): DeliveryReport {
  const status = code.trim().slice(0, 3);
  if (/^2\d\d$/.test(status)) return { confirmed: true, note: `printer reported ${code}`, bytesWritten: bytes };
  const message = `CloudPRNT printer reported "${code.slice(0, 100)}"`;
  if (status === '520') throw new DriverError('PRINTER_TIMEOUT', `${message}: download timeout; the job is retried`);
  if (/^4\d\d$/.test(status)) throw new DriverError('PRINTER_ERROR', message);
  throw new DriverError('DOCUMENT_FORMAT_ERROR', message);
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
  return { schemes: ['cloudprnt'], create: (uri) => new CloudPrntTransport(uri, mailbox) };
}
