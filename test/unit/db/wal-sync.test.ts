import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, walPath } from '../../../src/db/open-database.js';
import { WalSync } from '../../../src/db/wal-sync.js';

/**
 * WalSync fdatasyncs the WAL that holds the commits it is asked about: concurrent callers share
 * one sync, and a WAL that SQLite deleted and made anew (the last connection closed) is the one
 * synced next, never the deleted file.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pg-walsync-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const syncedInode = async (sync: WalSync): Promise<number> => (await (sync as unknown as { handle: FileHandle }).handle.stat()).ino;

it('shares one fdatasync among the callers that arrive while one runs', async () => {
  const db = openDatabase({ dataDir: dir, synchronous: 'normal' });
  const sync = new WalSync(walPath(dir));
  db.exec('CREATE TABLE t (v)');
  await sync.sync();
  const before = sync.count;
  for (let i = 0; i < 10; i += 1) db.prepare('INSERT INTO t VALUES (?)').run(i);
  await Promise.all(Array.from({ length: 10 }, () => sync.sync()));
  // The first caller's sync, then one more for all who came while it ran.
  expect(sync.count - before).toBeLessThanOrEqual(2);
  await sync.close();
  db.close();
});

it('follows the WAL when SQLite deleted it and started a new file', async () => {
  const first = openDatabase({ dataDir: dir, synchronous: 'normal' });
  const sync = new WalSync(walPath(dir));
  first.exec('CREATE TABLE t (v)');
  await sync.sync();
  const old = await syncedInode(sync);
  first.close();
  expect(existsSync(walPath(dir))).toBe(false);
  // The old file stays open in WalSync, so its inode number cannot be the new file's.
  const second = openDatabase({ dataDir: dir, synchronous: 'normal' });
  second.prepare('INSERT INTO t VALUES (1)').run();
  await sync.sync();
  const now = statSync(walPath(dir)).ino;
  expect(await syncedInode(sync)).toBe(now);
  expect(now).not.toBe(old);
  await sync.close();
  second.close();
});

it('resolves without a WAL file (everything is in the database file)', async () => {
  const sync = new WalSync(walPath(dir));
  await expect(sync.sync()).resolves.toBeUndefined();
  expect(sync.count).toBe(0);
  await sync.close();
});
