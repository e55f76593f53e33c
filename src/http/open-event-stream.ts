import type { Response } from 'express';

/**
 * Starts a text/event-stream answer: not cached, not buffered by a proxy, one stream per
 * connection (when it ends the socket goes too, so a shutdown is never held), and the client told
 * to reconnect after 3 s.
 */
export function openEventStream(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Connection', 'close');
  res.flushHeaders();
  res.write('retry: 3000\n\n');
}
