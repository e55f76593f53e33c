import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open-database.js';
import type { PrinterProfile } from '../driver-api/index.js';
import type { LanguageName, PrinterConfig } from '../config/schema.js';
import type { GroupStore } from './group-store.js';
import { resolveProfile, type ProfileLookup } from './printer-profile.js';

export type PrinterSource = 'config' | 'mdns' | 'ipp' | 'serial' | 'usb' | 'cloudprnt';
export type PrinterState = 'idle' | 'processing' | 'stopped';

export interface Printer {
  id: string;
  name: string;
  groupPath: string;
  appId: string;
  uri: string;
  language: LanguageName;
  source: PrinterSource;
  profile: PrinterProfile;
  createdAt: string;
}

export interface PrinterStatus {
  state: PrinterState;
  /** IPP-style reasons: offline, media-empty, cover-open, ... */
  reasons: string[];
  /** When the gateway last heard from the printer (a successful send or probe). */
  lastSeenAt: string | null;
  /** The last transport error, in words a technician can act on. */
  lastError: string | null;
}

/** A printer added at run time (see PrinterRegistry.addRuntime). */
export interface RuntimePrinter {
  name: string;
  groupPath: string;
  uri: string;
  language: LanguageName;
  source: Exclude<PrinterSource, 'config'>;
  profile: PrinterProfile;
}

export type PrinterListener = (printer: Printer, status: PrinterStatus) => void;

interface PrinterRow {
  id: string;
  name: string;
  group_path: string;
  app_id: string;
  uri: string;
  language: LanguageName;
  source: PrinterSource;
  created_at: string;
  last_seen_at: string | null;
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'printer' : slug.slice(0, 48);
}

function newAppId(): string {
  return randomBytes(4).toString('hex');
}

export interface PrinterRegistryDeps {
  db: Db;
  groups: GroupStore;
  profiles: ProfileLookup;
  now: () => Date;
}

/** Configured (and, later, discovered) printers, their stable ids and appIds, and their live status. */
export class PrinterRegistry {
  private readonly printers = new Map<string, Printer>();
  private readonly statuses = new Map<string, PrinterStatus>();
  private readonly listeners = new Set<PrinterListener>();

  constructor(private readonly deps: PrinterRegistryDeps) {}

  /**
   * Makes the configured printers the registry's config printers: ids come from names, appIds
   * from the config or are generated once and kept in the database so apps keep working.
   */
  syncConfigured(configured: readonly PrinterConfig[]): void {
    const db = this.deps.db;
    const keep = new Set<string>();
    db.transaction(() => {
      for (const printer of configured) {
        const id = slugify(printer.name);
        keep.add(id);
        this.deps.groups.ensure(printer.group);
        const existing = db.prepare('SELECT * FROM printers WHERE id = ?').get(id) as PrinterRow | undefined;
        const appId = printer.appId ?? existing?.app_id ?? newAppId();
        // A fixed appId wins over a row that held it before.
        db.prepare('DELETE FROM printers WHERE app_id = ? AND id <> ?').run(appId, id);
        db.prepare(
          `INSERT INTO printers (id, name, group_path, app_id, uri, language, source, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'config', ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, group_path = excluded.group_path,
             app_id = excluded.app_id, uri = excluded.uri, language = excluded.language, source = 'config'`,
        ).run(id, printer.name, printer.group, appId, printer.uri, printer.language, this.deps.now().toISOString());
      }
      const stale = (db.prepare("SELECT id FROM printers WHERE source = 'config'").all() as { id: string }[])
        .map((row) => row.id)
        .filter((id) => !keep.has(id));
      for (const id of stale) db.prepare('DELETE FROM printers WHERE id = ?').run(id);
    })();

    this.printers.clear();
    for (const printer of configured) {
      const row = db.prepare('SELECT * FROM printers WHERE id = ?').get(slugify(printer.name)) as PrinterRow;
      this.printers.set(row.id, {
        id: row.id,
        name: row.name,
        groupPath: row.group_path,
        appId: row.app_id,
        uri: row.uri,
        language: row.language,
        source: row.source,
        profile: resolveProfile(printer, this.deps.profiles),
        createdAt: row.created_at,
      });
      if (!this.statuses.has(row.id)) {
        this.statuses.set(row.id, { state: 'idle', reasons: [], lastSeenAt: row.last_seen_at, lastError: null });
      }
    }
  }

  /**
   * Adds a printer found at run time (a CloudPRNT printer joining a group that auto-creates queues)
   * and keeps it in the database: the same source and URI keep their id and appId across restarts.
   */
  addRuntime(input: RuntimePrinter): Printer {
    const db = this.deps.db;
    const select = db.prepare('SELECT * FROM printers WHERE source = ? AND uri = ?');
    let row = select.get(input.source, input.uri) as PrinterRow | undefined;
    if (!row) {
      const base = slugify(input.name);
      let id = base;
      for (let n = 2; db.prepare('SELECT 1 FROM printers WHERE id = ?').get(id) !== undefined; n += 1) id = `${base}-${n}`;
      this.deps.groups.ensure(input.groupPath);
      db.prepare(
        'INSERT INTO printers (id, name, group_path, app_id, uri, language, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(id, input.name, input.groupPath, newAppId(), input.uri, input.language, input.source, this.deps.now().toISOString());
      row = select.get(input.source, input.uri) as PrinterRow;
    }
    const printer: Printer = {
      id: row.id,
      name: row.name,
      groupPath: row.group_path,
      appId: row.app_id,
      uri: row.uri,
      language: row.language,
      source: row.source,
      profile: input.profile,
      createdAt: row.created_at,
    };
    this.printers.set(printer.id, printer);
    if (!this.statuses.has(printer.id)) {
      this.statuses.set(printer.id, { state: 'idle', reasons: [], lastSeenAt: row.last_seen_at, lastError: null });
    }
    return printer;
  }

  /** True when a run-time printer with this source and URI is kept in the database (not deleted). */
  hasRuntime(source: PrinterSource, uri: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM printers WHERE source = ? AND uri = ?').get(source, uri) !== undefined;
  }

  list(): Printer[] {
    return [...this.printers.values()];
  }

  get(id: string): Printer | undefined {
    return this.printers.get(id);
  }

  findByAppId(groupPath: string, appId: string): Printer | undefined {
    return this.list().find((printer) => printer.groupPath === groupPath && printer.appId === appId);
  }

  inGroup(groupPath: string): Printer[] {
    return this.list().filter((printer) => printer.groupPath === groupPath);
  }

  status(id: string): PrinterStatus {
    return this.statuses.get(id) ?? { state: 'stopped', reasons: ['offline'], lastSeenAt: null, lastError: null };
  }

  /** Changes a printer's live status and tells listeners when anything changed. */
  updateStatus(id: string, change: Partial<PrinterStatus>): void {
    const printer = this.printers.get(id);
    if (!printer) return;
    const before = this.status(id);
    const after: PrinterStatus = { ...before, ...change };
    this.statuses.set(id, after);
    if (change.lastSeenAt) {
      this.deps.db.prepare('UPDATE printers SET last_seen_at = ? WHERE id = ?').run(change.lastSeenAt, id);
    }
    const changed = before.state !== after.state || before.reasons.join() !== after.reasons.join();
    if (changed) for (const listener of this.listeners) listener(printer, after);
  }

  /** Star's GenerateNewAccessID: a fresh appId, kept in the database (a config appId overrides it at the next start). */
  renewAppId(id: string): Printer | undefined {
    const printer = this.printers.get(id);
    if (!printer) return undefined;
    const renewed = { ...printer, appId: newAppId() };
    this.deps.db.prepare('UPDATE printers SET app_id = ? WHERE id = ?').run(renewed.appId, id);
    this.printers.set(id, renewed);
    return renewed;
  }

  /** Star's DELETE device: gone until it is configured or discovered again (a config printer returns at the next start). */
  remove(id: string): boolean {
    if (!this.printers.delete(id)) return false;
    this.statuses.delete(id);
    this.deps.db.prepare("DELETE FROM printers WHERE id = ? AND source <> 'config'").run(id);
    return true;
  }

  onStatusChange(listener: PrinterListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
