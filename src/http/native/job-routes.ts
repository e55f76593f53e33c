import type { Request } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import type { DevicesService } from '../../printers/devices-service.js';
import { printRequest } from '../print-request.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { jobView } from './job-view.js';

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError('BAD_REQUEST', `query parameter ${name} must be given once`, { details: { field: name } });
  return value;
}

export interface JobRoutesDeps {
  jobs: JobsService;
  devices: DevicesService;
  log: Logger;
}

/** Jobs of the native API: list with filters and cursor, cancel, release, and printing by printer id. */
export function jobRoutes({ jobs, devices, log }: JobRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/jobs',
      access: needs('ViewJobs'),
      summary: 'Jobs, newest first: {data, next}; filters printer, state, since; limit, cursor',
      handler: (req, res) => {
        const limit = queryString(req, 'limit');
        const page = jobs.list(
          {
            printerId: queryString(req, 'printer'),
            state: queryString(req, 'state'),
            since: queryString(req, 'since'),
            limit: limit === undefined ? undefined : Number(limit),
            cursor: queryString(req, 'cursor'),
          },
          callerKey(res),
        );
        res.json({ data: page.jobs.map(jobView), next: page.next });
      },
    },
    {
      method: 'delete',
      path: '/api/v1/jobs/:id',
      access: needs('FlushQueue'),
      summary: 'Cancel a job that has not finished; 409 if it has',
      handler: (req, res) => {
        const canceled = jobs.cancel(String(req.params.id), callerKey(res));
        log.info({ jobId: canceled.id, keyId: callerKey(res).id }, 'job canceled');
        res.json(jobView(canceled));
      },
    },
    {
      method: 'post',
      path: '/api/v1/jobs/:id/release',
      access: needs('PrintToDevice'),
      summary: 'Send a held job back to its queue to print; 409 unless it is held',
      handler: (req, res) => {
        const released = jobs.release(String(req.params.id), callerKey(res));
        log.info({ jobId: released.id, keyId: callerKey(res).id }, 'job released');
        res.json(jobView(released));
      },
    },
    {
      method: 'post',
      path: '/api/v1/printers/:id/jobs',
      document: true,
      hot: true,
      access: needs('PrintToDevice'),
      summary: 'Print a document on a printer by id; same body and options as Star print; 201 job',
      handler: async (req, res) => {
        const printer = devices.get(String(req.params.id), callerKey(res));
        const result = await jobs.submit(printRequest(req, res, printer, 'api'));
        res.setHeader('Location', `/api/v1/jobs/${result.job.id}`);
        if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(201).json(Object.assign(jobView(result.job), { queuedJobs: result.queuedJobs }));
      },
    },
  ];
}
