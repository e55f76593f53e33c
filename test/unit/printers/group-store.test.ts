import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { GroupStore } from '../../../src/printers/group-store.js';

/**
 * GroupStore keeps the groups it read (every submit reads one), so each way a group can change
 * must show at once: this store's own writes, a rolled-back write, and another connection's commit
 * (the CLI is another process with its own connection).
 */
let dir: string;
let db: Db;
let other: Db;
let groups: GroupStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pg-groups-'));
  db = openDatabase({ dataDir: dir, synchronous: 'normal' });
  other = openDatabase({ dataDir: dir });
  groups = new GroupStore({ db, now: () => new Date('2026-12-02T00:00:00Z') });
});
afterEach(() => {
  db.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

it('gives the same frozen group until it changes, and its own writes show at once', () => {
  groups.ensure('shop', 'Shop');
  const first = groups.get('shop')!;
  expect(groups.get('shop')).toBe(first);
  expect(Object.isFrozen(first)).toBe(true);
  groups.update('shop', { enabled: false, name: 'Shop 2' });
  expect(groups.get('shop')).toMatchObject({ enabled: false, name: 'Shop 2' });
  expect(groups.remove('shop')).toBe(true);
  expect(groups.get('shop')).toBeNull();
  expect(groups.create({ matchPath: 'shop', name: 'Again' })?.name).toBe('Again');
  expect(groups.get('shop')?.name).toBe('Again');
});

it('sees a commit of another connection (the CLI) on the next lookup, a missing group included', () => {
  groups.ensure('shop', 'Shop');
  expect(groups.get('shop')?.enabled).toBe(true);
  expect(groups.get('later')).toBeNull();
  other.prepare('UPDATE device_groups SET enabled = 0 WHERE match_path = ?').run('shop');
  other.prepare("INSERT INTO device_groups (match_path, name, created_at, require_device_key) VALUES ('later', 'Later', 'x', 1)").run();
  expect(groups.get('shop')?.enabled).toBe(false);
  expect(groups.get('later')?.name).toBe('Later');
});

it('never keeps what a transaction read before it rolled back', () => {
  groups.ensure('shop', 'Shop');
  expect(() =>
    db.transaction(() => {
      groups.update('shop', { name: 'Never' });
      expect(groups.get('shop')?.name).toBe('Never');
      throw new Error('roll back');
    })(),
  ).toThrow('roll back');
  expect(groups.get('shop')?.name).toBe('Shop');
});
