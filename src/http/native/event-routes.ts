import type { Request, Response } from 'express';
import { cloudStalenessCheck } from '../../cloud/cloud-staleness-check.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import { keyState, type KeyRecord } from '../../keys/key-store.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import type { StreamEvent } from './event-stream.js';

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

/** GET /api/v1/events: Server-Sent Events of job and printer state changes, with Last-Event-ID resume. */
export function eventRoutes(ctx: HttpContext): RouteSpec[] {
  // While cloud sync is stale with onStale deny-cloud-keys, a cloud key's open stream goes too.
  const staleCheck = ctx.cloudStatus ? cloudStalenessCheck({ cloud: ctx.config.cloud, status: ctx.cloudStatus }) : null;
  const staleRefusal = (record: KeyRecord): { code: string; message: string } | null => {
    try {
      staleCheck?.(record);
      return null;
    } catch (error) {
      return isAppError(error) ? { code: error.code, message: error.message } : null;
    }
  };
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
          const current = ctx.keys.get(key.id);
          const state = current ? keyState(current, ctx.now()) : 'revoked';
          const stale = current && state === 'active' ? staleRefusal(current) : null;
          if (current && state === 'active' && current.permissions.includes('ViewJobs') && !stale) {
            key = current;
            return true;
          }
          const error =
            stale ??
            (state === 'active'
              ? { code: 'INSUFFICIENT_SCOPE', message: 'the API key no longer holds ViewJobs' }
              : { code: `TOKEN_${state.toUpperCase()}`, message: `the API key is ${state}` });
          ctx.log.info({ keyId: key.id, code: error.code }, 'event stream closed: key no longer valid');
          close(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
          return false;
        };
        /** An expiry passing changes no row: a timer closes the stream at the instant. */
        const watchExpiry = (): void => {
          if (expiry) clearTimeout(expiry);
          expiry = undefined;
          if (key.expiresAt === null) return;
          const left = Date.parse(key.expiresAt) - ctx.now().getTime();
          expiry = setTimeout(() => {
            if (keyStillActive()) watchExpiry();
          }, Math.min(Math.max(left, 0) + 5, 2 ** 31 - 1));
          expiry.unref();
        };
        const send = (text: string): void => {
          if (closed) return;
          if (res.writableLength > MAX_BUFFERED_BYTES) {
            ctx.log.warn({ keyId: key.id }, 'event stream dropped: client does not read');
            res.destroy();
            close();
            return;
          }
          res.write(text);
        };

        if (resumeFrom !== undefined) {
          const missed = ctx.eventStream.since(resumeFrom);
          if (missed === null) {
            send(`event: reset\ndata: ${JSON.stringify({ lastEventId: String(resumeFrom), reason: 'events after this id are no longer kept; re-read the jobs and printers you follow' })}\n\n`);
          } else {
            for (const event of missed) if (wanted(event)) send(frame(event));
          }
        }
        unsubscribe = ctx.eventStream.subscribe({
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
