import type { Request, Response } from 'express';
import { AppError } from '../../errors/app-error.js';
import { isJobState, TERMINAL_STATES } from '../../jobs/job-states.js';
import type { Job } from '../../jobs/job-store.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { KeyRecord } from '../../keys/key-store.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { acceptPrint } from '../star/star-print-routes.js';
import { jobView } from './job-view.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new AppError('BAD_REQUEST', 'cursor is not a "next" value of this API', { details: { field: 'cursor' } });
  return Number(match[1]);
}

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError('BAD_REQUEST', `query parameter ${name} must be given once`, { details: { field: name } });
  return value;
}

/** Jobs of the native API: list with filters and cursor, cancel, and printing by printer id. */
export function jobRoutes(ctx: HttpContext): RouteSpec[] {
  const visible = (key: KeyRecord, job: Job): boolean => {
    const printer = ctx.registry.get(job.printerId);
    return printer ? canSeeGroup(key, printer.groupPath) : key.groups.length === 0;
  };
  const findJob = (req: Request, res: Response): Job => {
    const id = String(req.params.id);
    const job = ctx.jobs.get(id);
    if (!job || !visible(callerKey(res), job)) throw new AppError('NOT_FOUND', `no job ${id.slice(0, 64)}`);
    return job;
  };
  return [
    {
      method: 'get',
      path: '/api/v1/jobs',
      access: needs('ViewJobs'),
      summary: 'Jobs, newest first: {data, next}; filters printer, state, since; limit, cursor',
      handler: (req, res) => {
        const state = queryString(req, 'state');
        if (state !== undefined && !isJobState(state)) {
          throw new AppError('BAD_REQUEST', `state must be one of pending, processing, completed, aborted, canceled, held`, { details: { field: 'state' } });
        }
        const sinceRaw = queryString(req, 'since');
        const since = sinceRaw === undefined ? undefined : Date.parse(sinceRaw);
        if (since !== undefined && Number.isNaN(since)) {
          throw new AppError('BAD_REQUEST', 'since must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z', { details: { field: 'since' } });
        }
        const limitRaw = queryString(req, 'limit');
        const limit = limitRaw === undefined ? DEFAULT_LIMIT : Number(limitRaw);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          throw new AppError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIMIT}`, { details: { field: 'limit' } });
        }
        const cursor = queryString(req, 'cursor');
        const rows = ctx.jobs.list({
          printerId: queryString(req, 'printer'),
          state: state as Job['state'] | undefined,
          since: since === undefined ? undefined : new Date(since).toISOString(),
          beforeSeq: cursor === undefined ? undefined : decodeCursor(cursor),
          limit,
        });
        const key = callerKey(res);
        const last = rows.at(-1);
        res.json({
          data: rows.filter((job) => visible(key, job)).map(jobView),
          next: rows.length === limit && last ? encodeCursor(last.seq) : null,
        });
      },
    },
    {
      method: 'delete',
      path: '/api/v1/jobs/:id',
      access: needs('FlushQueue'),
      summary: 'Cancel a job that has not finished; 409 if it has',
      handler: (req, res) => {
        const job = findJob(req, res);
        const canceled = TERMINAL_STATES.includes(job.state) ? null : ctx.dispatcher.cancel(job.id);
        if (!canceled) {
          const now = ctx.jobs.get(job.id) ?? job;
          throw new AppError('CONFLICT', `job ${job.id} has already finished (${now.state})`, { details: { state: now.state } });
        }
        ctx.log.info({ jobId: job.id, keyId: callerKey(res).id }, 'job canceled');
        res.json(jobView(canceled));
      },
    },
    {
      method: 'post',
      path: '/api/v1/jobs/:id/release',
      access: needs('PrintToDevice'),
      summary: 'Send a held job back to its queue to print; 409 unless it is held',
      handler: (req, res) => {
        const job = findJob(req, res);
        const released = job.state === 'held' ? ctx.dispatcher.release(job.id) : null;
        if (!released) {
          const now = ctx.jobs.get(job.id) ?? job;
          throw new AppError('CONFLICT', `job ${job.id} is ${now.state}, not held: only a held job can be released`, { details: { state: now.state } });
        }
        ctx.log.info({ jobId: job.id, keyId: callerKey(res).id }, 'job released');
        res.json(jobView(released));
      },
    },
    {
      method: 'post',
      path: '/api/v1/printers/:id/jobs',
      access: needs('PrintToDevice'),
      summary: 'Print a document on a printer by id; same body and options as Star print; 201 job',
      handler: async (req, res) => {
        const id = String(req.params.id);
        const printer = ctx.registry.get(id);
        if (!printer || !canSeeGroup(callerKey(res), printer.groupPath)) throw new AppError('NOT_FOUND', `no printer ${id.slice(0, 64)}`);
        const result = await acceptPrint(ctx, printer, req, res);
        res.setHeader('Location', `/api/v1/jobs/${result.job.id}`);
        if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(201).json({ ...jobView(result.job), queuedJobs: result.queuedJobs });
      },
    },
  ];
}
