import type { Response } from 'express';
import type { Logger } from 'pino';
import { isCatalogueError } from '../../errors/catalogue-error.js';
import { canSeeGroup, requirePermission, type Authenticator } from '../../keys/authenticator.js';
import type { KeyRecord } from '../../keys/key-store.js';
import type { EventStream, StreamEvent } from './event-stream.js';

/** Why an open stream was ended by the gateway. */
export type StreamDropReason = 'slow-reader' | 'key';

export interface StreamFanoutDeps {
  stream: EventStream;
  /** Re-checks a key exactly as a new request would be checked (revoked, expired, disabled, stale). */
  authenticator: Pick<Authenticator, 'revalidate'>;
  log: Logger;
  now: () => Date;
  /** limits.streams.maxBufferedBytes: a client with more unsent than this is dropped. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  onDropped?: (reason: StreamDropReason) => void;
  onOpenChange?: (open: number) => void;
}

/** One open SSE response. */
export interface OpenStream {
  res: Response;
  printerId: string | undefined;
  /** Called once when the stream ends, for whatever reason. */
  onEnd: () => void;
}

interface KeyEntry {
  key: KeyRecord;
  streams: Set<OpenStream>;
  expiry: NodeJS.Timeout | undefined;
}

/** One SSE frame of an event. */
export function frame(event: StreamEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * The open event streams, fanned out from memory: one subscription to the EventStream, each
 * event serialised once and written to the streams whose key may see it. Keys are re-read once
 * per key (not per stream, never per event) when keys change (EventStream.recheckKeys), at each
 * heartbeat and when a key's expiry passes; a key that is no longer valid or lost ViewJobs ends
 * its streams with an `event: error` frame. A client with more than maxBufferedBytes unsent is
 * dropped rather than buffered without bound.
 */
export class StreamFanout {
  private readonly byKey = new Map<string, KeyEntry>();
  private readonly entries = new WeakMap<OpenStream, KeyEntry>();
  /** Frames waiting for the next flush, per stream: a burst of events is one write per stream. */
  private readonly pending = new Map<OpenStream, string[]>();
  private flushing: NodeJS.Immediate | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private open = 0;
  private closed = false;

  constructor(private readonly deps: StreamFanoutDeps) {
    deps.stream.subscribe({
      event: (event) => this.publish(event),
      close: () => this.closeAll(),
      recheck: () => this.recheck(),
    });
  }

  /** Adds a stream whose headers (and resumed frames) were written; false when the gateway is stopping. */
  add(key: KeyRecord, stream: OpenStream): boolean {
    if (this.closed) return false;
    let entry = this.byKey.get(key.id);
    if (!entry) {
      entry = { key, streams: new Set(), expiry: undefined };
      this.byKey.set(key.id, entry);
    }
    entry.key = key;
    entry.streams.add(stream);
    this.entries.set(stream, entry);
    this.watchExpiry(entry);
    this.open += 1;
    this.deps.onOpenChange?.(this.open);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.beat(), this.deps.heartbeatMs);
      this.heartbeat.unref();
    }
    return true;
  }

  /** Ends one stream (the client left, or the gateway ends it), with a last frame if given. */
  end(stream: OpenStream, finalFrame?: string): void {
    const entry = this.entries.get(stream);
    if (!entry || !entry.streams.delete(stream)) return;
    this.pending.delete(stream);
    this.open -= 1;
    this.deps.onOpenChange?.(this.open);
    if (entry.streams.size === 0 && this.byKey.get(entry.key.id) === entry) {
      if (entry.expiry) clearTimeout(entry.expiry);
      this.byKey.delete(entry.key.id);
    }
    if (this.open === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
    if (!stream.res.destroyed) {
      if (finalFrame) stream.res.write(finalFrame);
      stream.res.end();
    }
    stream.onEnd();
  }

  /** Writes to a stream, or drops it when its client does not read. */
  write(key: KeyRecord, stream: OpenStream, text: string): void {
    if (stream.res.writableLength > this.deps.maxBufferedBytes) {
      this.deps.log.warn({ keyId: key.id, bufferedBytes: stream.res.writableLength }, 'event stream dropped: client does not read');
      this.deps.onDropped?.('slow-reader');
      stream.res.destroy();
      this.end(stream);
      return;
    }
    stream.res.write(text);
  }

  private publish(event: StreamEvent): void {
    let text: string | undefined;
    for (const entry of this.byKey.values()) {
      if (!canSeeGroup(entry.key, event.groupPath)) continue;
      for (const stream of entry.streams) {
        if (stream.printerId !== undefined && stream.printerId !== event.printerId) continue;
        text ??= frame(event);
        const queued = this.pending.get(stream);
        if (queued) queued.push(text);
        else this.pending.set(stream, [text]);
      }
    }
    if (text !== undefined && !this.flushing) this.flushing = setImmediate(() => this.flush());
  }

  /** Writes what the last events left for each stream, once per stream. */
  private flush(): void {
    this.flushing = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [stream, frames] of batch) {
      const entry = this.entries.get(stream);
      if (entry?.streams.has(stream)) this.write(entry.key, stream, frames.length === 1 ? frames[0]! : frames.join(''));
    }
  }

  /** Re-reads every key with open streams, once each. */
  private recheck(): void {
    for (const entry of [...this.byKey.values()]) this.recheckKey(entry);
  }

  private recheckKey(entry: KeyEntry): boolean {
    try {
      const current = this.deps.authenticator.revalidate(entry.key.id);
      requirePermission(current, 'ViewJobs');
      entry.key = current;
      this.watchExpiry(entry);
      return true;
    } catch (error) {
      const refusal = isCatalogueError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: 'the key could not be checked' };
      this.deps.log.info({ keyId: entry.key.id, code: refusal.code, streams: entry.streams.size }, 'event stream closed: key no longer valid');
      const last = `event: error\ndata: ${JSON.stringify(refusal)}\n\n`;
      for (const stream of [...entry.streams]) {
        this.deps.onDropped?.('key');
        this.end(stream, last);
      }
      return false;
    }
  }

  /** An expiry passing changes no row: a timer re-checks the key at the instant. */
  private watchExpiry(entry: KeyEntry): void {
    if (entry.expiry) clearTimeout(entry.expiry);
    entry.expiry = undefined;
    if (entry.key.expiresAt === null) return;
    const left = Date.parse(entry.key.expiresAt) - this.deps.now().getTime();
    entry.expiry = setTimeout(() => this.recheckKey(entry), Math.min(Math.max(left, 0) + 5, 2 ** 31 - 1));
    entry.expiry.unref();
  }

  private beat(): void {
    for (const entry of [...this.byKey.values()]) {
      if (!this.recheckKey(entry)) continue;
      for (const stream of [...entry.streams]) this.write(entry.key, stream, ': keepalive\n\n');
    }
  }

  private closeAll(): void {
    this.closed = true;
    for (const entry of [...this.byKey.values()]) for (const stream of [...entry.streams]) this.end(stream);
  }
}
