import type { NextFunction, Request, Response } from 'express';
import { AppError, isAppError } from '../errors/app-error.js';
import { extractKey, requirePermission, type Authenticator } from '../keys/authenticator.js';
import type { AuthFailureThrottle, TokenBucketLimiter } from '../keys/rate-limiter.js';
import type { RouteAccess } from './route-spec.js';

export interface AuthMiddlewareDeps {
  authenticator: Authenticator;
  perKey: TokenBucketLimiter;
  failures: AuthFailureThrottle;
  /** Counts a refused request by its catalogue code (metrics). */
  onRefused?: (code: string) => void;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The one auth middleware: key → record (or the precise 401), throttles, then the route's permission.
 * An OPTIONAL_KEY route without a key goes on without one; with a key, that key is checked as anywhere.
 */
export function authMiddleware(deps: AuthMiddlewareDeps, access: RouteAccess) {
  return (req: Request, res: Response, nextStep: NextFunction): void => {
    const next = (error?: unknown): void => {
      if (isAppError(error)) deps.onRefused?.(error.code);
      nextStep(error);
    };
    if (access.kind === 'public') {
      next();
      return;
    }
    const presented = {
      authorization: header(req, 'authorization'),
      starApiKey: header(req, 'star-api-key'),
      queryKey: (req.query as Record<string, unknown>).key,
    };
    if (access.kind === 'optional-key' && extractKey(presented) === null) {
      next();
      return;
    }
    const address = clientAddress(req);
    const blocked = deps.failures.blockedFor(address);
    if (blocked > 0) {
      next(new AppError('AUTH_THROTTLED', undefined, { headers: { 'Retry-After': String(blocked) } }));
      return;
    }
    let key;
    try {
      key = deps.authenticator.authenticate(presented);
    } catch (error) {
      // Only a key that matches nothing is a guess; revoked/expired/disabled keys were real once.
      if (isAppError(error) && error.code === 'TOKEN_INVALID') deps.failures.recordFailure(address);
      next(error);
      return;
    }
    res.locals.key = key;
    res.locals.keyId = key.id;
    const wait = deps.perKey.take(key.id);
    if (wait > 0) {
      next(new AppError('RATE_LIMITED', undefined, { headers: { 'Retry-After': String(wait) } }));
      return;
    }
    if (access.kind === 'permission') {
      try {
        requirePermission(key, access.permission);
      } catch (error) {
        next(error);
        return;
      }
    }
    next();
  };
}
