import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import { statementCache } from '../db/statement-cache.js';

export interface DeviceGroup {
  matchPath: string;
  name: string;
  owner: string;
  createdAt: string;
  enabled: boolean;
  autoCreateQueue: boolean;
  requireDeviceKey: boolean;
  contactEmail: string;
  contactName: string;
  autoBuzzBefore: number;
  autoBuzzAfter: number;
  copies: number;
  autoClaimBcr: boolean;
}

interface GroupRow {
  match_path: string;
  name: string;
  owner: string;
  created_at: string;
  enabled: number;
  auto_create_queue: number;
  require_device_key: number;
  contact_email: string;
  contact_name: string;
  auto_buzz_before: number;
  auto_buzz_after: number;
  copies: number;
  auto_claim_bcr: number;
}

function toGroup(row: GroupRow): DeviceGroup {
  return {
    matchPath: row.match_path,
    name: row.name,
    owner: row.owner,
    createdAt: row.created_at,
    enabled: row.enabled === 1,
    autoCreateQueue: row.auto_create_queue === 1,
    requireDeviceKey: row.require_device_key === 1,
    contactEmail: row.contact_email,
    contactName: row.contact_name,
    autoBuzzBefore: row.auto_buzz_before,
    autoBuzzAfter: row.auto_buzz_after,
    copies: row.copies,
    autoClaimBcr: row.auto_claim_bcr === 1,
  };
}

/** Settings a client may change (Star's PUT /v1/a/{group}; undefined = unchanged). */
export interface DeviceGroupChange {
  name?: string | undefined;
  autoCreateQueue?: boolean | undefined;
  contactEmail?: string | undefined;
  contactName?: string | undefined;
  autoBuzzBefore?: number | undefined;
  autoBuzzAfter?: number | undefined;
  copies?: number | undefined;
  autoClaimBcr?: boolean | undefined;
  enabled?: boolean | undefined;
  requireDeviceKey?: boolean | undefined;
}

/** A group of the config file's `groups:` section (the same shape as config/schema.ts GroupConfig). */
export interface ConfiguredGroup {
  path: string;
  name?: string | undefined;
  enabled?: boolean | undefined;
  requireDeviceKey?: boolean | undefined;
  autoCreateDeviceQueue?: boolean | undefined;
}

export interface NewDeviceGroup extends DeviceGroupChange {
  matchPath: string;
  name: string;
}

const COLUMNS: Readonly<Record<keyof DeviceGroupChange, string>> = {
  name: 'name',
  autoCreateQueue: 'auto_create_queue',
  contactEmail: 'contact_email',
  contactName: 'contact_name',
  autoBuzzBefore: 'auto_buzz_before',
  autoBuzzAfter: 'auto_buzz_after',
  copies: 'copies',
  autoClaimBcr: 'auto_claim_bcr',
  enabled: 'enabled',
  requireDeviceKey: 'require_device_key',
};

/** Groups kept at most (lookups of unknown paths are kept too, as null). */
const MAX_CACHED = 1000;

export interface GroupStoreDeps {
  db: Db;
  now: () => Date;
}

/**
 * SQL for Star device groups (MatchPath is the key). Every submit reads its printer's group, so
 * groups read are kept (frozen) until the table may have changed: this store's own writes forget
 * them, and so does any commit of another connection (the CLI's `groups` commands), which
 * SQLite's `PRAGMA data_version` reveals for the price of one cheap read per lookup.
 */
export class GroupStore {
  private readonly sql: (text: string) => Statement;
  private readonly dataVersion: Statement;
  private readonly cached = new Map<string, Readonly<DeviceGroup> | null>();
  private cachedAt: unknown = null;

  constructor(private readonly deps: GroupStoreDeps) {
    this.sql = statementCache(deps.db);
    this.dataVersion = deps.db.prepare('PRAGMA data_version').pluck();
  }

  get(matchPath: string): DeviceGroup | null {
    const version = this.dataVersion.get();
    if (version !== this.cachedAt) {
      this.cached.clear();
      this.cachedAt = version;
    }
    if (this.cached.has(matchPath)) return this.cached.get(matchPath) as DeviceGroup | null;
    const group = this.read(matchPath);
    // Inside a transaction a row may yet be rolled back: only what is committed is kept.
    if (!this.deps.db.inTransaction) {
      if (this.cached.size >= MAX_CACHED) this.cached.clear();
      this.cached.set(matchPath, group && Object.freeze(group));
    }
    return group;
  }

  private read(matchPath: string): DeviceGroup | null {
    const row = this.sql('SELECT * FROM device_groups WHERE match_path = ?').get(matchPath) as GroupRow | undefined;
    return row ? toGroup(row) : null;
  }

  list(): DeviceGroup[] {
    return (this.sql('SELECT * FROM device_groups ORDER BY match_path').all() as GroupRow[]).map(toGroup);
  }

  /**
   * Creates a group; returns null when the MatchPath exists already. New groups require a device
   * key from their CloudPRNT printers unless `requireDeviceKey: false` is asked for.
   */
  create(input: NewDeviceGroup): DeviceGroup | null {
    const result = this
      .sql('INSERT OR IGNORE INTO device_groups (match_path, name, created_at, require_device_key) VALUES (?, ?, ?, 1)')
      .run(input.matchPath, input.name, this.deps.now().toISOString());
    this.cached.clear();
    if (result.changes === 0) return null;
    return this.update(input.matchPath, input);
  }

  /**
   * The `groups:` section of the config, at start: each group is created if missing and the fields
   * it sets overwrite what the database holds (fields it leaves out keep their value).
   */
  applyConfigured(configured: readonly ConfiguredGroup[]): DeviceGroup[] {
    return this.deps.db.transaction(() =>
      configured.map((group) => {
        this.ensure(group.path, group.name ?? group.path);
        return this.update(group.path, {
          name: group.name,
          enabled: group.enabled,
          requireDeviceKey: group.requireDeviceKey,
          autoCreateQueue: group.autoCreateDeviceQueue,
        }) as DeviceGroup;
      }),
    )();
  }

  /** Applies the given settings (undefined = unchanged). Returns null for an unknown group. */
  update(matchPath: string, change: DeviceGroupChange): DeviceGroup | null {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as [keyof DeviceGroupChange, string][]) {
      const value = change[field];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(typeof value === 'boolean' ? Number(value) : value);
    }
    if (sets.length > 0) {
      this.sql(`UPDATE device_groups SET ${sets.join(', ')} WHERE match_path = ?`).run(...values, matchPath);
      this.cached.clear();
    }
    return this.read(matchPath);
  }

  /** Removes a group (the caller checks it has no devices). */
  remove(matchPath: string): boolean {
    this.cached.clear();
    return this.sql('DELETE FROM device_groups WHERE match_path = ?').run(matchPath).changes === 1;
  }

  /** The Star device name (`Id`) set by RequestIdChange, or null for the printer's own name. */
  deviceName(printerId: string): string | null {
    const row = this.sql('SELECT name FROM star_device_names WHERE printer_id = ?').get(printerId) as { name: string } | undefined;
    return row?.name ?? null;
  }

  setDeviceName(printerId: string, name: string): void {
    this
      .sql('INSERT INTO star_device_names (printer_id, name) VALUES (?, ?) ON CONFLICT(printer_id) DO UPDATE SET name = excluded.name')
      .run(printerId, name);
  }

  /** Creates the group named by a configured printer if it does not exist yet (requiring device keys, as every new group). */
  ensure(matchPath: string, name: string = matchPath): DeviceGroup {
    this
      .sql('INSERT OR IGNORE INTO device_groups (match_path, name, created_at, require_device_key) VALUES (?, ?, ?, 1)')
      .run(matchPath, name, this.deps.now().toISOString());
    this.cached.clear();
    return this.read(matchPath) as DeviceGroup;
  }
}
