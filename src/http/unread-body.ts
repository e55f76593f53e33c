import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long the rest of an unread body is read (and dropped) after the answer, before the socket goes. */
const LINGER_MS = 1000;

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * For every request: an answer given before the request body was read in full (401, 404, 413,
 * 415, 429, a refused Host, a route that reads no body…) says `Connection: close`, and the rest of
 * the body is neither stored, nor read to its end, nor parsed as a next request — unauthenticated
 * input is never read whole before answering. Node half-closes the socket after such an answer and
 * would destroy it at once; with body bytes still arriving that resets the connection, and a
 * client still sending may never read the answer. So the socket lingers a moment, dropping what
 * arrives, then goes.
 */
export function hangUpOnUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  if (!hasBody(req)) return;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (!req.complete && !this.headersSent) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
  // Node detaches the socket from the answer when it finishes: keep it from the request.
  const socket = req.socket;
  res.once('finish', () => {
    if (req.complete || socket.destroyed) return;
    socket.removeListener('finish', socket.destroy);
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
