import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors/app-error.js';
import { isCatalogueError, type CatalogueError } from '../errors/catalogue-error.js';
import { ERROR_CODES } from '../errors/codes.js';

const AUTH_CODES = new Set(['UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TOKEN_EXPIRED', 'TOKEN_DISABLED', 'INSUFFICIENT_SCOPE']);

export interface ErrorHandlerOptions {
  log: Logger;
  /** compat.starAuthStatus: every auth failure on /v1/a… answers 403, as Star's cloud documents. */
  starAuthStatus: boolean;
}

/** Errors thrown by express's own body parsers and by the HTTP server for malformed requests. */
function fromFrameworkError(error: unknown): AppError | null {
  const e = error as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string };
  if (typeof e !== 'object' || e === null) return null;
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('BAD_REQUEST', `The body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', e.message);
    case 'request.aborted':
      return new AppError('BAD_REQUEST', 'The client aborted the request.');
    default:
      break;
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('BAD_REQUEST', e.expose && e.message ? e.message : 'The request is malformed.');
  }
  return null;
}

/** Every error, on every route, becomes {"error": {"code", "message", "requestId"}}. */
export function errorHandler(options: ErrorHandlerOptions) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const requestId = String(res.locals.requestId ?? '');
    let appError: CatalogueError | null = isCatalogueError(error) ? error : fromFrameworkError(error);
    if (!appError) {
      options.log.error({ reqId: requestId, err: error }, 'unhandled error');
      appError = new AppError('INTERNAL', `${ERROR_CODES.INTERNAL.message.replace('The request id', `Request id ${requestId}`)}`);
    }
    let status = appError.status;
    if (options.starAuthStatus && AUTH_CODES.has(appError.code) && /^\/v1\/a(?:\/|$)/.test(req.path)) status = 403;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError instanceof AppError) for (const [name, value] of Object.entries(appError.headers)) res.setHeader(name, value);
    const body: Record<string, unknown> = { code: appError.code, message: appError.message, requestId };
    if (appError.details) body.details = appError.details;
    res.status(status).json({ error: body });
  };
}
