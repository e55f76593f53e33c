import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { PROBE_ATTRIBUTES } from './ipp-facts.js';

/** Get-Printer-Attributes of one printer URI: resolves with its printer-attributes group, rejects with a short reason. */
export type GetPrinterAttributes = (uri: string, signal: AbortSignal) => Promise<Record<string, unknown>>;

interface IppCodec {
  serialize(message: object): Buffer;
  parse(buffer: Buffer): { statusCode?: unknown; 'printer-attributes-tag'?: unknown };
}

/** Loaded on the first probe: a box that discovers no IPP printer never pays for it. */
let loaded: IppCodec | null = null;
const ipp = (): IppCodec => (loaded ??= createRequire(import.meta.url)('@sealsystems/ipp') as IppCodec);

export interface IppAttributesClientOptions {
  /** The whole exchange (connect, send, read) ends within this. */
  timeoutMs: number;
  /** A response longer than this is refused (a printer's full answer is tens of kilobytes). */
  maxBytes: number;
}

export const IPP_PROBE_DEFAULTS: IppAttributesClientOptions = { timeoutMs: 5000, maxBytes: 1024 * 1024 };

function requestBody(uri: string): Buffer {
  return ipp().serialize({
    version: '2.0',
    operation: 'Get-Printer-Attributes',
    id: 1,
    'operation-attributes-tag': {
      'attributes-charset': 'utf-8',
      'attributes-natural-language': 'en-us',
      'printer-uri': uri,
      'requesting-user-name': 'printgate',
      'requested-attributes': [...PROBE_ATTRIBUTES],
    },
  });
}

/**
 * Get-Printer-Attributes for discovery, bounded for untrusted networks: one deadline for the whole
 * exchange (a printer that never answers, or drips bytes, is cut off), a cap on the response size
 * (a printer answering garbage or gigabytes is refused), and the body parsed by @sealsystems/ipp's
 * codec only once it is whole. @sealsystems/ipp's own request buffers any length and only times
 * out on an idle socket, so it is not used for this. ipps is read without verifying the
 * certificate: only attributes are read here; printing goes through the ipp transport's rules.
 */
export function ippAttributesClient(options: IppAttributesClientOptions = IPP_PROBE_DEFAULTS): GetPrinterAttributes {
  return (uri, signal) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(uri);
      } catch {
        reject(new Error(`not a URI: ${uri}`));
        return;
      }
      const secure = target.protocol === 'ipps:';
      if (!secure && target.protocol !== 'ipp:') {
        reject(new Error(`not an ipp URI: ${uri}`));
        return;
      }
      const body = requestBody(uri);
      let settled = false;
      const finish = (error: Error | null, value?: Record<string, unknown>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        request.destroy();
        if (error) reject(error);
        else resolve(value ?? {});
      };
      const onAbort = (): void => finish(new Error('probe aborted'));
      const timer = setTimeout(() => finish(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      const request = (secure ? https : http).request({
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port === '' ? 631 : Number(target.port),
        path: `${target.pathname}${target.search}` || '/',
        method: 'POST',
        headers: { 'content-type': 'application/ipp', 'content-length': body.length },
        agent: false,
        ...(secure ? { rejectUnauthorized: false } : {}),
      });
      request.on('error', (error: NodeJS.ErrnoException) => finish(new Error(error.code ? `${error.code}: ${error.message}` : error.message)));
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          finish(new Error(`HTTP ${response.statusCode ?? '?'} instead of an IPP answer`));
          return;
        }
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > options.maxBytes) finish(new Error(`answer longer than ${options.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', (error) => finish(error));
        response.on('end', () => {
          let parsed: ReturnType<IppCodec['parse']>;
          try {
            parsed = ipp().parse(Buffer.concat(chunks, length));
          } catch {
            finish(new Error('the answer is not IPP'));
            return;
          }
          const status = typeof parsed.statusCode === 'string' ? parsed.statusCode : 'unknown';
          if (!status.startsWith('successful-ok')) {
            finish(new Error(`IPP status ${status}`));
            return;
          }
          const group = parsed['printer-attributes-tag'];
          const attributes = Array.isArray(group) ? group[0] : group;
          finish(null, attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>) : {});
        });
      });
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      request.end(body);
    });
}
