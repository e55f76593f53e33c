import { Counter, Gauge, type Registry } from 'prom-client';

/** Requests the edge's caps refused, by code; each exported from 0 so rate() works from the first scrape. */
export const LIMIT_CODES = ['TOO_MANY_STREAMS', 'TOO_MANY_UPLOADS'] as const;
export const STREAM_DROP_REASONS = ['slow-reader', 'key'] as const;

/** What the HTTP edge counts: refusals at the stream and upload caps, event streams open and dropped. */
export class EdgeMetrics {
  readonly limited: Counter<'code'>;
  readonly streamsOpen: Gauge;
  readonly streamsDropped: Counter<'reason'>;

  constructor(registry: Registry) {
    this.limited = new Counter({
      name: 'printgate_http_limited_total',
      help: 'Requests refused at a concurrency cap (limits.streams, limits.perKey.concurrentUploads), by error code',
      labelNames: ['code'],
      registers: [registry],
    });
    for (const code of LIMIT_CODES) this.limited.inc({ code }, 0);
    this.streamsOpen = new Gauge({ name: 'printgate_event_streams_open', help: 'Event streams (GET /api/v1/events) open now', registers: [registry] });
    this.streamsDropped = new Counter({
      name: 'printgate_event_streams_dropped_total',
      help: 'Event streams the gateway ended: slow-reader (over limits.streams.maxBufferedBytes unsent), key (revoked, disabled, expired, lost ViewJobs)',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of STREAM_DROP_REASONS) this.streamsDropped.inc({ reason }, 0);
  }

  /** The hooks eventRoutes takes: refusals at the caps, drops, the number open. */
  streamHooks(): { onRefused: (code: 'TOO_MANY_STREAMS') => void; onDropped: (reason: (typeof STREAM_DROP_REASONS)[number]) => void; onOpenChange: (open: number) => void } {
    return {
      onRefused: (code) => this.limited.inc({ code }),
      onDropped: (reason) => this.streamsDropped.inc({ reason }),
      onOpenChange: (open) => this.streamsOpen.set(open),
    };
  }
}
