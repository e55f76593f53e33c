import type { JobEvents } from '../../jobs/job-events.js';
import type { PrinterRegistry } from '../../printers/printer-registry.js';
import { jobView } from './job-view.js';

export type StreamEventType = 'job' | 'printer';

/** One event of GET /api/v1/events. */
export interface StreamEvent {
  id: number;
  type: StreamEventType;
  printerId: string;
  groupPath: string;
  data: Record<string, unknown>;
}

export interface StreamSubscriber {
  event(event: StreamEvent): void;
  close(): void;
  /** Re-reads the stream's key; a revoked, disabled, expired or narrowed key loses its stream. */
  recheck?(): void;
}

export interface EventStreamDeps {
  now: () => Date;
  /** Events kept for Last-Event-ID resume. */
  capacity?: number;
}

/**
 * The live feed behind the SSE route: a bounded in-memory ring for resume, fan-out to the open
 * streams, and close() for shutdown. Ids are integers that only grow; they start at the boot
 * time in microseconds, so ids after a restart are larger than any id before it.
 */
export class EventStream {
  private readonly ring: StreamEvent[] = [];
  private readonly capacity: number;
  private readonly subscribers = new Set<StreamSubscriber>();
  private nextId: number;
  private closed = false;

  constructor(private readonly deps: EventStreamDeps) {
    this.capacity = deps.capacity ?? 1000;
    this.nextId = deps.now().getTime() * 1000;
  }

  publish(type: StreamEventType, printerId: string, groupPath: string, data: Record<string, unknown>): void {
    if (this.closed) return;
    this.nextId += 1;
    const event: StreamEvent = { id: this.nextId, type, printerId, groupPath, data };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const subscriber of this.subscribers) subscriber.event(event);
  }

  /** The id of the newest event (or the starting point when there is none yet). */
  lastId(): number {
    return this.nextId;
  }

  /**
   * Events after `lastEventId`, or null when that id cannot be resumed from (older than the
   * ring, or not an id of this gateway) — the client must re-read the state it cares about.
   */
  since(lastEventId: number): StreamEvent[] | null {
    if (lastEventId === this.nextId) return [];
    const oldest = this.ring[0];
    if (lastEventId > this.nextId || !oldest || lastEventId < oldest.id - 1) return null;
    return this.ring.filter((event) => event.id > lastEventId);
  }

  subscribe(subscriber: StreamSubscriber): () => void {
    if (this.closed) {
      subscriber.close();
      return () => undefined;
    }
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Keys changed (revoked, disabled, edited or removed, here, by another process or by cloud
   * sync): every open stream re-checks its key now instead of at its next event or heartbeat.
   */
  recheckKeys(): void {
    for (const subscriber of [...this.subscribers]) subscriber.recheck?.();
  }

  /** Shutdown: ends every open stream so the HTTP server can close. */
  close(): void {
    this.closed = true;
    for (const subscriber of [...this.subscribers]) subscriber.close();
    this.subscribers.clear();
  }
}

export interface EventStreamSources {
  events: JobEvents;
  registry: PrinterRegistry;
  stream: EventStream;
}

/** Feeds job state changes and printer status changes into the stream. */
export function subscribeEventStream({ events, registry, stream }: EventStreamSources): () => void {
  const offJobs = events.on((job) => {
    const printer = registry.get(job.printerId);
    stream.publish('job', job.printerId, printer?.groupPath ?? '', jobView(job));
  });
  const offPrinters = registry.onStatusChange((printer, status) => {
    stream.publish('printer', printer.id, printer.groupPath, {
      id: printer.id,
      name: printer.name,
      group: printer.groupPath,
      state: status.state,
      reasons: status.reasons,
      lastSeenAt: status.lastSeenAt,
      lastError: status.lastError,
    });
  });
  return () => {
    offJobs();
    offPrinters();
  };
}
