import type { NextFunction, Request, Response } from 'express';

/** How long the rest of an unread body is read (and dropped) after the answer, before the socket goes. */
const LINGER_MS = 1000;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Error middleware for an error answered before the request body was read (413, 415, 429, 404…):
 * the answer says `Connection: close`, so the rest of the body is neither stored, nor read without
 * end, nor parsed as a next request. Node half-closes the socket after such an answer and would
 * destroy it at once; with body bytes still arriving that resets the connection, and a client still
 * sending may never read the answer. So the socket lingers a moment, dropping what arrives.
 */
export function hangUpOnUnreadBody(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (req.complete || !hasBody(req)) {
    next(error);
    return;
  }
  // A small body usually came in the same packet as the headers: look again once it is parsed.
  setImmediate(() => {
    const socket = res.socket;
    if (!req.complete && !res.headersSent && socket) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => {
        if (socket.destroyed) return;
        socket.removeListener('finish', socket.destroy);
        const timer = setTimeout(() => socket.destroy(), LINGER_MS);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
      });
    }
    next(error);
  });
}
