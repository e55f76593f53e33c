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

/** A WAL database with a table t, synced once: `before` is the sync count from there. */
async function syncedTable(): Promise<{ db: ReturnType<typeof openDatabase>; sync: WalSync; before: number }> {
  const db = openDatabase({ dataDir: dir, synchronous: 'normal' });
  const sync = new WalSync(walPath(dir));
  db.exec('CREATE TABLE t (v)');
  await sync.sync();
  return { db, sync, before: sync.count };
}

const syncedInode = async (sync: WalSync): Promise<number> => (await (sync as unknown as { handle: FileHandle }).handle.stat()).ino;

it('shares one fdatasync among the callers that arrive while one runs', async () => {
  const { db, sync, before } = await syncedTable();
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

it('a caller that may wait (syncSoon) shares the fdatasync of the next caller that may not', async () => {
  const { db, sync, before } = await syncedTable();
  // A worker marks its job and may wait a moment; a request's insert comes before the moment is up.
  db.prepare('INSERT INTO t VALUES (1)').run();
  const worker = sync.syncSoon();
  db.prepare('INSERT INTO t VALUES (2)').run();
  const request = sync.sync();
  await Promise.all([worker, request]);
  expect(sync.count - before).toBe(1);
  // Two callers that may not wait, the same way: the second waits for a sync after the first's.
  db.prepare('INSERT INTO t VALUES (3)').run();
  const first = sync.sync();
  db.prepare('INSERT INTO t VALUES (4)').run();
  await Promise.all([first, sync.sync()]);
  expect(sync.count - before).toBe(3);
  await sync.close();
  db.close();
});

it('a syncSoon alone is synced within a moment, and one pending at close is synced before it closes', async () => {
  const { db, sync, before } = await syncedTable();
  db.prepare('INSERT INTO t VALUES (1)').run();
  await sync.syncSoon();
  expect(sync.count - before).toBe(1);
  db.prepare('INSERT INTO t VALUES (2)').run();
  let done = false;
  const pending = sync.syncSoon().then(() => (done = true));
  await sync.close();
  await pending;
  expect(done).toBe(true);
  expect(sync.count - before).toBe(2);
  db.close();
});
