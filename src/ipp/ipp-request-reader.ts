import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { decodeIpp, IppRequestError, type DecodeLimits } from './ipp-decoder.js';
import type { IppMessage } from './ipp-message.js';

/** The attribute part of a request is at most this long (the document that follows is not). */
export const MAX_HEAD_BYTES = 256 * 1024;

export interface IppRequest {
  message: IppMessage;
  /** Bytes of the attribute part. */
  headBytes: number;
  /** The document data after end-of-attributes (empty for most operations). */
  document: Readable;
}

/** The client stopped sending before the attributes were complete: the connection is closed. */
export class IppHeadTimeout extends Error {}

/**
 * Reads an IPP request's attributes from the HTTP body as they arrive, decoding each time more
 * bytes come, and hands the rest on as the document stream (the document is never buffered here).
 * A body that ends inside the attributes is client-error-bad-request; attributes longer than
 * MAX_HEAD_BYTES are client-error-request-entity-too-large; a client that has not sent them within
 * `timeoutMs` gets IppHeadTimeout.
 */
export function readIppRequest(req: IncomingMessage, limits: DecodeLimits, timeoutMs: number): Promise<IppRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (error: Error | null, value?: IppRequest): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) reject(error);
      else resolve(value!);
    };
    let tried = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      // Decoding again is worth it only when the end-of-attributes tag may have come (a byte 0x03)
      // or 4 KiB more arrived: a client trickling bytes costs linear work, not quadratic.
      if (length < 9 || (!chunk.includes(0x03) && length - tried < 4096)) return;
      attempt();
    };
    const attempt = (): void => {
      tried = length;
      const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(buffer);
      let decoded: ReturnType<typeof decodeIpp>;
      try {
        decoded = decodeIpp(buffer.subarray(0, Math.min(buffer.length, MAX_HEAD_BYTES)), limits);
      } catch (error) {
        req.pause();
        finish(error as Error);
        return;
      }
      if (!decoded) {
        if (length >= MAX_HEAD_BYTES) {
          req.pause();
          finish(new IppRequestError('client-error-request-entity-too-large', `the attributes of the request are longer than ${MAX_HEAD_BYTES} bytes`));
        }
        return;
      }
      // No data event may be lost between here and the pipe: pause first, then hand the stream on.
      req.pause();
      const document = new PassThrough();
      document.write(buffer.subarray(decoded.offset));
      finish(null, { message: decoded.message, headBytes: decoded.offset, document });
      if (ended) document.end();
      else req.pipe(document);
    };
    let ended = false;
    const onEnd = (): void => {
      ended = true;
      if (length > tried && length >= 9) attempt();
      finish(new IppRequestError('client-error-bad-request', 'the request ended inside its attributes (truncated)'));
    };
    const onError = (error: Error): void => finish(error);
    const timer = setTimeout(() => finish(new IppHeadTimeout(`no complete IPP request within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The document with IPP `compression` undone (gzip, deflate); none passes it as it is. */
export function decompressed(document: Readable, compression: string): Readable {
  if (compression === 'none') return document;
  const inflate = compression === 'gzip' ? createGunzip() : createInflate();
  document.on('error', (error) => inflate.destroy(error));
  return document.pipe(inflate);
}

/** The first `count` bytes of a stream (fewer when it ends first), and the whole stream again. */
export function peek(stream: Readable, count: number, timeoutMs: number): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const settle = (error: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (error) return reject(error);
      stream.pause();
      const head = Buffer.concat(chunks);
      const whole = new PassThrough();
      whole.write(head);
      if (ended) whole.end();
      else stream.pipe(whole);
      stream.on('error', (streamError) => whole.destroy(streamError));
      resolve({ head: head.subarray(0, count), stream: whole });
    };
    let ended = false;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= count) settle(null);
    };
    const onEnd = (): void => {
      ended = true;
      settle(null);
    };
    const onError = (error: Error): void => settle(error);
    const timer = setTimeout(() => settle(new IppHeadTimeout(`the document's first bytes did not come within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** What auto-sensing (document-format application/octet-stream) makes of the first bytes. */
export function sniffFormat(head: Buffer): string {
  const ascii = head.toString('latin1');
  if (ascii.includes('%PDF-')) return 'application/pdf';
  if (ascii.startsWith('RaS2')) return 'image/pwg-raster';
  if (ascii.startsWith('UNIRAST')) return 'image/urf';
  if (head.length >= 4 && head[0] === 0x89 && ascii.slice(1, 4) === 'PNG') return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  return 'application/octet-stream';
}
