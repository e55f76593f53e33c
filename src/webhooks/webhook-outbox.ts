import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import { statementCache } from '../db/statement-cache.js';
import type { NotificationStore, WebhookEventType } from './notification-store.js';
import { expandUrl, type StarEnvelope } from './star-envelope.js';

/** One undelivered webhook POST. */
export interface OutboxEntry {
  seq: number;
  targetId: string;
  url: string;
  body: string;
  event: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: string;
}

interface OutboxRow {
  seq: number;
  target_id: string;
  url: string;
  body: string;
  event: string;
  attempts: number;
  next_attempt_at: number;
  created_at: string;
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    seq: row.seq,
    targetId: row.target_id,
    url: row.url,
    body: row.body,
    event: row.event,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  };
}

export interface WebhookOutboxDeps {
  db: Db;
  now: () => Date;
  notifications: NotificationStore;
}

/**
 * The durable outbox: an event is committed to SQLite (one row per target) before anyone tries
 * to deliver it, so a dead receiver or a restart loses nothing. Per target, rows go out in order.
 */
export class WebhookOutbox {
  private readonly listeners = new Set<() => void>();

  private readonly sql: (text: string) => Statement;

  constructor(private readonly deps: WebhookOutboxDeps) {
    this.sql = statementCache(deps.db);
  }

  /** Whether an event of this type in this group reaches anyone: if not, nothing is built for it. */
  wants(groupPath: string, type: WebhookEventType): boolean {
    return this.deps.notifications.list(groupPath).some((target) => target.enabled && target.events.includes(type));
  }

  /** Queues an event for the group's enabled targets that subscribe to its type; returns the rows added. */
  enqueue(groupPath: string, envelope: StarEnvelope): number {
    const type = envelope.EventType as WebhookEventType;
    const targets = this.deps.notifications.list(groupPath).filter((target) => target.enabled && target.events.includes(type));
    return this.insert(targets.map((target) => ({ targetId: target.id, url: target.url })), envelope);
  }

  /** Queues a `test` event for one target, enabled or not. */
  enqueueTest(groupPath: string, targetId: string, envelope: StarEnvelope): boolean {
    const target = this.deps.notifications.get(groupPath, targetId);
    if (!target) return false;
    return this.insert([{ targetId: target.id, url: target.url }], envelope) === 1;
  }

  private insert(targets: { targetId: string; url: string }[], envelope: StarEnvelope): number {
    if (targets.length === 0) return 0;
    const body = JSON.stringify(envelope);
    const now = this.deps.now();
    const insert = this.sql(
      'INSERT INTO webhook_outbox (target_id, url, body, event, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deps.db.transaction(() => {
      for (const target of targets) {
        insert.run(target.targetId, expandUrl(target.url, envelope), body, `${envelope.EventType}/${envelope.SubType}`, now.getTime(), now.toISOString());
      }
    })();
    for (const listener of this.listeners) listener();
    return targets.length;
  }

  /** Called after every enqueue (the delivery worker wakes up). */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The oldest undelivered row of every target: what may go out next. */
  heads(): OutboxEntry[] {
    return (
      this
        .sql('SELECT * FROM webhook_outbox WHERE seq IN (SELECT MIN(seq) FROM webhook_outbox GROUP BY target_id) ORDER BY seq')
        .all() as OutboxRow[]
    ).map(toEntry);
  }

  delivered(seq: number): void {
    this.sql('DELETE FROM webhook_outbox WHERE seq = ?').run(seq);
  }

  failed(seq: number, nextAttemptAt: number, error: string): void {
    this
      .sql('UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?')
      .run(nextAttemptAt, error.slice(0, 500), seq);
  }

  /** A restart tries every waiting row at once (the receiver may be back). */
  retryAllNow(): void {
    this.sql('UPDATE webhook_outbox SET next_attempt_at = ?').run(this.deps.now().getTime());
  }

  count(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM webhook_outbox').get() as { n: number }).n;
  }
}
