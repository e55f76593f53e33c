import { createHash, randomBytes } from 'node:crypto';
import type { PrinterConfig } from '../config/schema.js';
import type { Db } from '../db/open-database.js';
import type { PrinterProfile } from '../driver-api/index.js';
import type { LanguageRegistry } from '../languages/language-registry.js';
import type { GroupStore } from './group-store.js';
import { resolveProfile, type ProfileLookup } from './printer-profile.js';

export type PrinterSource = 'config' | 'mdns' | 'ipp' | 'serial' | 'usb' | 'cloudprnt';
export type PrinterState = 'idle' | 'processing' | 'stopped';

/** A printer with everything about it resolved once, when it joins the registry. */
export interface Printer {
  id: string;
  name: string;
  groupPath: string;
  appId: string;
  /** True when printers[].appId pins the AccessIdentifier (Star's GenerateNewAccessID is refused). */
  appIdFixed: boolean;
  uri: string;
  /** The language it speaks: its setting with `auto` resolved (profile, else transport, else escpos). */
  language: string;
  /** The language as configured: a language name or `auto`. */
  languageSetting: string;
  source: PrinterSource;
  /** The printer family with the config's overrides applied. */
  profile: PrinterProfile;
  /** `auto`: ask for its status where the language and transport can; `off`: never. */
  statusQuery: 'auto' | 'off';
  /**
   * This gateway's own UUID for the printer (IPP printer-uuid, mDNS UUID of what the box
   * advertises): stable, derived from the printer id, never the device's own.
   */
  uuid: string;
  /** How discovery knows the device (`uuid:…`, `usb:vid:pid:serial`, …), once it has seen it; null for a printer it never saw. */
  identity: string | null;
  identityQuality: string | null;
  /** What the identity means for this device, in a sentence (a port path says the device must stay in that port). */
  identityNote: string | null;
  /** Make and model as the device said it (discovered printers). */
  makeAndModel: string | null;
  createdAt: string;
}

/** A name-based UUID (RFC 4122 version 5 layout) for a printer id: the same id, the same UUID, on every boot. */
export function printerUuid(id: string): string {
  const hash = createHash('sha1').update(`printgate:printer:${id}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
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
  /** A language name or `auto`. */
  language: string;
  source: Exclude<PrinterSource, 'config'>;
  profile: PrinterProfile;
}

export type PrinterListener = (printer: Printer, status: PrinterStatus) => void;

/** What the printer workers read and change of their printers' live status (the registry, or the delivery thread's board). */
export interface PrinterStatuses {
  status(id: string): PrinterStatus;
  updateStatus(id: string, change: Partial<PrinterStatus>): void;
}

/** Every status change as it was asked for (the delivery thread mirrors the main thread's own). */
export type StatusChangeListener = (id: string, change: Partial<PrinterStatus>) => void;

interface PrinterRow {
  id: string;
  name: string;
  group_path: string;
  app_id: string;
  uri: string;
  language: string;
  source: PrinterSource;
  created_at: string;
  last_seen_at: string | null;
  identity: string | null;
  identity_quality: string | null;
  identity_note: string | null;
  profile_id: string | null;
  make_and_model: string | null;
}

/** A device discovery found, as the registry keeps it (see upsertDiscovered). */
export interface DiscoveredPrinter {
  identity: string;
  identityQuality: string;
  identityNote: string;
  source: Exclude<PrinterSource, 'config' | 'cloudprnt'>;
  uri: string;
  /** Other URIs the same device answers at: a configured printer with one of them is the same device. */
  otherUris: readonly string[];
  name: string;
  makeAndModel: string | null;
  /** A language name the gateway speaks. */
  language: string;
  profile: PrinterProfile;
  /** The matched profile's id, or null when none matched (the language's generic one is used). */
  profileId: string | null;
  groupPath: string;
}

/** What upsertDiscovered did: a new printer, one seen before coming back or changed, or a configured printer recognised. */
export type DiscoveredOutcome = 'new' | 'returned' | 'changed' | 'same' | 'configured' | 'forgotten';

/** A device URI compared loosely: scheme and host lower case, default ports and a trailing slash dropped. */
export function sameDeviceUri(a: string, b: string): boolean {
  const norm = (uri: string): string => {
    try {
      const url = new URL(uri);
      const port = url.port === '' || (url.protocol === 'socket:' && url.port === '9100') || (/^ipps?:$/.test(url.protocol) && url.port === '631') ? '' : url.port;
      return `${url.protocol}//${url.hostname.toLowerCase()}${port ? `:${port}` : ''}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return uri.trim().toLowerCase();
    }
  };
  return norm(a) === norm(b);
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

/** lastSeenAt is written to the database at most this often per printer (SD cards). */
const LAST_SEEN_WRITE_MS = 60_000;

export interface PrinterRegistryDeps {
  db: Db;
  groups: GroupStore;
  profiles: ProfileLookup;
  languages: LanguageRegistry;
  now: () => Date;
}

/** Configured and run-time printers, their stable ids and appIds, and their live status. */
export class PrinterRegistry implements PrinterStatuses {
  private readonly printers = new Map<string, Printer>();
  private readonly statuses = new Map<string, PrinterStatus>();
  private readonly statusListeners = new Set<PrinterListener>();
  private readonly changeListeners = new Set<StatusChangeListener>();
  private readonly lastSeenWritten = new Map<string, number>();
  private readonly sql;

  constructor(private readonly deps: PrinterRegistryDeps) {
    const db = deps.db;
    this.sql = {
      byId: db.prepare('SELECT * FROM printers WHERE id = ?'),
      bySourceUri: db.prepare('SELECT * FROM printers WHERE source = ? AND uri = ?'),
      idTaken: db.prepare('SELECT 1 FROM printers WHERE id = ?'),
      insertRuntime: db.prepare(
        'INSERT INTO printers (id, name, group_path, app_id, uri, language, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      lastSeen: db.prepare('UPDATE printers SET last_seen_at = ? WHERE id = ?'),
      byIdentity: db.prepare('SELECT * FROM printers WHERE identity = ?'),
      discoveredRows: db.prepare("SELECT * FROM printers WHERE identity IS NOT NULL AND source NOT IN ('config', 'cloudprnt')"),
      setIdentity: db.prepare('UPDATE printers SET identity = ?, identity_quality = ?, identity_note = ?, make_and_model = COALESCE(?, make_and_model) WHERE id = ?'),
      updateDiscovered: db.prepare('UPDATE printers SET uri = ?, language = ?, source = ?, identity_quality = ?, identity_note = ?, profile_id = ?, make_and_model = ? WHERE id = ?'),
      insertDiscovered: db.prepare(
        `INSERT INTO printers (id, name, group_path, app_id, uri, language, source, created_at, identity, identity_quality, identity_note, profile_id, make_and_model)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      forgotten: db.prepare('SELECT 1 FROM forgotten_devices WHERE identity = ?'),
      forget: db.prepare('INSERT INTO forgotten_devices (identity, forgotten_at) VALUES (?, ?) ON CONFLICT(identity) DO NOTHING'),
      unforget: db.prepare('DELETE FROM forgotten_devices WHERE identity = ?'),
      removeAny: db.prepare('DELETE FROM printers WHERE id = ?'),
      appId: db.prepare('UPDATE printers SET app_id = ? WHERE id = ?'),
      remove: db.prepare("DELETE FROM printers WHERE id = ? AND source <> 'config'"),
    };
  }

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
        const existing = this.sql.byId.get(id) as PrinterRow | undefined;
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

    for (const [id, printer] of this.printers) if (printer.source === 'config') this.printers.delete(id);
    for (const printer of configured) {
      const row = this.sql.byId.get(slugify(printer.name)) as PrinterRow;
      const profile = resolveProfile(printer, this.deps.profiles);
      this.remember(row, profile, { appIdFixed: printer.appId !== undefined, statusQuery: printer.statusQuery ?? 'auto' });
    }
  }

  /**
   * For a process beside a running gateway (the CLI): the printers the gateway keeps, read from
   * the database without changing it. Config printers get their profile from `configured`.
   */
  loadStored(configured: readonly PrinterConfig[]): void {
    const byId = new Map(configured.map((printer) => [slugify(printer.name), printer]));
    for (const row of this.deps.db.prepare('SELECT * FROM printers ORDER BY id').all() as PrinterRow[]) {
      const entry = byId.get(row.id);
      const profile = resolveProfile(entry ?? { name: row.name, group: row.group_path, uri: row.uri, language: row.language }, this.deps.profiles);
      this.remember(row, profile, { appIdFixed: entry?.appId !== undefined, statusQuery: entry?.statusQuery ?? 'auto' });
    }
  }

  /**
   * Adds a printer found at run time (a CloudPRNT printer joining a group that auto-creates queues)
   * and keeps it in the database: the same source and URI keep their id and appId across restarts.
   */
  addRuntime(input: RuntimePrinter): Printer {
    let row = this.sql.bySourceUri.get(input.source, input.uri) as PrinterRow | undefined;
    if (!row) {
      const base = slugify(input.name);
      let id = base;
      for (let n = 2; this.sql.idTaken.get(id) !== undefined; n += 1) id = `${base}-${n}`;
      this.deps.groups.ensure(input.groupPath);
      this.sql.insertRuntime.run(id, input.name, input.groupPath, newAppId(), input.uri, input.language, input.source, this.deps.now().toISOString());
      row = this.sql.bySourceUri.get(input.source, input.uri) as PrinterRow;
    }
    return this.remember(row, input.profile, { appIdFixed: false, statusQuery: 'auto' });
  }

  /**
   * Discovered printers kept from earlier runs, back in the registry before the workers start (so
   * their queues go on before discovery sees them again); `profileOf` resolves their profile.
   */
  loadDiscovered(profileOf: (row: { profileId: string | null; language: string }) => PrinterProfile): Printer[] {
    return (this.sql.discoveredRows.all() as PrinterRow[]).map((row) =>
      this.remember(row, profileOf({ profileId: row.profile_id, language: row.language }), { appIdFixed: false, statusQuery: 'auto' }),
    );
  }

  /**
   * Merges a device discovery reports: a configured printer with the same identity or URI is that
   * device (the config wins; it learns the identity); a printer with the same identity is kept
   * with its id and AccessIdentifier and follows the device to its new address; else a new
   * printer joins `groupPath`. A forgotten identity is ignored.
   */
  upsertDiscovered(device: DiscoveredPrinter): { printer: Printer | null; outcome: DiscoveredOutcome } {
    if (this.sql.forgotten.get(device.identity) !== undefined) return { printer: null, outcome: 'forgotten' };
    const uris = [device.uri, ...device.otherUris];
    const configured = this.list().find(
      (printer) => printer.source === 'config' && (printer.identity === device.identity || uris.some((uri) => sameDeviceUri(uri, printer.uri))),
    );
    const known = this.sql.byIdentity.get(device.identity) as PrinterRow | undefined;
    if (configured) {
      // The same device found twice (discovered first, configured since): the configured one is it.
      if (known && known.id !== configured.id) {
        this.printers.delete(known.id);
        this.statuses.delete(known.id);
        this.sql.removeAny.run(known.id);
      }
      if (configured.identity !== device.identity) {
        this.sql.setIdentity.run(device.identity, device.identityQuality, device.identityNote, device.makeAndModel, configured.id);
        const row = this.sql.byId.get(configured.id) as PrinterRow;
        this.remember(row, configured.profile, { appIdFixed: configured.appIdFixed, statusQuery: configured.statusQuery });
      }
      return { printer: this.printers.get(configured.id) ?? configured, outcome: 'configured' };
    }
    if (known) {
      const before = this.printers.get(known.id);
      const changed = known.uri !== device.uri || known.language !== device.language || known.profile_id !== device.profileId;
      if (changed || known.source !== device.source || known.make_and_model !== device.makeAndModel || known.identity_note !== device.identityNote) {
        this.sql.updateDiscovered.run(device.uri, device.language, device.source, device.identityQuality, device.identityNote, device.profileId, device.makeAndModel, known.id);
      }
      const printer = this.remember(this.sql.byId.get(known.id) as PrinterRow, device.profile, { appIdFixed: false, statusQuery: 'auto' });
      return { printer, outcome: !before ? 'returned' : changed ? 'changed' : 'same' };
    }
    const base = slugify(device.name);
    let id = base;
    for (let n = 2; this.sql.idTaken.get(id) !== undefined; n += 1) id = `${base}-${n}`;
    this.deps.groups.ensure(device.groupPath);
    this.sql.insertDiscovered.run(
      id, device.name, device.groupPath, newAppId(), device.uri, device.language, device.source, this.deps.now().toISOString(),
      device.identity, device.identityQuality, device.identityNote, device.profileId, device.makeAndModel,
    );
    const printer = this.remember(this.sql.byId.get(id) as PrinterRow, device.profile, { appIdFixed: false, statusQuery: 'auto' });
    return { printer, outcome: 'new' };
  }

  /** A technician forgot a discovered printer: it is removed and its identity ignored until unforgotten. */
  forget(id: string): Printer | undefined {
    const printer = this.printers.get(id);
    if (!printer || printer.source === 'config' || printer.source === 'cloudprnt') return undefined;
    if (printer.identity) this.sql.forget.run(printer.identity, this.deps.now().toISOString());
    this.printers.delete(id);
    this.statuses.delete(id);
    this.sql.removeAny.run(id);
    return printer;
  }

  /** Lets discovery add a forgotten device again. */
  unforget(identity: string): boolean {
    return this.sql.unforget.run(identity).changes === 1;
  }

  /** The printer discovery knows by this identity, if any. */
  byIdentity(identity: string): Printer | undefined {
    return this.list().find((printer) => printer.identity === identity);
  }

  /** True when a run-time printer with this source and URI is kept in the database (not deleted). */
  hasRuntime(source: PrinterSource, uri: string): boolean {
    return this.sql.bySourceUri.get(source, uri) !== undefined;
  }

  private remember(row: PrinterRow, profile: PrinterProfile, extra: Pick<Printer, 'appIdFixed' | 'statusQuery'>): Printer {
    const printer: Printer = Object.freeze({
      id: row.id,
      name: row.name,
      groupPath: row.group_path,
      appId: row.app_id,
      uri: row.uri,
      language: this.deps.languages.resolve(row.language, profile, row.uri),
      languageSetting: row.language,
      source: row.source,
      profile,
      uuid: printerUuid(row.id),
      identity: row.identity,
      identityQuality: row.identity_quality,
      identityNote: row.identity_note,
      makeAndModel: row.make_and_model,
      createdAt: row.created_at,
      ...extra,
    });
    this.printers.set(printer.id, printer);
    if (!this.statuses.has(printer.id)) {
      this.statuses.set(printer.id, { state: 'idle', reasons: [], lastSeenAt: row.last_seen_at, lastError: null });
    }
    return printer;
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

  /** Changes a printer's live status and tells listeners when its state or reasons changed. */
  updateStatus(id: string, change: Partial<PrinterStatus>): void {
    const printer = this.printers.get(id);
    if (!printer) return;
    const before = this.status(id);
    const after: PrinterStatus = { ...before, ...change };
    this.statuses.set(id, after);
    if (change.lastSeenAt) this.persistLastSeen(id, change.lastSeenAt);
    for (const listener of this.changeListeners) listener(id, change);
    const changed = before.state !== after.state || before.reasons.join() !== after.reasons.join();
    if (changed) for (const listener of this.statusListeners) listener(printer, after);
  }

  private persistLastSeen(id: string, lastSeenAt: string, force = false): void {
    const nowMs = this.deps.now().getTime();
    const written = this.lastSeenWritten.get(id);
    if (!force && written !== undefined && nowMs - written < LAST_SEEN_WRITE_MS) return;
    this.lastSeenWritten.set(id, nowMs);
    try {
      this.sql.lastSeen.run(lastSeenAt, id);
    } catch {
      // Bookkeeping: a full or busy disk must not stop a printer; the next write catches up.
    }
  }

  /** Writes every printer's lastSeenAt (at shutdown). */
  flushLastSeen(): void {
    for (const [id, status] of this.statuses) if (status.lastSeenAt) this.persistLastSeen(id, status.lastSeenAt, true);
  }

  /** Star's GenerateNewAccessID: a fresh appId, kept in the database. */
  renewAppId(id: string): Printer | undefined {
    const printer = this.printers.get(id);
    if (!printer) return undefined;
    const renewed = Object.freeze({ ...printer, appId: newAppId() });
    this.sql.appId.run(renewed.appId, id);
    this.printers.set(id, renewed);
    return renewed;
  }

  /** Star's DELETE device: gone until it is configured or discovered again (a config printer returns at the next start). */
  remove(id: string): boolean {
    if (!this.printers.delete(id)) return false;
    this.statuses.delete(id);
    this.sql.remove.run(id);
    return true;
  }

  /** Every updateStatus call, with the change as asked (also when nothing a listener of onStatusChange sees changed). */
  onUpdate(listener: StatusChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onStatusChange(listener: PrinterListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
}
