import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import { statementCache } from '../db/statement-cache.js';
import { defaultTargetPolicy, type WebhookTargetPolicy } from './target-policy.js';

/** Star's webhook event types a target can subscribe to (`test` always reaches it). */
export const WEBHOOK_EVENT_TYPES = ['connection', 'status', 'job', 'peripheral'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A webhook target of a device group. */
export interface NotificationTarget {
  id: string;
  groupPath: string;
  name: string;
  url: string;
  enabled: boolean;
  events: WebhookEventType[];
  createdAt: string;
}

export interface NotificationChange {
  name?: string | undefined;
  url?: string | undefined;
  enabled?: boolean | undefined;
  events?: WebhookEventType[] | undefined;
}

interface TargetRow {
  id: string;
  group_path: string;
  name: string;
  url: string;
  enabled: number;
  events_json: string;
  created_at: string;
}

function toTarget(row: TargetRow): NotificationTarget {
  return {
    id: row.id,
    groupPath: row.group_path,
    name: row.name,
    url: row.url,
    enabled: row.enabled === 1,
    events: JSON.parse(row.events_json) as WebhookEventType[],
    createdAt: row.created_at,
  };
}

export interface NotificationStoreDeps {
  db: Db;
  now: () => Date;
  /** Where targets may point (webhooks.allowPrivateTargets); default: no private or own address. */
  targets?: WebhookTargetPolicy;
}

/** SQL for webhook targets (Star's /v1/a/{group}/n). A URL a policy refuses is 400 WEBHOOK_TARGET_REFUSED. */
export class NotificationStore {
  private readonly targets: WebhookTargetPolicy;

  private readonly sql: (text: string) => Statement;
  /**
   * Targets by group, read once: every job event asks (WebhookOutbox.wants), and only this store
   * writes the table (the HTTP API), so each write empties it.
   */
  private readonly byGroup = new Map<string, NotificationTarget[]>();

  constructor(private readonly deps: NotificationStoreDeps) {
    this.sql = statementCache(deps.db);
    this.targets = deps.targets ?? defaultTargetPolicy();
  }

  list(groupPath: string): NotificationTarget[] {
    let targets = this.byGroup.get(groupPath);
    if (!targets) {
      targets = (this.sql('SELECT * FROM notification_targets WHERE group_path = ? ORDER BY created_at, id').all(groupPath) as TargetRow[]).map(toTarget);
      this.byGroup.set(groupPath, targets);
    }
    return targets.map((target) => ({ ...target, events: [...target.events] }));
  }

  get(groupPath: string, id: string): NotificationTarget | null {
    const row = this.sql('SELECT * FROM notification_targets WHERE group_path = ? AND id = ?').get(groupPath, id) as
      | TargetRow
      | undefined;
    return row ? toTarget(row) : null;
  }

  create(groupPath: string, input: Required<NotificationChange>): NotificationTarget {
    this.targets.checkUrl(input.url);
    this.byGroup.clear();
    const id = randomUUID();
    this
      .sql('INSERT INTO notification_targets (id, group_path, name, url, enabled, events_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, groupPath, input.name, input.url, Number(input.enabled), JSON.stringify(input.events), this.deps.now().toISOString());
    return this.get(groupPath, id) as NotificationTarget;
  }

  update(groupPath: string, id: string, change: NotificationChange): NotificationTarget | null {
    const current = this.get(groupPath, id);
    if (!current) return null;
    if (change.url !== undefined) this.targets.checkUrl(change.url);
    this.byGroup.clear();
    const next = {
      name: change.name ?? current.name,
      url: change.url ?? current.url,
      enabled: change.enabled ?? current.enabled,
      events: change.events ?? current.events,
    };
    this
      .sql('UPDATE notification_targets SET name = ?, url = ?, enabled = ?, events_json = ? WHERE id = ?')
      .run(next.name, next.url, Number(next.enabled), JSON.stringify(next.events), id);
    return this.get(groupPath, id);
  }

  /** Removes a target and its undelivered events. */
  remove(groupPath: string, id: string): boolean {
    this.byGroup.clear();
    return this.deps.db.transaction(() => {
      const removed = this.sql('DELETE FROM notification_targets WHERE group_path = ? AND id = ?').run(groupPath, id).changes === 1;
      if (removed) this.sql('DELETE FROM webhook_outbox WHERE target_id = ?').run(id);
      return removed;
    })();
  }

  /** Removes every target of a group (the group is being deleted). */
  removeGroup(groupPath: string): void {
    for (const target of this.list(groupPath)) this.remove(groupPath, target.id);
  }
}
