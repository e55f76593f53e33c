import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudFeedSchema, type CloudFeed } from '../../../src/cloud/cloud-feed.js';
import { CloudKeyWriter } from '../../../src/cloud/cloud-key-writer.js';
import { CloudSyncStore } from '../../../src/cloud/cloud-sync-store.js';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { hashKey } from '../../../src/keys/key-format.js';
import { KeyStore } from '../../../src/keys/key-store.js';

/** The application of checked feeds to a real SQLite database: one transaction, permanent revocations. */

const sha = (n: number): string => n.toString(16).padStart(64, '0');

type Event = Record<string, unknown> & { type: 'key.upserted' | 'key.revoked' };

function feedOf(events: Event[], options: { full?: boolean; from?: number } = {}): CloudFeed {
  const from = options.from ?? 1;
  return cloudFeedSchema.parse({
    gatewayId: 'gw-1',
    issuedAt: '2030-01-01T00:00:00Z',
    full: options.full ?? false,
    from,
    to: from + events.length - 1,
    events: events.map((event, index) => ({ seq: from + index, ...event })),
    hasMore: false,
  });
}

const upsert = (keyId: string, n: number, extra: Record<string, unknown> = {}): Event => ({
  type: 'key.upserted',
  keyId,
  sha256: sha(n),
  name: keyId,
  permissions: ['ViewJobs'],
  ...extra,
});
const revoke = (keyId: string | null, n: number | null): Event => ({ type: 'key.revoked', keyId, sha256: n === null ? null : sha(n), revokedAt: '2030-01-01T00:00:00Z' });

describe('CloudKeyWriter', () => {
  let dir: string;
  let db: Db;
  let store: CloudSyncStore;
  let writer: CloudKeyWriter;
  let keys: KeyStore;
  const now = () => new Date('2030-01-01T00:00:00.000Z');
  const position = (seq: number) => ({ appliedSeq: seq, issuedAt: '2030-01-01T00:00:00Z', lastSuccessAt: '2030-01-01T00:00:00.000Z' });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-cloud-writer-'));
    db = openDatabase({ dataDir: dir });
    store = new CloudSyncStore({ db, cloudUrl: 'http://cloud/', gatewayId: 'gw-1' });
    writer = new CloudKeyWriter({ db, store, now });
    keys = new KeyStore({ db, now });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a feed and its new position in one transaction: a failure half-way leaves nothing', () => {
    writer.apply(feedOf([upsert('ck_a', 1)]), position(1));
    // A real failure inside the transaction, after some events were written.
    db.exec(`CREATE TEMP TRIGGER refuse_ck_boom BEFORE INSERT ON api_keys WHEN NEW.id = 'ck_boom'
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const feed = feedOf([revoke('ck_a', 1), upsert('ck_b', 2), upsert('ck_boom', 3)], { from: 2 });
    expect(() => writer.apply(feed, position(4))).toThrow(/disk says no/);
    expect(keys.get('ck_a')).toMatchObject({ revokedAt: null, source: 'cloud' });
    expect(keys.get('ck_b')).toBeNull();
    expect(store.load().appliedSeq).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM cloud_revocations').get()).toEqual({ n: 0 });
  });

  it('keeps revocations permanent, by keyId and by sha256, even across a later upsert or snapshot', () => {
    writer.apply(feedOf([upsert('ck_a', 1), upsert('ck_b', 2), revoke('ck_a', null), revoke(null, 2)]), position(4));
    expect(keys.get('ck_a')?.revokedAt).not.toBeNull();
    expect(keys.get('ck_b')?.revokedAt).not.toBeNull();
    const result = writer.apply(feedOf([upsert('ck_a', 1), upsert('ck_other_id', 2), upsert('ck_a', 9)], { from: 5 }), position(7));
    expect(result.upserted).toBe(0);
    expect(keys.get('ck_a')?.revokedAt).not.toBeNull();
    expect(keys.findByHash(sha(2))?.revokedAt).not.toBeNull();
    expect(keys.get('ck_other_id')).toBeNull();
    writer.apply(feedOf([upsert('ck_a', 1), upsert('ck_c', 3)], { full: true }), position(8));
    expect(keys.get('ck_a')?.revokedAt).not.toBeNull();
    expect(keys.get('ck_c')?.revokedAt).toBeNull();
  });

  it('a snapshot removes live cloud keys it does not list, keeps local keys and revoked ones', () => {
    const local = keys.create({ name: 'local', permissions: ['ViewJobs'] }).record;
    writer.apply(feedOf([upsert('ck_a', 1), upsert('ck_b', 2), upsert('ck_c', 3), revoke('ck_c', 3)]), position(4));
    const result = writer.apply(feedOf([upsert('ck_a', 1)], { full: true }), position(5));
    expect(result.removedKeyIds).toEqual(['ck_b']);
    expect(keys.get('ck_a')).not.toBeNull();
    expect(keys.get('ck_b')).toBeNull();
    expect(keys.get('ck_c')?.revokedAt).not.toBeNull();
    expect(keys.get(local.id)).not.toBeNull();
  });

  it('a cloud key revoked locally and then purged is not revived by the cloud re-listing it', () => {
    writer.apply(feedOf([upsert('ck_a', 1)]), position(1));
    keys.revoke('ck_a');
    expect(keys.purge(new Date('2031-01-01T00:00:00.000Z'))).toBe(1);
    expect(keys.get('ck_a')).toBeNull();
    writer.apply(feedOf([upsert('ck_a', 1)], { full: true }), position(2));
    expect(keys.get('ck_a')?.revokedAt).not.toBeNull();
    // The same holds for a local key's hash the cloud might be told about.
    const local = keys.create({ name: 'leaked', permissions: ['ViewJobs'] });
    keys.revoke(local.record.id);
    keys.purge(new Date('2031-01-01T00:00:00.000Z'));
    writer.apply(feedOf([upsert('ck_leak', 0, { sha256: hashKey(local.key) })], { from: 3 }), position(3));
    expect(keys.findByHash(hashKey(local.key))?.revokedAt).not.toBeNull();
  });

  it('grows the page cache for a big feed only while applying it', () => {
    const before = db.pragma('cache_size', { simple: true });
    const events = Array.from({ length: 6000 }, (_, index) => upsert(`ck_${index}`, index + 1));
    writer.apply(feedOf(events, { full: true }), position(6000));
    expect(keys.get('ck_5999')).not.toBeNull();
    expect(db.pragma('cache_size', { simple: true })).toBe(before);
  });

  it('a big feed is checked against all keys read at once, with the same rules as a small one', () => {
    // A local key whose hash the cloud also names, a key the cloud revoked earlier, and one listed twice.
    const { record: local } = keys.create({ name: 'till', permissions: ['PrintToDevice'] });
    const localSha = (db.prepare('SELECT sha256 FROM api_keys WHERE id = ?').pluck().get(local.id) as string);
    writer.apply(feedOf([revoke('ck_7', 7 + 1)]), position(1));
    const events: Event[] = Array.from({ length: 6000 }, (_, index) => upsert(`ck_${index}`, index + 1));
    events.push({ type: 'key.upserted', keyId: 'thief', sha256: localSha, name: 'thief', permissions: ['ManageKeys'] });
    events.push(upsert('ck_1', 2, { name: 'renamed in the same feed' }));
    const result = writer.apply(feedOf(events, { full: true, from: 2 }), position(6003));
    expect(result.skipped).toBe(2); // the revoked ck_7 and the local hash
    expect(keys.get('ck_7')?.revokedAt).not.toBeNull();
    expect(keys.get('thief')).toBeNull();
    expect(keys.get(local.id)?.permissions).toEqual(['PrintToDevice']);
    expect(keys.get('ck_1')?.name).toBe('renamed in the same feed');
    expect(keys.get('ck_5999')).not.toBeNull();

    // The same snapshot again changes nothing, and writes nothing for the keys it repeats.
    const changesBefore = db.prepare('SELECT total_changes()').pluck().get() as number;
    const again = writer.apply(feedOf(events, { full: true, from: 6004 }), position(12005));
    const written = (db.prepare('SELECT total_changes()').pluck().get() as number) - changesBefore;
    expect(again.removedKeyIds).toEqual([]);
    expect(keys.get('ck_1')?.name).toBe('renamed in the same feed');
    expect(written).toBeLessThan(10); // the position, and the first ck_1 (renamed back, then again)
  });

  const shaIndex = (): { unique: number } | undefined =>
    (db.prepare('PRAGMA index_list(api_keys)').all() as { name: string; unique: number }[]).find((index) => index.name === 'api_keys_by_sha256');

  it('a big feed of new keys builds the sha256 index once at its end, with revocations inside it seen as at any other time', () => {
    const { record: local } = keys.create({ name: 'till', permissions: ['PrintToDevice'] });
    const localSha = db.prepare('SELECT sha256 FROM api_keys WHERE id = ?').pluck().get(local.id) as string;
    const events: Event[] = [];
    for (let index = 0; index < 6000; index += 1) {
      events.push(upsert(`ck_${index}`, index + 1, index % 2 === 0 ? { permissions: ['jobs:read', 'PrintToDevice'] } : { groups: ['store1', 'Not A Path'] }));
      // Revoked by hash alone, a moment after it was listed in the same feed.
      if (index === 10) events.push(revoke(null, index + 1));
    }
    events.push(revoke('ck_never_seen', 99_999)); // listed revoked, for TOKEN_REVOKED
    events.push({ type: 'key.upserted', keyId: 'thief', sha256: localSha, name: 'thief', permissions: ['ManageKeys'] });
    events.push(upsert('ck_bad_list', 90_000, { permissions: ['["ViewJobs"]'] })); // a name that looks like a list
    const result = writer.apply(feedOf(events, { full: true }), position(events.length));
    expect(result.upserted).toBe(6001); // ck_0 … ck_5999 and ck_bad_list (its unknown name ignored)
    expect(result.revokedKeyIds).toEqual(['ck_10']);
    expect(result.unknownPermissions).toEqual(['["ViewJobs"]']);
    expect(shaIndex()?.unique).toBe(1);
    expect(keys.findByHash(sha(11))?.revokedAt).not.toBeNull();
    expect(keys.findByHash(sha(99_999))).toMatchObject({ id: 'ck_never_seen', source: 'cloud' });
    expect(keys.findByHash(sha(99_999))?.revokedAt).not.toBeNull();
    expect(keys.findByHash(localSha)?.id).toBe(local.id);
    expect(keys.get('ck_0')?.permissions).toEqual(['PrintToDevice', 'ViewJobs']);
    expect(keys.get('ck_1')).toMatchObject({ permissions: ['ViewJobs'], groups: ['store1'] });
    expect(keys.get('ck_bad_list')?.permissions).toEqual([]);
    // The query plan of a key lookup uses the rebuilt index, not a scan of 6,000 rows.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM api_keys WHERE sha256 = ?').all(sha(1)) as { detail: string }[];
    expect(plan.map((step) => step.detail).join(' ')).toMatch(/USING INDEX api_keys_by_sha256/);

    // A second snapshot that lists half the keys removes the other half, the index kept as it is.
    const half = events.filter((event) => event.type === 'key.upserted' && Number(String(event.keyId).slice(3)) < 3000);
    const second = writer.apply(feedOf(half, { full: true, from: events.length + 1 }), position(events.length + half.length));
    expect(second.removedKeyIds).toHaveLength(3001); // ck_3000 … ck_5999 and ck_bad_list; the revoked ck_10 is kept
    expect(keys.get('ck_2999')).not.toBeNull();
    expect(keys.get('ck_3000')).toBeNull();
    expect(keys.get('ck_10')?.revokedAt).not.toBeNull();
    expect(shaIndex()?.unique).toBe(1);
  });

  it('a big feed that fails half-way leaves the keys and the sha256 index as they were', () => {
    writer.apply(feedOf([upsert('ck_a', 1)]), position(1));
    db.exec(`CREATE TEMP TRIGGER refuse_ck_boom BEFORE INSERT ON api_keys WHEN NEW.id = 'ck_boom'
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const events = Array.from({ length: 6000 }, (_, index) => upsert(`ck_${index}`, index + 2));
    events.push(upsert('ck_boom', 9_999_999));
    expect(() => writer.apply(feedOf(events, { from: 2 }), position(6002))).toThrow(/disk says no/);
    expect(shaIndex()?.unique).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get()).toBe(1);
    expect(store.load().appliedSeq).toBe(1);
  });
});
