import type { Db } from '../db/open-database.js';

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

export interface GroupStoreDeps {
  db: Db;
  now: () => Date;
}

/** SQL for Star device groups (MatchPath is the key). */
export class GroupStore {
  constructor(private readonly deps: GroupStoreDeps) {}

  get(matchPath: string): DeviceGroup | null {
    const row = this.deps.db.prepare('SELECT * FROM device_groups WHERE match_path = ?').get(matchPath) as GroupRow | undefined;
    return row ? toGroup(row) : null;
  }

  list(): DeviceGroup[] {
    return (this.deps.db.prepare('SELECT * FROM device_groups ORDER BY match_path').all() as GroupRow[]).map(toGroup);
  }

  /** Creates the group named by a configured printer if it does not exist yet. */
  ensure(matchPath: string, name: string = matchPath): DeviceGroup {
    this.deps.db
      .prepare('INSERT OR IGNORE INTO device_groups (match_path, name, created_at) VALUES (?, ?, ?)')
      .run(matchPath, name, this.deps.now().toISOString());
    return this.get(matchPath) as DeviceGroup;
  }
}
