import type { Db } from '../db/open-database.js';

/** What a CloudPRNT printer told us about itself (client actions), kept across restarts. */
export interface CloudPrntDeviceInfo {
  mac: string;
  groupPath: string;
  clientType: string | null;
  clientVersion: string | null;
  paperWidthMM: number | null;
  printWidthMM: number | null;
  dotsPerMM: number | null;
  pollSeconds: number | null;
  /** Media types the printer accepts (the `Encodings` client action), or null if not asked yet. */
  encodings: string[] | null;
}

/** A printer we know nothing about yet. */
export function blankDeviceInfo(mac: string, groupPath: string): CloudPrntDeviceInfo {
  return { mac, groupPath, clientType: null, clientVersion: null, paperWidthMM: null, printWidthMM: null, dotsPerMM: null, pollSeconds: null, encodings: null };
}

interface DeviceRow {
  mac: string;
  group_path: string;
  client_type: string | null;
  client_version: string | null;
  paper_width_mm: number | null;
  print_width_mm: number | null;
  dots_per_mm: number | null;
  poll_seconds: number | null;
  encodings: string | null;
}

function toInfo(row: DeviceRow): CloudPrntDeviceInfo {
  return {
    mac: row.mac,
    groupPath: row.group_path,
    clientType: row.client_type,
    clientVersion: row.client_version,
    paperWidthMM: row.paper_width_mm,
    printWidthMM: row.print_width_mm,
    dotsPerMM: row.dots_per_mm,
    pollSeconds: row.poll_seconds,
    encodings: row.encodings === null ? null : (JSON.parse(row.encodings) as string[]),
  };
}

export interface CloudPrntStoreDeps {
  db: Db;
  now: () => Date;
}

/** SQL for cloudprnt_devices (migration 5). */
export class CloudPrntStore {
  constructor(private readonly deps: CloudPrntStoreDeps) {}

  get(mac: string): CloudPrntDeviceInfo | null {
    const row = this.deps.db.prepare('SELECT * FROM cloudprnt_devices WHERE mac = ?').get(mac) as DeviceRow | undefined;
    return row ? toInfo(row) : null;
  }

  list(): CloudPrntDeviceInfo[] {
    return (this.deps.db.prepare('SELECT * FROM cloudprnt_devices ORDER BY mac').all() as DeviceRow[]).map(toInfo);
  }

  save(info: CloudPrntDeviceInfo): void {
    const now = this.deps.now().toISOString();
    this.deps.db
      .prepare(
        `INSERT INTO cloudprnt_devices (mac, group_path, client_type, client_version, paper_width_mm, print_width_mm, dots_per_mm,
           poll_seconds, encodings, first_seen_at, updated_at)
         VALUES (@mac, @groupPath, @clientType, @clientVersion, @paperWidthMM, @printWidthMM, @dotsPerMM, @pollSeconds, @encodings, @now, @now)
         ON CONFLICT(mac) DO UPDATE SET group_path = excluded.group_path, client_type = excluded.client_type,
           client_version = excluded.client_version, paper_width_mm = excluded.paper_width_mm, print_width_mm = excluded.print_width_mm,
           dots_per_mm = excluded.dots_per_mm, poll_seconds = excluded.poll_seconds, encodings = excluded.encodings, updated_at = excluded.updated_at`,
      )
      .run({ ...info, encodings: info.encodings === null ? null : JSON.stringify(info.encodings), now });
  }
}
