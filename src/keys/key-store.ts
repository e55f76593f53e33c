import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import { AppError } from '../errors/app-error.js';
import { hashKey, keyHint, mintLocalKey, newKeyId } from './key-format.js';
import { normalizePermissions, type Permission } from './permissions.js';

export type KeySource = 'local' | 'cloud';
export type KeyState = 'active' | 'disabled' | 'expired' | 'revoked';

/** A key as stored: never the key itself, only its SHA-256 and a display hint. */
export interface KeyRecord {
  id: string;
  name: string;
  description: string;
  hint: string;
  permissions: Permission[];
  groups: string[];
  source: KeySource;
  createdAt: string;
  expiresAt: string | null;
  disabled: boolean;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreateKeyInput {
  name: string;
  description?: string | undefined;
  permissions: readonly string[];
  groups?: readonly string[] | undefined;
  expiresAt?: string | null | undefined;
}

export interface EditKeyInput {
  name?: string | undefined;
  description?: string | undefined;
  permissions?: readonly string[] | undefined;
  groups?: readonly string[] | undefined;
  expiresAt?: string | null | undefined;
  /** Switch off (true) or back on (false) in the same change. */
  disabled?: boolean | undefined;
}

interface KeyRow {
  id: string;
  sha256: string;
  hint: string;
  name: string;
  description: string;
  permissions: string;
  groups_json: string;
  source: KeySource;
  created_at: string;
  expires_at: string | null;
  disabled: number;
  revoked_at: string | null;
  last_used_at: string | null;
}

const LAST_USED_INTERVAL_MS = 60_000;
const GROUP_PATH = /^[a-z0-9_-]{1,64}$/;

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    hint: row.hint,
    permissions: JSON.parse(row.permissions) as Permission[],
    groups: JSON.parse(row.groups_json) as string[],
    source: row.source,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    disabled: row.disabled === 1,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function keyState(record: KeyRecord, now: Date): KeyState {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) return 'expired';
  if (record.disabled) return 'disabled';
  return 'active';
}

function checkDescription(description: string): string {
  if (description.length > 500) {
    throw new AppError('BAD_REQUEST', 'description: must be at most 500 characters', { details: { field: 'description' } });
  }
  return description;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) {
    throw new AppError('BAD_REQUEST', 'name: must be 1 to 100 characters', { details: { field: 'name' } });
  }
  return trimmed;
}

function checkPermissions(names: readonly string[]): Permission[] {
  const { permissions, unknown } = normalizePermissions(names);
  if (unknown.length > 0) {
    throw new AppError('BAD_REQUEST', `permissions: unknown permission(s) ${unknown.join(', ')} (see keys permissions)`, { details: { field: 'permissions' } });
  }
  return permissions;
}

function checkGroups(groups: readonly string[]): string[] {
  const bad = groups.filter((group) => !GROUP_PATH.test(group));
  if (bad.length > 0) {
    throw new AppError('BAD_REQUEST', `groups: invalid group MatchPath(s) ${bad.map((group) => JSON.stringify(group.slice(0, 64))).join(', ')}: use 1-64 of a-z 0-9 - _`, { details: { field: 'groups' } });
  }
  return [...new Set(groups)];
}

function checkExpiry(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new AppError('BAD_REQUEST', `expires: must be an ISO 8601 date-time, got "${value.slice(0, 64)}"`, { details: { field: 'expires' } });
  }
  return new Date(time).toISOString();
}

export interface KeyStoreDeps {
  db: Db;
  now: () => Date;
}

/**
 * SQL for API keys. Lookups go to the database on every request (an indexed read of a few
 * microseconds), so a change made by another process — `keys revoke` from the CLI — is seen on
 * the very next request: there is no cache to outlive it. The lookup is by SHA-256 through the
 * unique index; the presented key is never compared with anything, so there is no comparison to
 * time.
 */
export class KeyStore {
  private readonly db: Db;
  private readonly now: () => Date;
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly byHash: Statement<[string], KeyRow>;
  private readonly byId: Statement<[string], KeyRow>;
  private readonly touchRow: Statement<[string, string, string]>;

  constructor(deps: KeyStoreDeps) {
    this.db = deps.db;
    this.now = deps.now;
    // Prepared once: the per-request lookup is the hot path of every authenticated request.
    this.byHash = this.db.prepare('SELECT * FROM api_keys WHERE sha256 = ?');
    this.byId = this.db.prepare('SELECT * FROM api_keys WHERE id = ?');
    this.touchRow = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)');
  }

  /** Mints a local key. The returned `key` is the only time it exists outside the caller. */
  create(input: CreateKeyInput): { record: KeyRecord; key: string } {
    const key = mintLocalKey();
    const record = this.insert(key, input, 'local');
    return { record, key };
  }

  /** Stores a key whose hash is known (cloud sync) or a given key (tests, imports). */
  insert(key: string, input: CreateKeyInput, source: KeySource): KeyRecord {
    return this.insertHashed(hashKey(key), keyHint(key), input, source, newKeyId());
  }

  insertHashed(sha256: string, hint: string, input: CreateKeyInput, source: KeySource, id: string): KeyRecord {
    const name = checkName(input.name);
    const permissions = checkPermissions(input.permissions);
    const groups = checkGroups(input.groups ?? []);
    const expiresAt = checkExpiry(input.expiresAt);
    const description = checkDescription(input.description ?? '');
    this.db
      .prepare(
        `INSERT INTO api_keys (id, sha256, hint, name, description, permissions, groups_json, source, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, sha256, hint, name, description, JSON.stringify(permissions), JSON.stringify(groups), source, this.now().toISOString(), expiresAt);
    return this.require(id);
  }

  findByHash(sha256: string): KeyRecord | null {
    const row = this.byHash.get(sha256);
    return row ? toRecord(row) : null;
  }

  get(id: string): KeyRecord | null {
    const row = this.byId.get(id);
    return row ? toRecord(row) : null;
  }

  require(id: string): KeyRecord {
    const record = this.get(id);
    if (!record) throw new AppError('NOT_FOUND', `no key with id ${id}`);
    return record;
  }

  list(): KeyRecord[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as KeyRow[]).map(toRecord);
  }

  edit(id: string, input: EditKeyInput): KeyRecord {
    const current = this.require(id);
    if (current.revokedAt !== null) throw new AppError('CONFLICT', `key ${id} is revoked and cannot be changed`);
    const name = input.name === undefined ? current.name : checkName(input.name);
    const description = input.description === undefined ? current.description : checkDescription(input.description);
    const permissions = input.permissions === undefined ? current.permissions : checkPermissions(input.permissions);
    const groups = input.groups === undefined ? current.groups : checkGroups(input.groups);
    const expiresAt = input.expiresAt === undefined ? current.expiresAt : checkExpiry(input.expiresAt);
    if (current.source === 'cloud' && (input.permissions !== undefined || input.groups !== undefined)) {
      throw new AppError('CONFLICT', `key ${id} comes from the cloud: change its permissions in the cloud portal`);
    }
    const disabled = input.disabled === undefined ? current.disabled : input.disabled;
    this.db
      .prepare('UPDATE api_keys SET name = ?, description = ?, permissions = ?, groups_json = ?, expires_at = ?, disabled = ? WHERE id = ? AND revoked_at IS NULL')
      .run(name, description, JSON.stringify(permissions), JSON.stringify(groups), expiresAt, disabled ? 1 : 0, id);
    return this.require(id);
  }

  setDisabled(id: string, disabled: boolean): KeyRecord {
    const current = this.require(id);
    if (current.revokedAt !== null) throw new AppError('CONFLICT', `key ${id} is revoked; revocation is permanent`);
    this.db.prepare('UPDATE api_keys SET disabled = ? WHERE id = ? AND revoked_at IS NULL').run(disabled ? 1 : 0, id);
    return this.require(id);
  }

  /** Permanent. Revoking twice keeps the first time. */
  revoke(id: string): KeyRecord {
    this.require(id);
    this.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(this.now().toISOString(), id);
    return this.require(id);
  }

  /**
   * Removes revoked and expired keys older than `before` (by revocation or expiry time). A purged
   * revocation leaves its hash and id in cloud_revocations, so that a cloud still listing the key
   * cannot bring it back: revocation stays permanent after the audit record is gone.
   */
  purge(before: Date): number {
    const cutoff = before.toISOString();
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR IGNORE INTO cloud_revocations (sha256, key_id, revoked_at, seq)
           SELECT sha256, id, revoked_at, 0 FROM api_keys WHERE revoked_at IS NOT NULL AND revoked_at < ?`,
        )
        .run(cutoff);
      return this.db
        .prepare(
          `DELETE FROM api_keys WHERE (revoked_at IS NOT NULL AND revoked_at < ?)
             OR (revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at < ?)`,
        )
        .run(cutoff, cutoff).changes;
    })();
  }

  /** Records use, at most once a minute per key (SD cards wear out). */
  touch(id: string): void {
    const nowMs = this.now().getTime();
    const last = this.lastUsedWritten.get(id);
    if (last !== undefined && nowMs - last < LAST_USED_INTERVAL_MS) return;
    this.lastUsedWritten.set(id, nowMs);
    const nowIso = new Date(nowMs).toISOString();
    const threshold = new Date(nowMs - LAST_USED_INTERVAL_MS).toISOString();
    this.touchRow.run(nowIso, id, threshold);
  }
}
