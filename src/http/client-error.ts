import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../errors/app-error.js';

/** What node's parser refused, as a catalogue error (node's own answers are bare status lines). */
function refusal(code: string | undefined): AppError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('HEADERS_TOO_LARGE', 'The request line and headers are larger than 16 KiB (usually a runaway cookie, a key pasted twice, or a URL that is far too long).');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new AppError('PAYLOAD_TOO_LARGE', 'The chunk extensions of the body are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('REQUEST_TIMEOUT');
    case 'HPE_INVALID_CHUNK_SIZE':
      return new AppError('BAD_REQUEST', 'The chunked body is malformed (a chunk size is not hexadecimal).');
    case 'HPE_INVALID_VERSION':
      return new AppError('BAD_REQUEST', 'Only HTTP/1.0 and HTTP/1.1 are served here.');
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', 'The request body framing is ambiguous (Content-Length and Transfer-Encoding): send one of them, once.');
    default:
      return new AppError('BAD_REQUEST', 'The HTTP request is malformed.');
  }
}

/**
 * Node's HTTP parser refuses some requests before express sees them: headers or a request line
 * over 16 KiB, bytes HTTP forbids, bad body framing, a request that never finishes arriving (the
 * server.timeouts). Those get the same JSON error body as every other error instead of Node's
 * bare status line, and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const appError = refusal(error.code);
  const body = JSON.stringify({ error: { code: appError.code, message: appError.message, requestId: randomUUID() } });
  socket.end(
    `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // A client that keeps the socket open after the answer is not waited for.
  setTimeout(() => socket.destroy(), 1000).unref();
}
