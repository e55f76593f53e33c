import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { AppError } from '../../../src/errors/app-error.js';
import { Authenticator, canSeeGroup, extractKey, requirePermission } from '../../../src/keys/authenticator.js';
import { KeyStore } from '../../../src/keys/key-store.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
}

describe('extractKey', () => {
  it('takes Bearer first, then Star-Api-Key, then ?key=', () => {
    expect(extractKey({ authorization: 'Bearer a', starApiKey: 'b', queryKey: 'c' })).toBe('a');
    expect(extractKey({ authorization: 'bearer   a ', starApiKey: 'b' })).toBe('a');
    expect(extractKey({ authorization: 'Basic xyz', starApiKey: 'b', queryKey: 'c' })).toBe('b');
    expect(extractKey({ queryKey: 'c' })).toBe('c');
    expect(extractKey({ queryKey: ['c', 'd'] })).toBe('c');
    expect(extractKey({ queryKey: { nested: 'x' } })).toBe('');
    expect(extractKey({ authorization: 'Bearer' })).toBe('');
    expect(extractKey({ authorization: 'Basic xyz' })).toBeNull();
    expect(extractKey({})).toBeNull();
  });
});

describe('Authenticator', () => {
  let dir: string;
  let db: Db;
  let now: Date;
  let store: KeyStore;
  let auth: Authenticator;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-auth-'));
    db = openDatabase({ dataDir: dir });
    now = new Date('2030-01-01T00:00:00.000Z');
    store = new KeyStore({ db, now: () => now });
    auth = new Authenticator({ keys: store, now: () => now });
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses malformed keys without touching the database', () => {
    db.close();
    for (const bad of ['', 'x', `pgk_live_${'g'.repeat(64)}`, "' OR 1=1 --", 'a'.repeat(20_000)]) {
      expect(codeOf(() => auth.authenticate({ authorization: `Bearer ${bad}` }))).toBe('TOKEN_INVALID');
    }
    expect(codeOf(() => auth.authenticate({}))).toBe('UNAUTHORIZED');
    // A well-formed key does reach the (closed) database: the check above is meaningful.
    expect(() => auth.authenticate({ starApiKey: `pgk_live_${'0'.repeat(64)}` })).toThrow(/not open/);
  });

  it('gives the precise code for unknown, revoked, expired and disabled keys', () => {
    expect(codeOf(() => auth.authenticate({ starApiKey: `pgk_live_${'0'.repeat(64)}` }))).toBe('TOKEN_INVALID');
    const { record, key } = store.create({ name: 'a', permissions: ['ViewJobs'], expiresAt: '2030-01-01T00:01:00Z' });
    expect(auth.authenticate({ queryKey: key }).id).toBe(record.id);
    store.setDisabled(record.id, true);
    expect(codeOf(() => auth.authenticate({ queryKey: key }))).toBe('TOKEN_DISABLED');
    now = new Date('2030-01-01T00:01:00.000Z');
    expect(codeOf(() => auth.authenticate({ queryKey: key }))).toBe('TOKEN_EXPIRED');
    store.revoke(record.id);
    expect(codeOf(() => auth.authenticate({ queryKey: key }))).toBe('TOKEN_REVOKED');
    expect(codeOf(() => auth.revalidate(record.id))).toBe('TOKEN_REVOKED');
    expect(codeOf(() => auth.revalidate('key_gone'))).toBe('TOKEN_REVOKED');
  });

  it('runs extra checks on otherwise active keys', () => {
    const { key } = store.create({ name: 'a', permissions: ['ViewJobs'] });
    const strict = new Authenticator({
      keys: store,
      now: () => now,
      extraChecks: [
        () => {
          throw new AppError('TOKEN_INVALID', 'cloud sync is stale');
        },
      ],
    });
    expect(codeOf(() => strict.authenticate({ starApiKey: key }))).toBe('TOKEN_INVALID');
  });

  it('records use on success', () => {
    const { record, key } = store.create({ name: 'a', permissions: ['ViewJobs'] });
    auth.authenticate({ authorization: `Bearer ${key}` });
    expect(store.get(record.id)?.lastUsedAt).toBe(now.toISOString());
  });

  it('checks permissions and groups', () => {
    const { record } = store.create({ name: 'a', permissions: ['ViewJobs'], groups: ['store1'] });
    expect(codeOf(() => requirePermission(record, 'ManageKeys'))).toBe('INSUFFICIENT_SCOPE');
    expect(codeOf(() => requirePermission(record, 'ViewJobs'))).toBeUndefined();
    expect(canSeeGroup(record, 'store1')).toBe(true);
    expect(canSeeGroup(record, 'store2')).toBe(false);
    expect(canSeeGroup({ ...record, groups: [] }, 'store2')).toBe(true);
  });
});
