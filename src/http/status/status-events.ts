import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { canSeeGroup, type Authenticator } from '../../keys/authenticator.js';
import type { EventStream } from '../native/event-stream.js';
import { needs, type RouteSpec } from '../route-spec.js';
import type { RecentErrors } from './recent-errors.js';
import { SseSession } from './sse-session.js';
import { statusPreviewPath, type StatusSnapshot } from './status-snapshot.js';

const HEARTBEAT_MS = 15_000;
/** A fresh snapshot every this many heartbeats: ages, cloud sync and keys stay current without an event. */
const SNAPSHOT_EVERY_BEATS = 2;

export interface StatusEventsDeps {
  stream: EventStream;
  errors: RecentErrors;
  snapshot: StatusSnapshot;
  authenticator: Pick<Authenticator, 'revalidate'>;
  log: Logger;
  now: () => Date;
}

/**
 * GET /api/v1/status/events: the status page's live feed. It opens with `event: snapshot` (what
 * GET /api/v1/status answers), then `job` (a job changed, with its preview path), `printer` (the
 * printer as the page shows it, after any change of its state or queue), `recent-error` (a new
 * entry of the error ring), and a fresh `snapshot` every 30 s and whenever keys change. No
 * Last-Event-ID: a page that reconnects gets a new snapshot, which is all it needs.
 */
export function statusEventsRoute({ stream, errors, snapshot, authenticator, log, now }: StatusEventsDeps): RouteSpec {
  return {
    method: 'get',
    path: '/api/v1/status/events',
    access: needs('ViewStatus'),
    summary: 'Server-Sent Events for the status page: snapshot, then job, printer and recent-error changes',
    handler: (req: Request, res: Response) => {
      let beats = 0;
      const session: SseSession = new SseSession(req, res, {
        permission: 'ViewStatus',
        authenticator,
        log,
        now,
        heartbeatMs: HEARTBEAT_MS,
        onHeartbeat: () => {
          beats += 1;
          if (beats % SNAPSHOT_EVERY_BEATS === 0) sendSnapshot();
        },
      });
      const sendSnapshot = (): void => session.send('snapshot', snapshot.build(session.caller));
      const unsubscribe = stream.subscribe({
        event: (event) => {
          if (!canSeeGroup(session.caller, event.groupPath)) return;
          if (event.type === 'job') session.send('job', { ...event.data, preview: statusPreviewPath(String(event.data.id)) });
          const printer = snapshot.printer(event.printerId, session.caller);
          if (printer) session.send('printer', printer);
        },
        close: () => session.close(),
        recheck: () => {
          if (session.recheck()) sendSnapshot();
        },
      });
      const offErrors = errors.onError((entry) => {
        if (canSeeGroup(session.caller, entry.groupPath)) session.send('recent-error', entry);
      });
      session.onClose(() => {
        unsubscribe();
        offErrors();
      });
      sendSnapshot();
    },
  };
}
