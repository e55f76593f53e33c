import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error.js';
import type { RouteSpec } from './route-spec.js';

/** JSON bodies are small: settings, key edits, webhook targets, CloudPRNT polls. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

/** The body limit of the route serving this request (set by bodyLimit). */
export function routeBodyLimit(res: Response): number {
  const limit = res.locals.maxBodyBytes;
  return typeof limit === 'number' ? limit : JSON_BODY_LIMIT_BYTES;
}

/**
 * Mounted before authentication on every route: a declared Content-Length above the route's limit
 * is 413 PAYLOAD_TOO_LARGE at once (the body is never read: see hangUpOnUnreadBody); a chunked body
 * is held to the same limit by the reader (readJsonBody, the spool) as it streams.
 */
export function bodyLimit(route: Pick<RouteSpec, 'maxBodyBytes' | 'document'>) {
  const max = route.maxBodyBytes ?? JSON_BODY_LIMIT_BYTES;
  const what = route.document ? 'documents up to limits.maxDocumentBytes' : 'a JSON body';
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.maxBodyBytes = max;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > max) {
      next(new AppError('PAYLOAD_TOO_LARGE', `The request body is ${declared} bytes; ${req.method} ${req.path.slice(0, 100)} takes ${what} of at most ${max} bytes.`, { details: { limit: max } }));
      return;
    }
    next();
  };
}
