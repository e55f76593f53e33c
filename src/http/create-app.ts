import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { match } from 'path-to-regexp';
import { AppError } from '../errors/app-error.js';
import { authMiddleware, type AuthMiddlewareDeps } from './auth-middleware.js';
import { bodyLimit } from './body-limit.js';
import { errorHandler } from './error-handler.js';
import { requestLog } from './request-log.js';
import type { RouteSpec } from './route-spec.js';

function methodNotAllowedOrNotFound(routes: readonly RouteSpec[]) {
  const matchers = routes.map((route) => ({ method: route.method.toUpperCase(), test: match(route.path, { decode: false }) }));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = req.path;
    const allowed = [...new Set(matchers.filter((m) => m.test(path) !== false).map((m) => m.method))];
    if (allowed.length > 0) {
      next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, { headers: { Allow: allowed.join(', ') } }));
    } else {
      next(new AppError('NOT_FOUND', `no route ${req.method} ${path.slice(0, 200)}`));
    }
  };
}

export interface CreateAppDeps {
  routes: readonly RouteSpec[];
  auth: AuthMiddlewareDeps;
  log: Logger;
  /** compat.starAuthStatus: auth failures on /v1/a… answer 403. */
  starAuthStatus: boolean;
  /** Called once per answered request (metrics). */
  onAnswered?: (method: string, status: number) => void;
}

/** The express app: request log, routes (each behind the auth middleware with its access), JSON errors. */
export function createApp({ routes, auth, log, starAuthStatus, onAnswered }: CreateAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  app.use(requestLog(log, onAnswered));
  for (const route of routes) {
    if (!route.access) throw new Error(`route ${route.method.toUpperCase()} ${route.path} declares no access`);
    app[route.method](route.path, bodyLimit(route), authMiddleware(auth, route.access), async (req: Request, res: Response) => {
      await route.handler(req, res);
    });
  }
  app.use(methodNotAllowedOrNotFound(routes));
  app.use(errorHandler({ log, starAuthStatus }));
  return app;
}
