import type { DeviceViewer } from '../../printers/devices-service.js';
import { canSee } from '../../printers/devices-service.js';
import type { EventStream, StreamEvent } from '../native/event-stream.js';

/** One thing that went wrong, as the status page lists it. Never a key, a token or a document. */
export interface RecentError {
  /** Grows by one per entry, for the page to tell new entries from ones it has. */
  id: number;
  at: string;
  source: 'printer' | 'job';
  printerId: string;
  groupPath: string;
  jobId: string | null;
  /** A catalogue code (job errors) or the printer's reasons (printer errors), e.g. "offline". */
  code: string | null;
  message: string;
}

export type RecentErrorListener = (entry: RecentError) => void;

export interface RecentErrorsDeps {
  stream: Pick<EventStream, 'subscribe'>;
  now: () => Date;
  /** Entries kept; the oldest goes first. */
  capacity?: number;
}

/**
 * A bounded in-memory ring of the gateway's recent errors, fed by the live event stream the
 * native API also serves (no second set of hooks into the engine): a printer that stops with a
 * reason or an error (the registry reports only changes, so a printer that stays off is one
 * entry, not one per retry), and a job that gets an error code (a retry with the same code and
 * message adds nothing). Since the gateway started; a restart begins empty (the jobs keep their
 * own errorCode in the database).
 */
export class RecentErrors {
  private readonly ring: RecentError[] = [];
  private readonly capacity: number;
  private readonly listeners = new Set<RecentErrorListener>();
  /** The last error signature recorded per job, so retries do not repeat it (bounded with the ring). */
  private readonly lastOfJob = new Map<string, string>();
  private nextId = 0;

  constructor(private readonly deps: RecentErrorsDeps) {
    this.capacity = deps.capacity ?? 50;
    deps.stream.subscribe({ event: (event) => this.take(event), close: () => this.listeners.clear() });
  }

  /** Newest first, only what the viewer may see. */
  list(viewer: DeviceViewer): RecentError[] {
    return this.ring.filter((entry) => canSee(viewer, entry.groupPath)).reverse();
  }

  onError(listener: RecentErrorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private take(event: StreamEvent): void {
    const data = event.data;
    if (event.type === 'printer') {
      const reasons = Array.isArray(data.reasons) ? (data.reasons as string[]) : [];
      const lastError = typeof data.lastError === 'string' ? data.lastError : null;
      if (data.state !== 'stopped' || (reasons.length === 0 && lastError === null)) return;
      this.add({ source: 'printer', printerId: event.printerId, groupPath: event.groupPath, jobId: null, code: reasons.join(', ') || null, message: lastError ?? `stopped: ${reasons.join(', ')}` });
      return;
    }
    const code = typeof data.errorCode === 'string' ? data.errorCode : null;
    const jobId = typeof data.id === 'string' ? data.id : null;
    if (code === null || jobId === null) return;
    const message = typeof data.errorMessage === 'string' ? data.errorMessage : code;
    const signature = `${code}\n${message}\n${String(data.state)}`;
    if (this.lastOfJob.get(jobId) === signature) return;
    this.lastOfJob.set(jobId, signature);
    this.add({ source: 'job', printerId: event.printerId, groupPath: event.groupPath, jobId, code, message: `${String(data.state)}: ${message}` });
  }

  private add(entry: Omit<RecentError, 'id' | 'at'>): void {
    this.nextId += 1;
    const full: RecentError = { id: this.nextId, at: this.deps.now().toISOString(), ...entry };
    this.ring.push(full);
    if (this.ring.length > this.capacity) {
      const dropped = this.ring.shift();
      if (dropped?.jobId && !this.ring.some((kept) => kept.jobId === dropped.jobId)) this.lastOfJob.delete(dropped.jobId);
    }
    for (const listener of this.listeners) listener(full);
  }
}
