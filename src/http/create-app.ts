import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { match } from 'path-to-regexp';
import type { CloudPrntHub } from '../cloudprnt/cloudprnt-hub.js';
import { AppError } from '../errors/app-error.js';
import { authMiddleware, type AuthMiddlewareDeps } from './auth-middleware.js';
import { cloudPrntRoutes, type CloudPrntRoutesDeps } from './cloudprnt/cloudprnt-routes.js';
import { errorHandler } from './error-handler.js';
import { hangUpOnUnreadBody } from './unread-body.js';
import type { HttpContext } from './http-context.js';
import { keyRoutes } from './native/key-routes.js';
import { nativeRoutes } from './native/native-routes.js';
import { requestLog } from './request-log.js';
import type { RouteSpec } from './route-spec.js';
import { starPrintRoutes } from './star/star-print-routes.js';
import { eventRoutes } from './native/event-routes.js';
import { jobRoutes } from './native/job-routes.js';
import { previewRoutes } from './native/preview-routes.js';
import { withOpenApi } from './openapi.js';
import { starDeviceRoutes } from './star/star-device-routes.js';
import { starGroupRoutes } from './star/star-group-routes.js';
import { starNotificationRoutes } from './star/star-notification-routes.js';
import { starQueueRoutes } from './star/star-queue-routes.js';

/** Every route printgate serves, with its declared access. */
export function buildRoutes(ctx: HttpContext, cloudprnt?: CloudPrntRoutesDeps): RouteSpec[] {
  return withOpenApi(ctx, [...(cloudprnt ? cloudPrntRoutes(cloudprnt) : []), ...nativeRoutes(ctx), ...keyRoutes(ctx), ...starPrintRoutes(ctx),
    ...starGroupRoutes(ctx), ...starDeviceRoutes(ctx), ...starQueueRoutes(ctx), ...starNotificationRoutes(ctx), ...jobRoutes(ctx), ...previewRoutes(ctx), ...eventRoutes(ctx)]);
}

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
  ctx: HttpContext;
  auth: AuthMiddlewareDeps;
  /** The CloudPRNT server (Star printers polling /cloudprnt/{group}). */
  cloudprnt?: CloudPrntHub;
}

/** The express app: request log, routes (each behind the auth middleware with its access), JSON errors. */
export function createApp({ ctx, auth, cloudprnt }: CreateAppDeps): { app: Express; routes: RouteSpec[] } {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  app.use(requestLog(ctx.log, (method, status) => ctx.metrics.httpRequests.inc({ method, status: String(status) })));
  const routes = buildRoutes(ctx, cloudprnt ? { hub: cloudprnt, groups: ctx.groups, authenticator: auth.authenticator, failures: auth.failures } : undefined);
  for (const route of routes) {
    if (!route.access) throw new Error(`route ${route.method.toUpperCase()} ${route.path} declares no access`);
    app[route.method](route.path, authMiddleware(auth, route.access), async (req: Request, res: Response) => {
      await route.handler(req, res);
    });
  }
  app.use(methodNotAllowedOrNotFound(routes));
  app.use(hangUpOnUnreadBody);
  app.use(errorHandler({ log: ctx.log, starAuthStatus: ctx.config.compat.starAuthStatus }));
  return { app, routes };
}
