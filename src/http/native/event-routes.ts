import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import { isCatalogueError } from '../../errors/catalogue-error.js';
import { canSeeGroup, requirePermission, type Authenticator } from '../../keys/authenticator.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import type { EventStream, StreamEvent } from './event-stream.js';

const HEARTBEAT_MS = 15_000;
/** A client that does not read is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

function lastEventId(req: Request): number | undefined {
  const raw = req.get('last-event-id') ?? (req.query as Record<string, unknown>).lastEventId;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw.trim())) {
    throw new AppError('BAD_REQUEST', 'Last-Event-ID must be the id of an event of this stream', { details: { field: 'Last-Event-ID' } });
  }
  return Number(raw.trim());
}

function frame(event: StreamEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export interface EventRoutesDeps {
  stream: EventStream;
  /** Re-checks the stream's key exactly as a new request would be checked (revoked, expired, disabled, stale). */
  authenticator: Pick<Authenticator, 'revalidate'>;
  log: Logger;
  now: () => Date;
}

/** GET /api/v1/events: Server-Sent Events of job and printer state changes, with Last-Event-ID resume. */
export function eventRoutes({ stream, authenticator, log, now }: EventRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/events',
      access: needs('ViewJobs'),
      summary: 'Server-Sent Events: job and printer state changes (event: job | printer | reset); Last-Event-ID resume',
      handler: (req: Request, res: Response) => {
        /** Re-read at every check: an edit of the key's groups applies to the open stream too. */
        let key = callerKey(res);
        const printerFilter = (req.query as Record<string, unknown>).printer;
        if (printerFilter !== undefined && typeof printerFilter !== 'string') {
          throw new AppError('BAD_REQUEST', 'query parameter printer must be given once', { details: { field: 'printer' } });
        }
        const resumeFrom = lastEventId(req);
        const wanted = (event: StreamEvent): boolean =>
          canSeeGroup(key, event.groupPath) && (printerFilter === undefined || event.printerId === printerFilter);

        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Accel-Buffering', 'no');
        // One stream per connection: when it ends, the socket goes too (shutdown is never held).
        res.setHeader('Connection', 'close');
        res.flushHeaders();
        res.write('retry: 3000\n\n');

        let closed = false;
        let heartbeat: NodeJS.Timeout | undefined;
        let expiry: NodeJS.Timeout | undefined;
        let unsubscribe = (): void => undefined;
        const close = (finalFrame?: string): void => {
          if (closed) return;
          closed = true;
          if (heartbeat) clearInterval(heartbeat);
          if (expiry) clearTimeout(expiry);
          unsubscribe();
          if (finalFrame) res.write(finalFrame);
          res.end();
        };
        /**
         * A revoked, disabled, expired or removed key, or one that lost ViewJobs, loses its stream:
         * at once when the key changes (EventStream.recheckKeys), else at the next event or heartbeat.
         */
        const keyStillActive = (): boolean => {
          if (closed) return false;
          try {
            const current = authenticator.revalidate(key.id);
            requirePermission(current, 'ViewJobs');
            key = current;
            return true;
          } catch (error) {
            const refusal = isCatalogueError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: 'the key could not be checked' };
            log.info({ keyId: key.id, code: refusal.code }, 'event stream closed: key no longer valid');
            close(`event: error\ndata: ${JSON.stringify(refusal)}\n\n`);
            return false;
          }
        };
        /** An expiry passing changes no row: a timer closes the stream at the instant. */
        const watchExpiry = (): void => {
          if (expiry) clearTimeout(expiry);
          expiry = undefined;
          if (key.expiresAt === null) return;
          const left = Date.parse(key.expiresAt) - now().getTime();
          expiry = setTimeout(() => {
            if (keyStillActive()) watchExpiry();
          }, Math.min(Math.max(left, 0) + 5, 2 ** 31 - 1));
          expiry.unref();
        };
        const send = (text: string): void => {
          if (closed) return;
          if (res.writableLength > MAX_BUFFERED_BYTES) {
            log.warn({ keyId: key.id }, 'event stream dropped: client does not read');
            res.destroy();
            close();
            return;
          }
          res.write(text);
        };

        if (resumeFrom !== undefined) {
          const missed = stream.since(resumeFrom);
          if (missed === null) {
            send(`event: reset\ndata: ${JSON.stringify({ lastEventId: String(resumeFrom), reason: 'events after this id are no longer kept; re-read the jobs and printers you follow' })}\n\n`);
          } else {
            for (const event of missed) if (wanted(event)) send(frame(event));
          }
        }
        unsubscribe = stream.subscribe({
          event: (event) => {
            if (keyStillActive() && wanted(event)) send(frame(event));
          },
          close: () => close(),
          recheck: () => {
            if (keyStillActive()) watchExpiry();
          },
        });
        if (closed) return;
        watchExpiry();
        heartbeat = setInterval(() => {
          if (keyStillActive()) send(': keepalive\n\n');
        }, HEARTBEAT_MS);
        req.on('close', () => close());
      },
    },
  ];
}
