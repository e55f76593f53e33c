import { AppError } from '../../errors/app-error.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { HttpContext } from '../http-context.js';
import { ANY_KEY, callerKey, needs, PUBLIC, type RouteSpec } from '../route-spec.js';
import { jobView } from './job-view.js';
import { printerView } from './printer-view.js';

/** The native API (what Star's lacks): health, the caller's key, printers, jobs. */
export function nativeRoutes(ctx: HttpContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      access: PUBLIC,
      summary: 'Gateway health: database, printers; nothing secret',
      handler: (_req, res) => {
        const dbOk = ctx.dbHealthy();
        const cloud = ctx.cloudStatus?.() ?? null;
        const printers = ctx.registry.list().map((printer) => ({ id: printer.id, state: ctx.registry.status(printer.id).state }));
        // Still printing, so 200, but a person should look: the database failing is 503.
        const problems = [
          ...(dbOk ? [] : ['database: queries fail; check the data directory and disk']),
          ...(cloud?.stale ? [`cloud sync: stale (last success ${cloud.lastSuccessAt ?? 'never'}; ${cloud.lastError ?? 'no error recorded'})`] : []),
        ];
        res.status(dbOk ? 200 : 503).json({
          status: problems.length === 0 ? 'ok' : 'degraded',
          problems,
          version: ctx.version,
          db: dbOk ? 'ok' : 'error',
          cloudSyncAgeSeconds: cloud?.syncAgeSeconds ?? null,
          cloud,
          printers,
        });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      access: ctx.config.metrics.requireKey ? needs('ViewJobs') : PUBLIC,
      summary: 'Prometheus metrics (a key with ViewJobs when metrics.requireKey)',
      handler: async (_req, res) => {
        res.setHeader('Content-Type', ctx.metrics.registry.contentType);
        res.send(await ctx.metrics.registry.metrics());
      },
    },
    {
      method: 'get',
      path: '/api/v1/me',
      access: ANY_KEY,
      summary: "The caller's key: id, name, permissions, groups, expiry",
      handler: (_req, res) => {
        const key = callerKey(res);
        res.json({ id: key.id, name: key.name, permissions: key.permissions, groups: key.groups, expires: key.expiresAt, source: key.source });
      },
    },
    {
      method: 'get',
      path: '/api/v1/printers',
      access: needs('EnumDevices'),
      summary: 'All printers the key may see, with state and reasons',
      handler: (_req, res) => {
        const key = callerKey(res);
        const data = ctx.registry
          .list()
          .filter((printer) => canSeeGroup(key, printer.groupPath))
          .map((printer) => printerView(printer, ctx.registry.status(printer.id), ctx.jobs.countQueued(printer.id)));
        res.json({ data });
      },
    },
    {
      method: 'get',
      path: '/api/v1/printers/:id',
      access: needs('ViewDevice'),
      summary: 'One printer',
      handler: (req, res) => {
        const printer = ctx.registry.get(String(req.params.id));
        if (!printer || !canSeeGroup(callerKey(res), printer.groupPath)) throw new AppError('NOT_FOUND', `no printer ${String(req.params.id)}`);
        res.json(printerView(printer, ctx.registry.status(printer.id), ctx.jobs.countQueued(printer.id)));
      },
    },
    {
      method: 'get',
      path: '/api/v1/jobs/:id',
      access: needs('ViewJobs'),
      summary: 'One job with its state and reason',
      handler: (req, res) => {
        const job = ctx.jobs.get(String(req.params.id));
        const printer = job ? ctx.registry.get(job.printerId) : undefined;
        const visible = job && (printer ? canSeeGroup(callerKey(res), printer.groupPath) : callerKey(res).groups.length === 0);
        if (!job || !visible) throw new AppError('NOT_FOUND', `no job ${String(req.params.id)}`);
        res.json(jobView(job));
      },
    },
  ];
}
