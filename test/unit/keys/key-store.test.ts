import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { hashKey } from '../../../src/keys/key-format.js';
import { KeyStore, keyState } from '../../../src/keys/key-store.js';

describe('KeyStore', () => {
  let dir: string;
  let db: Db;
  let now: Date;
  let store: KeyStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-keystore-'));
    db = openDatabase({ dataDir: dir });
    now = new Date('2030-01-01T00:00:00.000Z');
    store = new KeyStore({ db, now: () => now });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the sha256 and a hint, never the key', () => {
    const { record, key } = store.create({ name: ' POS ', permissions: ['jobs:write'] });
    expect(record).toMatchObject({ name: 'POS', permissions: ['PrintToDevice'], groups: [], source: 'local', disabled: false, revokedAt: null, lastUsedAt: null });
    const row = db.prepare('SELECT * FROM api_keys WHERE id = ?').get(record.id) as Record<string, unknown>;
    expect(row.sha256).toBe(hashKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(9));
    expect(store.findByHash(hashKey(key))?.id).toBe(record.id);
  });

  it('refuses bad input naming the field', () => {
    expect(() => store.create({ name: '', permissions: ['ViewJobs'] })).toThrow(/^name:/);
    expect(() => store.create({ name: 'a', permissions: ['Nope'] })).toThrow(/^permissions:.*Nope/);
    expect(() => store.create({ name: 'a', permissions: ['ViewJobs'], groups: ['UPPER'] })).toThrow(/^groups:/);
    expect(() => store.create({ name: 'a', permissions: ['ViewJobs'], expiresAt: 'soon' })).toThrow(/^expires:/);
  });

  it('derives the state: revoked over expired over disabled; expired exactly at the instant', () => {
    const { record } = store.create({ name: 'a', permissions: ['ViewJobs'], expiresAt: '2030-01-01T00:01:00Z' });
    expect(keyState(record, new Date('2030-01-01T00:00:59.999Z'))).toBe('active');
    expect(keyState(record, new Date('2030-01-01T00:01:00.000Z'))).toBe('expired');
    const disabled = store.setDisabled(record.id, true);
    expect(keyState(disabled, now)).toBe('disabled');
    expect(keyState(store.revoke(record.id), now)).toBe('revoked');
  });

  it('edits, disables and enables; a revoked key is permanent', () => {
    const { record } = store.create({ name: 'a', permissions: ['ViewJobs'] });
    const edited = store.edit(record.id, { name: 'b', description: 'd', permissions: ['printers:read'], groups: ['store1'], expiresAt: '2031-01-01T00:00:00Z', disabled: true });
    expect(edited).toMatchObject({ name: 'b', description: 'd', permissions: ['EnumDevices', 'ViewDevice'], groups: ['store1'], expiresAt: '2031-01-01T00:00:00.000Z', disabled: true });
    expect(store.edit(record.id, { expiresAt: null, disabled: false })).toMatchObject({ expiresAt: null, disabled: false, name: 'b' });
    const revoked = store.revoke(record.id);
    now = new Date('2030-01-02T00:00:00.000Z');
    expect(store.revoke(record.id).revokedAt).toBe(revoked.revokedAt);
    expect(() => store.setDisabled(record.id, false)).toThrow(/revoked/);
    expect(() => store.edit(record.id, { name: 'c' })).toThrow(/revoked/);
    expect(() => store.revoke('key_missing')).toThrow(/no key/);
  });

  it('keeps the permissions and groups of cloud keys for the cloud to change', () => {
    const record = store.insert('6800ffd6-2367-4c8d-b067-d6a28151276a', { name: 'cloud', permissions: ['ViewJobs'] }, 'cloud');
    expect(record.hint).toBe('…276a');
    expect(() => store.edit(record.id, { permissions: ['ManageKeys'] })).toThrow(/cloud/);
    expect(() => store.edit(record.id, { groups: ['store1'] })).toThrow(/cloud/);
    expect(store.edit(record.id, { name: 'renamed' }).name).toBe('renamed');
    expect(keyState(store.revoke(record.id), now)).toBe('revoked');
  });

  it('writes lastUsed at most once a minute per key, across store instances too', () => {
    const { record } = store.create({ name: 'a', permissions: ['ViewJobs'] });
    store.touch(record.id);
    expect(store.get(record.id)?.lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
    now = new Date('2030-01-01T00:00:59.000Z');
    store.touch(record.id);
    new KeyStore({ db, now: () => now }).touch(record.id);
    expect(store.get(record.id)?.lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
    now = new Date('2030-01-01T00:01:00.000Z');
    store.touch(record.id);
    expect(store.get(record.id)?.lastUsedAt).toBe('2030-01-01T00:01:00.000Z');
  });

  it('purges only revoked and expired keys older than the cutoff', () => {
    const old = store.create({ name: 'old', permissions: ['ViewJobs'] }).record;
    store.revoke(old.id);
    const expired = store.create({ name: 'exp', permissions: ['ViewJobs'], expiresAt: '2029-06-01T00:00:00Z' }).record;
    const live = store.create({ name: 'live', permissions: ['ViewJobs'] }).record;
    now = new Date('2030-03-01T00:00:00.000Z');
    const recent = store.create({ name: 'recent', permissions: ['ViewJobs'] }).record;
    store.revoke(recent.id);
    expect(store.purge(new Date('2030-02-01T00:00:00.000Z'))).toBe(2);
    expect(store.list().map((k) => k.id).sort()).toEqual([live.id, recent.id].sort());
    expect(store.get(expired.id)).toBeNull();
  });
});
