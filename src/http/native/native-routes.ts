import type { HealthService } from '../../health/health-service.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { DevicesService } from '../../printers/devices-service.js';
import { ANY_KEY, callerKey, needs, OPTIONAL_KEY, optionalCallerKey, PUBLIC, type RouteSpec } from '../route-spec.js';
import { jobView } from './job-view.js';
import { printerView } from './printer-view.js';

export interface NativeRoutesDeps {
  health: HealthService;
  metrics: GatewayMetrics;
  devices: DevicesService;
  jobs: JobsService;
  version: string;
  /** metrics.requireKey: /metrics needs a key with ViewStatus. */
  metricsRequireKey: boolean;
}

/** The native API (what Star's lacks): health, the caller's key, printers, one job. */
export function nativeRoutes({ health, metrics, devices, jobs, version, metricsRequireKey }: NativeRoutesDeps): RouteSpec[] {
  const view = (id: string): Record<string, unknown> => {
    const printer = devices.get(id, { groups: [] });
    return printerView(printer, devices.status(printer.id), jobs.queuedJobs(printer.id));
  };
  return [
    {
      method: 'get',
      path: '/healthz',
      access: OPTIONAL_KEY,
      summary: 'Gateway health: {status, version} to anyone; problems, database, cloud sync and printers to a key with ViewStatus',
      handler: (_req, res) => {
        const report = health.report();
        // Still printing, so 200, but a person should look: the database failing is 503.
        res.status(report.db === 'ok' ? 200 : 503);
        // Without ViewStatus only ok/degraded: the printers and problems describe the shop.
        const key = optionalCallerKey(res);
        if (key === null || !key.permissions.includes('ViewStatus')) res.json({ status: report.status, version });
        else res.json({ ...report, version });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      access: metricsRequireKey ? needs('ViewStatus') : PUBLIC,
      summary: 'Prometheus metrics (a key with ViewStatus unless metrics.requireKey is false)',
      handler: async (_req, res) => {
        res.setHeader('Content-Type', metrics.registry.contentType);
        res.send(await metrics.registry.metrics());
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
        res.json({ data: devices.list(callerKey(res)).map((printer) => view(printer.id)) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/printers/:id',
      access: needs('ViewDevice'),
      summary: 'One printer',
      handler: (req, res) => {
        res.json(view(devices.get(String(req.params.id), callerKey(res)).id));
      },
    },
    {
      method: 'get',
      path: '/api/v1/jobs/:id',
      access: needs('ViewJobs'),
      summary: 'One job with its state and reason',
      handler: (req, res) => {
        res.json(jobView(jobs.get(String(req.params.id), callerKey(res))));
      },
    },
  ];
}
