import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import { canSeeGroup, type Authenticator } from '../../keys/authenticator.js';
import { ConcurrencyLimiter } from '../../keys/concurrency-limiter.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import type { EventStream } from './event-stream.js';
import { frame, StreamFanout, type OpenStream, type StreamDropReason } from './stream-fanout.js';
import { openEventStream } from '../open-event-stream.js';

const HEARTBEAT_MS = 15_000;

function lastEventId(req: Request): number | undefined {
  const raw = req.get('last-event-id') ?? (req.query as Record<string, unknown>).lastEventId;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw.trim())) {
    throw new AppError('BAD_REQUEST', 'Last-Event-ID must be the id of an event of this stream', { details: { field: 'Last-Event-ID' } });
  }
  return Number(raw.trim());
}

/** limits.streams of the config. */
export interface StreamLimits {
  perKey: number;
  total: number;
  maxBufferedBytes: number;
}

export interface EventRoutesDeps {
  stream: EventStream;
  /** Re-checks a stream's key exactly as a new request would be checked (revoked, expired, disabled, stale). */
  authenticator: Pick<Authenticator, 'revalidate'>;
  log: Logger;
  now: () => Date;
  limits: StreamLimits;
  /** Metrics: a stream refused at its cap, one dropped, the number open. */
  onRefused?: (code: 'TOO_MANY_STREAMS') => void;
  onDropped?: (reason: StreamDropReason) => void;
  onOpenChange?: (open: number) => void;
  heartbeatMs?: number;
}

/**
 * GET /api/v1/events: Server-Sent Events of job and printer state changes, with Last-Event-ID
 * resume. Open streams are capped per key and in all (429 TOO_MANY_STREAMS); events reach them
 * from memory through one StreamFanout.
 */
export function eventRoutes(deps: EventRoutesDeps): RouteSpec[] {
  const { stream, limits } = deps;
  const slots = new ConcurrencyLimiter({ perKey: limits.perKey, total: limits.total });
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  const fanout = new StreamFanout({
    stream,
    authenticator: deps.authenticator,
    log: deps.log,
    now: deps.now,
    maxBufferedBytes: limits.maxBufferedBytes,
    heartbeatMs,
    ...(deps.onDropped ? { onDropped: deps.onDropped } : {}),
    ...(deps.onOpenChange ? { onOpenChange: deps.onOpenChange } : {}),
  });
  return [
    {
      method: 'get',
      path: '/api/v1/events',
      access: needs('ViewJobs'),
      summary: 'Server-Sent Events: job and printer state changes (event: job | printer | reset); Last-Event-ID resume',
      handler: (req: Request, res: Response) => {
        const key = callerKey(res);
        const printerFilter = (req.query as Record<string, unknown>).printer;
        if (printerFilter !== undefined && typeof printerFilter !== 'string') {
          throw new AppError('BAD_REQUEST', 'query parameter printer must be given once', { details: { field: 'printer' } });
        }
        const resumeFrom = lastEventId(req);
        const answer = slots.tryAcquire(key.id);
        if (!answer.ok) {
          deps.onRefused?.('TOO_MANY_STREAMS');
          const message =
            answer.scope === 'key'
              ? `This key already has ${limits.perKey} event streams open (limits.streams.perKey): close one, or share one stream between views.`
              : `The gateway already serves ${limits.total} event streams (limits.streams.total): retry after the Retry-After seconds.`;
          throw new AppError('TOO_MANY_STREAMS', message, { headers: { 'Retry-After': String(Math.ceil(heartbeatMs / 1000)) }, details: { scope: answer.scope } });
        }

        openEventStream(res);

        const open: OpenStream = { res, printerId: printerFilter, onEnd: answer.slot.release };
        if (resumeFrom !== undefined) {
          const missed = stream.since(resumeFrom);
          if (missed === null) {
            res.write(`event: reset\ndata: ${JSON.stringify({ lastEventId: String(resumeFrom), reason: 'events after this id are no longer kept; re-read the jobs and printers you follow' })}\n\n`);
          } else {
            for (const event of missed) {
              if (canSeeGroup(key, event.groupPath) && (printerFilter === undefined || event.printerId === printerFilter)) res.write(frame(event));
            }
          }
        }
        if (!fanout.add(key, open)) {
          answer.slot.release();
          res.end();
          return;
        }
        req.on('close', () => fanout.end(open));
        res.on('close', () => fanout.end(open));
      },
    },
  ];
}
