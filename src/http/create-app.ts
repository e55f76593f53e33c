import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { match } from 'path-to-regexp';
import { AppError } from '../errors/app-error.js';
import { authMiddleware, type AuthMiddlewareDeps } from './auth-middleware.js';
import { bodyLimit } from './body-limit.js';
import { errorHandler } from './error-handler.js';
import { fastLane, type LaneRoute, type Step } from './fast-lane.js';
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

/** The HTTP app: the fast lane for the print routes, else express (the app itself is `express`). */
export type App = RequestListener & { express: Express };

/**
 * The app: request log, routes (each behind its body limit and the auth middleware with its
 * access), JSON errors. Routes marked `hot` (the print routes) are taken by the fast lane first,
 * with the very same steps; they stay mounted on express for whatever the lane does not take.
 */
export function createApp({ routes, auth, log, starAuthStatus, onAnswered }: CreateAppDeps): App {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  const logged = requestLog(log, onAnswered);
  app.use(logged);
  const lane: LaneRoute[] = [];
  for (const route of routes) {
    if (!route.access) throw new Error(`route ${route.method.toUpperCase()} ${route.path} declares no access`);
    const steps: Step[] = [bodyLimit(route), authMiddleware(auth, route.access), (req: Request, res: Response) => route.handler(req, res)];
    app[route.method](route.path, ...steps);
    if (route.hot) lane.push({ method: route.method, path: route.path, steps });
  }
  app.use(methodNotAllowedOrNotFound(routes));
  const errors = errorHandler({ log, starAuthStatus });
  app.use(errors);
  const fast = fastLane({ routes: lane, before: [logged], onError: errors });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (!fast(req, res)) app(req, res);
  };
  return Object.assign(listener, { express: app });
}
