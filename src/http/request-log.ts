import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * One line per request: method, path (never the query string: it may hold ?key=), status, ms,
 * request id, and the key id once known. Headers are never logged.
 */
export function requestLog(log: Logger, onFinish?: (method: string, status: number) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0];
      const fields = { reqId: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10, keyId: res.locals.keyId };
      onFinish?.(req.method, res.statusCode);
      if (res.statusCode >= 500) log.error(fields, 'request');
      // Health checks and metric scrapes come every few seconds: they would drown the journal.
      else if (path === '/healthz' || path === '/metrics') log.debug(fields, 'request');
      else log.info(fields, 'request');
    });
    next();
  };
}
