import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface CloudResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface CloudRequestOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Bound on the whole exchange, connection to last byte. */
  timeoutMs: number;
  maxBytes: number;
}

function transportFor(url: URL): typeof http | typeof https {
  return url.protocol === 'https:' ? https : http;
}

/** GET with a bounded time and body size; resolves with the exact bytes received. */
export function cloudGet(url: URL, options: CloudRequestOptions): Promise<CloudResponse> {
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
    const request = transportFor(url).request(url, { method: 'GET', headers: options.headers, signal }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          request.destroy(new Error(`cloud answer larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Opens a long-lived GET (the push stream); the caller owns the response and its end. */
export function cloudOpenStream(url: URL, headers: Record<string, string>, signal: AbortSignal, connectTimeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = transportFor(url).request(url, { method: 'GET', headers, signal }, (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}
