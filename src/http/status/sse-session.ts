import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { isCatalogueError } from '../../errors/catalogue-error.js';
import { requirePermission, type Authenticator } from '../../keys/authenticator.js';
import type { KeyRecord } from '../../keys/key-store.js';
import type { Permission } from '../../keys/permissions.js';
import { callerKey } from '../route-spec.js';
import { openEventStream } from '../open-event-stream.js';

/** A client that does not read is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface SseSessionOptions {
  /** The permission the stream needs: a key that loses it, or is revoked, disabled or expires, loses the stream. */
  permission: Permission;
  /** Re-checks the key exactly as a new request would be checked. */
  authenticator: Pick<Authenticator, 'revalidate'>;
  log: Logger;
  now: () => Date;
  heartbeatMs: number;
  /** Called at every heartbeat while the key holds (after the keepalive). */
  onHeartbeat?: () => void;
}

/**
 * One Server-Sent Events response held open for an authenticated key: headers, a heartbeat, a
 * bound on what may wait for a slow reader, and the key checked again at every frame, at every
 * heartbeat, on recheck() (a key changed somewhere) and at its expiry instant — a key that no
 * longer holds gets `event: error` with the catalogue code and the stream ends.
 */
export class SseSession {
  private key: KeyRecord;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private expiry: NodeJS.Timeout | undefined;
  private readonly closers: (() => void)[] = [];

  constructor(
    req: Request,
    private readonly res: Response,
    private readonly options: SseSessionOptions,
  ) {
    this.key = callerKey(res);
    openEventStream(res);
    this.heartbeat = setInterval(() => {
      if (!this.keyHolds()) return;
      this.write(': keepalive\n\n');
      options.onHeartbeat?.();
    }, options.heartbeatMs);
    this.watchExpiry();
    req.on('close', () => this.close());
  }

  /** The key as last checked (an edit of its groups applies to the open stream too). */
  get caller(): KeyRecord {
    return this.key;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs when the stream ends, for whatever reason. */
  onClose(closer: () => void): void {
    if (this.closed) closer();
    else this.closers.push(closer);
  }

  /** Sends one event if the key still holds. */
  send(event: string, data: unknown): void {
    if (this.keyHolds()) this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Keys changed: check this one now, and follow its (possibly new) expiry. */
  recheck(): boolean {
    if (!this.keyHolds()) return false;
    this.watchExpiry();
    return true;
  }

  close(finalFrame?: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.expiry) clearTimeout(this.expiry);
    for (const closer of this.closers.splice(0)) closer();
    if (finalFrame && !this.res.destroyed) this.res.write(finalFrame);
    this.res.end();
  }

  private keyHolds(): boolean {
    if (this.closed) return false;
    try {
      const current = this.options.authenticator.revalidate(this.key.id);
      requirePermission(current, this.options.permission);
      this.key = current;
      return true;
    } catch (error) {
      const refusal = isCatalogueError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: 'the key could not be checked' };
      this.options.log.info({ keyId: this.key.id, code: refusal.code }, 'event stream closed: key no longer valid');
      this.close(`event: error\ndata: ${JSON.stringify(refusal)}\n\n`);
      return false;
    }
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.options.log.warn({ keyId: this.key.id }, 'event stream dropped: client does not read');
      this.res.destroy();
      this.close();
      return;
    }
    this.res.write(text);
  }

  /** An expiry passing changes no row: a timer closes the stream at the instant. */
  private watchExpiry(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
    if (this.key.expiresAt === null) return;
    const left = Date.parse(this.key.expiresAt) - this.options.now().getTime();
    this.expiry = setTimeout(() => {
      if (this.keyHolds()) this.watchExpiry();
    }, Math.min(Math.max(left, 0) + 5, 2 ** 31 - 1));
    this.expiry.unref();
  }
}
