import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import { normalizePermissions } from '../keys/permissions.js';
import { isRevoked, isUpserted, type CloudFeed, type KeyRevokedEvent, type KeyUpsertedEvent } from './cloud-feed.js';
import type { CloudSyncStore, PersistedSyncState } from './cloud-sync-store.js';

/** What one applied feed changed, for the log and for listeners (open streams of revoked keys). */
export interface ApplyResult {
  upserted: number;
  /** Ids of api_keys rows (cloud or local) this feed revoked. */
  revokedKeyIds: string[];
  /** Ids of cloud keys a snapshot no longer listed, now deleted. */
  removedKeyIds: string[];
  /** Upserts refused: revoked before, or their sha256 already belongs to another key. */
  skipped: number;
  unknownPermissions: string[];
}

export interface CloudKeyWriterDeps {
  db: Db;
  store: CloudSyncStore;
  now: () => Date;
}

const GROUP_PATH = /^[a-z0-9_-]{1,64}$/;
/** Feeds from this many events apply with a larger page cache (see apply). */
const BIG_FEED_EVENTS = 5000;
/** The sha256 index, which a feed adding mostly new keys builds once at its end (migration 12). */
const SHA_INDEX = 'api_keys_by_sha256';
const CREATE_SHA_INDEX = `CREATE UNIQUE INDEX ${SHA_INDEX} ON api_keys (sha256)`;
const CACHE_BYTES_PER_EVENT = 640;
const MAX_CACHE_KIB = 64 * 1024;
const CLOUD_HINT = '(cloud)';
const KEY_COLUMNS = 'id, sha256, source, revoked_at, name, permissions, groups_json, expires_at, disabled';

interface KeyRow {
  id: string;
  sha256: string;
  source: 'local' | 'cloud';
  revoked_at: string | null;
  name: string;
  permissions: string;
  groups_json: string;
  expires_at: string | null;
  disabled: number;
}

/**
 * The keys a big feed is checked against, read in one scan instead of one query per event, and
 * kept current as the feed is applied (a snapshot may name a key twice).
 */
class KeyIndex {
  private readonly byId = new Map<string, KeyRow>();
  private readonly bySha = new Map<string, KeyRow>();

  constructor(rows: Iterable<KeyRow>) {
    for (const row of rows) this.put(row);
  }

  get size(): number {
    return this.byId.size;
  }

  byKeyId(id: string): KeyRow | undefined {
    return this.byId.get(id);
  }

  bySha256(sha256: string): KeyRow | undefined {
    return this.bySha.get(sha256);
  }

  /** Ids of the cloud keys that are not revoked. */
  liveCloudIds(): string[] {
    const ids: string[] = [];
    for (const row of this.byId.values()) if (row.source === 'cloud' && row.revoked_at === null) ids.push(row.id);
    return ids;
  }

  find(id: string, sha256: string): KeyRow[] {
    const byId = this.byId.get(id);
    const bySha = this.bySha.get(sha256);
    return byId && bySha && byId !== bySha ? [byId, bySha] : byId ? [byId] : bySha ? [bySha] : [];
  }

  put(row: KeyRow): void {
    const old = this.byId.get(row.id);
    if (old && this.bySha.get(old.sha256) === old) this.bySha.delete(old.sha256);
    this.byId.set(row.id, row);
    this.bySha.set(row.sha256, row);
  }
}

function listedKeyIds(feed: CloudFeed): Set<string> {
  const listed = new Set<string>();
  for (const event of feed.events) if (isUpserted(event)) listed.add(event.keyId);
  return listed;
}

/**
 * A map key for a list of names: a single name as it is (the common case), else the list's JSON. A
 * JSON array starts with "[", so a single name that does too is keyed by its JSON as well.
 */
function listKey(names: readonly string[]): string {
  const only = names.length === 1 ? names[0]! : undefined;
  return only !== undefined && !only.startsWith('[') ? only : JSON.stringify(names);
}

function isoOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** A feed's permissions and groups, normalised once per distinct list (a snapshot repeats a few lists). */
interface Normalised {
  permissionsJson: string;
  unknown: readonly string[];
}

/**
 * Cloud-specific SQL on api_keys and cloud_revocations. A feed is applied in one transaction
 * together with its new position, so a crash leaves either all of it or none of it.
 * Revocations are permanent: they are kept in cloud_revocations (by sha256 and by keyId) even for
 * keys this gateway never saw, and a later upsert of a revoked key never revives it.
 */
export class CloudKeyWriter {
  private readonly sql: Record<string, Statement>;
  private readonly revokedBySha = new Map<string, string>();
  private readonly revokedById = new Map<string, string>();
  /** Set for the length of one big apply. */
  private index: KeyIndex | null = null;
  /** For the length of one apply: its clock reading, and the lists it normalised. */
  private appliedAt = '';
  private readonly permissionLists = new Map<string, Normalised>();
  private readonly groupLists = new Map<string, string>();

  constructor(private readonly deps: CloudKeyWriterDeps) {
    const db = deps.db;
    this.sql = {
      byId: db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`),
      bySha: db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE sha256 = ?`),
      byIdOrSha: db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ? OR sha256 = ?`),
      allKeys: db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys`),
      allRevocations: db.prepare('SELECT sha256, key_id, revoked_at FROM cloud_revocations'),
      revocationByIdOnly: db.prepare('SELECT 1 FROM cloud_revocations WHERE key_id = ? AND sha256 IS NULL LIMIT 1'),
      addRevocation: db.prepare('INSERT OR IGNORE INTO cloud_revocations (sha256, key_id, revoked_at, seq) VALUES (?, ?, ?, ?)'),
      insertKey: db.prepare(
        `INSERT INTO api_keys (id, sha256, hint, name, description, permissions, groups_json, source, created_at, expires_at, disabled, revoked_at)
         VALUES (?, ?, ?, ?, '', ?, ?, 'cloud', ?, ?, ?, ?)`,
      ),
      updateKey: db.prepare(
        `UPDATE api_keys SET sha256 = ?, name = ?, permissions = ?, groups_json = ?, expires_at = ?, disabled = ?
         WHERE id = ? AND source = 'cloud' AND revoked_at IS NULL`,
      ),
      revokeKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      liveCloudIds: db.prepare("SELECT id FROM api_keys WHERE source = 'cloud' AND revoked_at IS NULL"),
      deleteKey: db.prepare("DELETE FROM api_keys WHERE id = ? AND source = 'cloud'"),
    };
  }

  /** Applies a checked feed and records `next` as the new position, all in one transaction. */
  apply(feed: CloudFeed, next: PersistedSyncState): ApplyResult {
    // A big snapshot inserts into three B-trees at random places: with SQLite's default 2 MB page
    // cache that thrashes (100,000 keys: 5 s instead of 3). The cache grows for this one
    // transaction only, then goes back to what it was, so a Pi does not keep the memory.
    if (feed.events.length < BIG_FEED_EVENTS) return this.applyInTransaction(feed, next);
    const previous = this.deps.db.pragma('cache_size', { simple: true }) as number;
    const kib = Math.min(MAX_CACHE_KIB, Math.ceil((feed.events.length * CACHE_BYTES_PER_EVENT) / 1024));
    this.deps.db.pragma(`cache_size = -${kib}`);
    try {
      return this.applyInTransaction(feed, next);
    } finally {
      this.deps.db.pragma(`cache_size = ${previous}`);
    }
  }

  private applyInTransaction(feed: CloudFeed, next: PersistedSyncState): ApplyResult {
    return this.deps.db.transaction(() => {
      this.loadRevocations();
      this.appliedAt = this.deps.now().toISOString();
      this.index = feed.events.length >= BIG_FEED_EVENTS ? new KeyIndex(this.sql.allKeys!.iterate() as Iterable<KeyRow>) : null;
      // Keys inserted in random sha256 order cost the unique index a page split every few rows
      // (100,000 keys: ~0.3-0.5 s of a 1.3 s insert here); built once at the end, it is a sort. Only
      // when the feed adds at least as many keys as the table holds, else rebuilding costs more. The
      // in-memory index already refuses a hash held twice; a duplicate would still fail CREATE UNIQUE
      // INDEX and roll the whole feed back (index included).
      const listed = listedKeyIds(feed);
      const rebuildShaIndex = this.index !== null && this.newKeys(listed, this.index) >= Math.max(BIG_FEED_EVENTS, this.index.size);
      if (rebuildShaIndex) this.deps.db.exec(`DROP INDEX ${SHA_INDEX}`);
      try {
        const result = this.applyEvents(feed, next, listed);
        if (rebuildShaIndex) this.deps.db.exec(CREATE_SHA_INDEX);
        return result;
      } finally {
        this.index = null;
        this.permissionLists.clear();
        this.groupLists.clear();
      }
    }).immediate();
  }

  /** How many of the keys a feed upserts the gateway does not hold. */
  private newKeys(listed: ReadonlySet<string>, index: KeyIndex): number {
    let count = 0;
    for (const id of listed) if (index.byKeyId(id) === undefined) count += 1;
    return count;
  }

  private applyEvents(feed: CloudFeed, next: PersistedSyncState, listed: ReadonlySet<string>): ApplyResult {
    const result: ApplyResult = { upserted: 0, revokedKeyIds: [], removedKeyIds: [], skipped: 0, unknownPermissions: [] };
    const unknown = new Set<string>();
    for (const event of feed.events) {
      if (isRevoked(event)) this.revoke(event, result);
      else if (isUpserted(event)) this.upsert(event, result, unknown);
    }
    if (feed.full && !feed.hasMore) {
      // A big feed's index is current with every write above: no second scan of the table.
      const live = this.index ? this.index.liveCloudIds() : (this.sql.liveCloudIds!.pluck().all() as string[]);
      for (const id of live) {
        if (listed.has(id)) continue;
        this.sql.deleteKey!.run(id);
        result.removedKeyIds.push(id);
      }
    }
    this.deps.store.save(next);
    result.unknownPermissions = [...unknown];
    return result;
  }

  /** Revocations are few next to keys: held in maps for the length of one apply. */
  private loadRevocations(): void {
    this.revokedBySha.clear();
    this.revokedById.clear();
    for (const row of this.sql.allRevocations!.iterate() as Iterable<{ sha256: string | null; key_id: string | null; revoked_at: string }>) {
      this.remember(row.sha256, row.key_id, row.revoked_at);
    }
  }

  private remember(sha256: string | null, keyId: string | null, at: string): void {
    if (sha256 !== null && !this.revokedBySha.has(sha256)) this.revokedBySha.set(sha256, at);
    if (keyId !== null && !this.revokedById.has(keyId)) this.revokedById.set(keyId, at);
  }

  /** The revocation time recorded for this sha256 or keyId, or null. */
  private revokedAt(sha256: string | null, keyId: string | null): string | null {
    return (sha256 !== null ? this.revokedBySha.get(sha256) : undefined) ?? (keyId !== null ? this.revokedById.get(keyId) : undefined) ?? null;
  }

  private revoke(event: KeyRevokedEvent, result: ApplyResult): void {
    const at = isoOrNull(event.revokedAt) ?? this.deps.now().toISOString();
    const keyId = event.keyId ?? null;
    const rows: KeyRow[] = [];
    if (event.sha256) {
      // A big feed asks the in-memory index (the sha256 index may be mid-rebuild).
      const row = this.index ? this.index.bySha256(event.sha256) : (this.sql.bySha!.get(event.sha256) as KeyRow | undefined);
      if (row) rows.push(row);
    }
    if (keyId) {
      const row = this.index ? this.index.byKeyId(keyId) : (this.sql.byId!.get(keyId) as KeyRow | undefined);
      if (row && !rows.some((known) => known.id === row.id)) rows.push(row);
    }
    // Remember the hash too when only the keyId was sent, so the revocation outlives a purge.
    const shas = new Set<string>(event.sha256 ? [event.sha256] : []);
    for (const row of rows) if (keyId !== null && row.id === keyId) shas.add(row.sha256);
    for (const sha of shas) this.sql.addRevocation!.run(sha, keyId, at, event.seq);
    if (shas.size === 0 && keyId !== null && !this.sql.revocationByIdOnly!.get(keyId)) {
      this.sql.addRevocation!.run(null, keyId, at, event.seq);
    }
    for (const sha of shas) this.remember(sha, keyId, at);
    this.remember(null, keyId, at);
    if (rows.length === 0 && keyId !== null && event.sha256) {
      // A cloud key revoked before this gateway saw it: list it (revoked) for audit and TOKEN_REVOKED.
      this.sql.insertKey!.run(keyId, event.sha256, CLOUD_HINT, keyId, '[]', '[]', this.appliedAt, null, 0, at);
      this.index?.put({ id: keyId, sha256: event.sha256, source: 'cloud', revoked_at: at, name: keyId, permissions: '[]', groups_json: '[]', expires_at: null, disabled: 0 });
      return;
    }
    for (const row of rows) {
      if (row.revoked_at !== null) continue;
      this.sql.revokeKey!.run(at, row.id);
      this.index?.put({ ...row, revoked_at: at });
      result.revokedKeyIds.push(row.id);
    }
  }

  private permissionsOf(names: readonly string[], unknown: Set<string>): string {
    const key = listKey(names);
    let normalised = this.permissionLists.get(key);
    if (normalised === undefined) {
      const { permissions, unknown: notKnown } = normalizePermissions(names);
      normalised = { permissionsJson: JSON.stringify(permissions), unknown: notKnown };
      this.permissionLists.set(key, normalised);
    }
    for (const name of normalised.unknown) unknown.add(name);
    return normalised.permissionsJson;
  }

  private groupsOf(names: readonly string[] | null | undefined): string {
    if (!names || names.length === 0) return '[]';
    const key = listKey(names);
    let json = this.groupLists.get(key);
    if (json === undefined) {
      json = JSON.stringify([...new Set(names.filter((group) => GROUP_PATH.test(group)))]);
      this.groupLists.set(key, json);
    }
    return json;
  }

  private upsert(event: KeyUpsertedEvent, result: ApplyResult, unknown: Set<string>): void {
    const permissionsJson = this.permissionsOf(event.permissions, unknown);
    const groupsJson = this.groupsOf(event.groups);
    const name = (event.name ?? '').trim().slice(0, 100) || event.keyId;
    const expiresAt = isoOrNull(event.expiresAt);
    const disabled = event.disabled ? 1 : 0;
    const revokedAt = this.revokedAt(event.sha256, event.keyId);
    const found = this.index ? this.index.find(event.keyId, event.sha256) : (this.sql.byIdOrSha!.all(event.keyId, event.sha256) as KeyRow[]);
    const existing = found.find((row) => row.id === event.keyId);
    const holder = found.find((row) => row.sha256 === event.sha256);
    if (holder && holder.id !== event.keyId) {
      result.skipped += 1; // the hash belongs to another key (a local one, or another cloud id)
      return;
    }
    if (existing && existing.source !== 'cloud') {
      result.skipped += 1;
      return;
    }
    const row: KeyRow = { id: event.keyId, sha256: event.sha256, source: 'cloud', revoked_at: revokedAt, name, permissions: permissionsJson, groups_json: groupsJson, expires_at: expiresAt, disabled };
    if (!existing) {
      this.sql.insertKey!.run(event.keyId, event.sha256, CLOUD_HINT, name, permissionsJson, groupsJson, this.appliedAt, expiresAt, disabled, revokedAt);
      this.index?.put(row);
      if (revokedAt !== null) result.skipped += 1;
      else result.upserted += 1;
      return;
    }
    if (existing.revoked_at !== null || revokedAt !== null) {
      if (existing.revoked_at === null && revokedAt !== null) {
        this.sql.revokeKey!.run(revokedAt, existing.id);
        this.index?.put({ ...existing, revoked_at: revokedAt });
        result.revokedKeyIds.push(existing.id);
      }
      result.skipped += 1;
      return;
    }
    // A snapshot mostly repeats what the gateway holds: an unchanged key costs no write.
    const same =
      existing.sha256 === row.sha256 && existing.name === name && existing.permissions === permissionsJson && existing.groups_json === groupsJson && existing.expires_at === expiresAt && existing.disabled === disabled;
    if (!same) {
      this.sql.updateKey!.run(event.sha256, name, permissionsJson, groupsJson, expiresAt, disabled, event.keyId);
      this.index?.put(row);
    }
    result.upserted += 1;
  }
}
