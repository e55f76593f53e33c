import { setTimeout as delay } from 'node:timers/promises';
import {
  DriverError,
  type DeliveryReport,
  type SendMeta,
  type Transport,
  type TransportContext,
  type TransportFactory,
} from '../../src/driver-api/index.js';
import { attributeGroup, IppClient, stringsOf, type IppAttributes } from './ipp-client.js';
import { ippJobError, ippStatusError, isIppSuccess, normalizeReasons } from './ipp-status.js';

/** What Get-Printer-Attributes said about the printer. */
export interface IppPrinterDescription {
  /** idle | processing | stopped */
  state: string;
  /** printer-state-reasons as sent (media-empty-error, ...), "none" removed. */
  stateReasons: string[];
  /** The same without severity suffixes: media-empty, cover-open, ... */
  reasons: string[];
  stateMessage: string;
  acceptingJobs: boolean;
  documentFormats: string[];
  makeAndModel: string;
  /** Every attribute the printer returned, for later use (discovery, profiles). */
  attributes: IppAttributes;
}

export interface IppUriOptions {
  /** The printer URL handed to IPP (printgate's own query options removed). */
  url: string;
  insecure: boolean;
  /** Forces this document-format instead of choosing one. */
  format: string | null;
}

const TERMINAL_STATES = new Set(['completed', 'aborted', 'canceled']);
const FORMAT_ALIASES: Record<string, readonly string[]> = {
  'application/vnd.zebra.zpl': ['application/vnd.zebra-zpl'],
  'application/vnd.zebra-zpl': ['application/vnd.zebra.zpl'],
  'application/vnd.escpos': ['application/vnd.epson.escpos'],
};
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** Parses printgate's options off an ipp(s) URI: ?insecure=1 (ipps, self-signed) and ?format=TYPE. */
export function parseIppUri(uri: URL): IppUriOptions {
  if (uri.hostname === '') throw new DriverError('UNSUPPORTED_URI', `IPP URI ${uri.href} has no host`);
  let insecure = false;
  let format: string | null = null;
  for (const [name, value] of uri.searchParams) {
    if (name === 'insecure') {
      if (value !== '0' && value !== '1') throw new DriverError('UNSUPPORTED_URI', `IPP URI option insecure=${value}: use 1 or 0`);
      if (uri.protocol !== 'ipps:' && value === '1') throw new DriverError('UNSUPPORTED_URI', 'IPP URI option insecure=1 only applies to ipps://');
      insecure = value === '1';
    } else if (name === 'format') {
      if (!MEDIA_TYPE.test(value)) throw new DriverError('UNSUPPORTED_URI', `IPP URI option format=${value}: not a media type`);
      format = value;
    } else {
      throw new DriverError('UNSUPPORTED_URI', `IPP URI option "${name}" is unknown (known: insecure, format)`);
    }
  }
  const clean = new URL(uri.href);
  clean.search = '';
  clean.hash = '';
  return { url: clean.href, insecure, format };
}

/**
 * The document-format to send: the rendered type when the printer lists it (or an alias it lists),
 * else application/octet-stream when listed, else null. A printer that lists nothing gets the
 * rendered type as is.
 */
export function chooseDocumentFormat(wanted: string, supported: readonly string[]): string | null {
  if (supported.length === 0 || supported.includes(wanted)) return wanted;
  const alias = (FORMAT_ALIASES[wanted] ?? []).find((candidate) => supported.includes(candidate));
  if (alias) return alias;
  return supported.includes('application/octet-stream') ? 'application/octet-stream' : null;
}

/**
 * ipp:// and ipps:// (IPP/2.0 over HTTP(S), default port 631). A job is Get-Printer-Attributes
 * (formats), Print-Job, then Get-Job-Attributes until the job is completed, aborted or canceled,
 * bounded by confirmTimeoutMs: `completed` is the printer's own word that it printed.
 */
export class IppTransport implements Transport {
  readonly uri: string;
  private readonly options: IppUriOptions;
  private readonly client: IppClient;
  private readonly jobClient: IppClient;

  constructor(uri: URL, private readonly context: TransportContext) {
    this.uri = uri.href;
    this.options = parseIppUri(uri);
    this.client = new IppClient({ url: this.options.url, timeoutMs: context.connectTimeoutMs, insecure: this.options.insecure });
    // Print-Job carries the document and may wait for the printer to take it: allow the confirm time too.
    this.jobClient = new IppClient({
      url: this.options.url,
      timeoutMs: context.connectTimeoutMs + context.confirmTimeoutMs,
      insecure: this.options.insecure,
    });
  }

  async describe(signal: AbortSignal): Promise<IppPrinterDescription> {
    const response = await this.client.execute('Get-Printer-Attributes', { 'operation-attributes-tag': { 'requesting-user-name': 'printgate' } }, signal);
    if (!isIppSuccess(response.statusCode)) throw ippStatusError('Get-Printer-Attributes', response.statusCode, '');
    const attributes = attributeGroup(response, 'printer-attributes-tag');
    const stateReasons = stringsOf(attributes['printer-state-reasons']).filter((reason) => reason !== 'none');
    return {
      state: stringsOf(attributes['printer-state'])[0] ?? 'unknown',
      stateReasons,
      reasons: normalizeReasons(stateReasons),
      stateMessage: stringsOf(attributes['printer-state-message'])[0] ?? '',
      acceptingJobs: attributes['printer-is-accepting-jobs'] !== false,
      documentFormats: stringsOf(attributes['document-format-supported']),
      makeAndModel: stringsOf(attributes['printer-make-and-model'])[0] ?? '',
      attributes,
    };
  }

  async probe(signal: AbortSignal): Promise<void> {
    const description = await this.describe(signal);
    if (!description.acceptingJobs) {
      throw new DriverError('PRINTER_UNREACHABLE', `the IPP printer is not accepting jobs (${description.stateReasons.join(', ') || description.state})`);
    }
  }

  async send(data: Uint8Array, signal: AbortSignal, meta: SendMeta): Promise<DeliveryReport> {
    const description = await this.describe(signal);
    const format = this.options.format ?? chooseDocumentFormat(meta.documentFormat, description.documentFormats);
    if (format === null) {
      throw new DriverError(
        'DOCUMENT_FORMAT_ERROR',
        `the IPP printer does not accept ${meta.documentFormat} (it lists ${description.documentFormats.join(', ')}); add it to the printer or use ?format=`,
      );
    }
    const response = await this.jobClient.execute(
      'Print-Job',
      {
        'operation-attributes-tag': { 'requesting-user-name': 'printgate', 'job-name': meta.jobName.slice(0, 255) || meta.jobId, 'document-format': format },
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      },
      signal,
    );
    if (!isIppSuccess(response.statusCode)) {
      const message = stringsOf(attributeGroup(response, 'operation-attributes-tag')['status-message'])[0] ?? '';
      if (response.statusCode === 'client-error-attributes-or-values-not-supported' && 'document-format' in attributeGroup(response, 'unsupported-attributes-tag')) {
        throw new DriverError('DOCUMENT_FORMAT_ERROR', `the IPP printer refused document-format ${format}${message ? ` (${message})` : ''}`);
      }
      throw ippStatusError('Print-Job', response.statusCode, message);
    }
    const job = attributeGroup(response, 'job-attributes-tag');
    const ippJobId = Number(stringsOf(job['job-id'])[0]);
    this.context.log.debug({ jobId: meta.jobId, ippJobId, documentFormat: format, bytes: data.byteLength }, 'ipp job accepted');
    if (!Number.isInteger(ippJobId)) {
      return { confirmed: false, note: 'the printer accepted the job but sent no job-id to track', bytesWritten: data.byteLength };
    }
    return this.track(ippJobId, data.byteLength, signal);
  }

  async close(): Promise<void> {
    // One HTTP connection per request: nothing is held open.
  }

  /** Polls Get-Job-Attributes until the job ends or confirmTimeoutMs passes. */
  private async track(ippJobId: number, bytesWritten: number, signal: AbortSignal): Promise<DeliveryReport> {
    const deadline = Date.now() + this.context.confirmTimeoutMs;
    let interval = 25;
    let last = 'pending';
    for (;;) {
      let attributes: IppAttributes;
      try {
        const response = await this.client.execute(
          'Get-Job-Attributes',
          {
            'operation-attributes-tag': {
              'job-id': ippJobId,
              'requesting-user-name': 'printgate',
              'requested-attributes': ['job-state', 'job-state-reasons', 'job-state-message'],
            },
          },
          signal,
        );
        if (!isIppSuccess(response.statusCode)) {
          return { confirmed: false, note: `IPP job ${ippJobId} accepted; Get-Job-Attributes answered ${response.statusCode}`, bytesWritten };
        }
        attributes = attributeGroup(response, 'job-attributes-tag');
      } catch (error) {
        if (signal.aborted) return this.cancel(ippJobId);
        // The document is with the printer: re-sending it could print twice, so report it unconfirmed.
        return { confirmed: false, note: `IPP job ${ippJobId} accepted, then the printer stopped answering: ${(error as Error).message}`, bytesWritten };
      }
      last = stringsOf(attributes['job-state'])[0] ?? last;
      if (TERMINAL_STATES.has(last)) {
        if (last === 'completed') return { confirmed: true, note: `IPP job ${ippJobId} completed`, bytesWritten };
        const reasons = stringsOf(attributes['job-state-reasons']).filter((reason) => reason !== 'none');
        throw ippJobError(ippJobId, last, reasons, stringsOf(attributes['job-state-message'])[0] ?? '');
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        return { confirmed: false, note: `IPP job ${ippJobId} still ${last} after ${this.context.confirmTimeoutMs} ms`, bytesWritten };
      }
      try {
        await delay(Math.min(interval, remaining), undefined, { signal });
      } catch {
        return this.cancel(ippJobId);
      }
      interval = Math.min(interval * 2, 500);
    }
  }

  /** The send was abandoned after the printer took the job: ask it to drop the job (best effort). */
  private async cancel(ippJobId: number): Promise<never> {
    try {
      await this.client.execute(
        'Cancel-Job',
        { 'operation-attributes-tag': { 'job-id': ippJobId, 'requesting-user-name': 'printgate' } },
        AbortSignal.timeout(this.context.connectTimeoutMs),
      );
    } catch (error) {
      this.context.log.warn({ ippJobId, err: (error as Error).message }, 'ipp cancel-job failed');
    }
    throw new DriverError('PRINTER_TIMEOUT', `send aborted; asked the printer to cancel IPP job ${ippJobId}`);
  }
}

export const ippTransportFactory: TransportFactory = {
  schemes: ['ipp', 'ipps'],
  // Office printers take PDF.
  defaultLanguage: 'pdf',
  create: (uri, context) => new IppTransport(uri, context),
};
