import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, openDatabase, walLimitBytes, walPath, type Db } from '../../src/db/open-database.js';
import { WalCheckpointer, walFrames } from '../../src/db/wal-checkpointer.js';
import { createLogger } from '../../src/log/create-logger.js';
import { LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/wait-for.js';

/** The checkpoint thread against a real SQLite database in WAL mode (its own connection, its own thread). */

const dirs: string[] = [];
const open: Array<{ db: Db; checkpointer: WalCheckpointer }> = [];

afterEach(async () => {
  for (const { db, checkpointer } of open.splice(0)) {
    await checkpointer.stop();
    db.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setUp(options: { idleMs?: number } = {}): { db: Db; checkpointer: WalCheckpointer; wal: string; logs: LogCapture; limit: number } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-wal-'));
  dirs.push(dataDir);
  const db = openDatabase({ dataDir, synchronous: 'normal' });
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)');
  const logs = new LogCapture();
  const checkpointer = new WalCheckpointer({ db, dbFile: path.join(dataDir, DB_FILE), walFile: walPath(dataDir), limitBytes: walLimitBytes(dataDir), log: createLogger({ level: 'debug', destination: logs }), intervalMs: 20, watchMs: 20, ...options });
  open.push({ db, checkpointer });
  return { db, checkpointer, wal: walPath(dataDir), logs, limit: walLimitBytes(dataDir) };
}

const fill = (db: Db, rows: number): void => {
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let i = 0; i < rows; i += 1) insert.run(Buffer.alloc(2048, i));
};

/**
 * Writes rows until the WAL is half full (what starts the thread), however many frames the
 * migrations left in it; returns how many rows that took.
 */
const fillHalf = (db: Db, wal: string, limit: number): number => {
  const shm = wal.replace(/-wal$/, '-shm');
  let rows = 0;
  do {
    fill(db, 1);
    rows += 1;
  } while (walFrames(shm) * 4096 < limit / 2);
  return rows;
};

describe('WAL checkpoints on their own thread', () => {
  it('moves the connection\'s own checkpoint to a backstop while it runs, keeps the WAL near its limit, and gives it back on stop', async () => {
    const { db, checkpointer, wal, limit } = setUp();
    const before = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    expect(before).toBeGreaterThan(0);
    checkpointer.start();
    const first = fillHalf(db, wal, limit); // a WAL half full starts the thread
    await waitFor('the thread to take over', () => Number(db.pragma('wal_autocheckpoint', { simple: true })) === 2 * before);
    // Several times the limit: without a checkpoint the WAL would hold all of it (about 8 MB).
    for (let round = 0; round < 40; round += 1) {
      fill(db, 100);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    let more = 0;
    await waitFor('a checkpoint by the thread', () => {
      fill(db, 1);
      more += 1;
      return statSync(wal).size <= limit * 1.5;
    });
    expect((db.prepare('SELECT COUNT(*) FROM filler').pluck().get() as number)).toBe(first + 4000 + more);
    await checkpointer.stop();
    expect(Number(db.pragma('wal_autocheckpoint', { simple: true }))).toBe(before);
  });

  it('keeps the WAL bounded under writes without a pause, where the thread\'s checkpoints never complete', () => {
    const { db, checkpointer, wal, limit } = setUp();
    checkpointer.start();
    // Synchronous: the event loop never yields, so only the connection's own checkpoint can start
    // the WAL over (no thread is started meanwhile: that takes a turn of the loop). Before it, a
    // burst of 48 KB documents grew the WAL to fill a 4 MB disk (npm run chaos, disk phase).
    return Promise.resolve().then(() => {
      let largest = 0;
      for (let round = 0; round < 200; round += 1) {
        fill(db, 20);
        largest = Math.max(largest, statSync(wal).size);
      }
      // Twice the limit (the backstop) plus the frames of one transaction past it.
      expect(largest).toBeLessThanOrEqual(2 * limit + 64 * 1024);
    });
  });

  it('hands checkpoints back to the connection when its thread dies, and says so', async () => {
    const { db, checkpointer, logs, wal, limit } = setUp();
    const before = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    checkpointer.start();
    fillHalf(db, wal, limit);
    await waitFor('the thread to take over', () => Number(db.pragma('wal_autocheckpoint', { simple: true })) === 2 * before);
    // The thread's worker, ended from outside (as a crash of it would).
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await waitFor('the connection to checkpoint by itself again', () => Number(db.pragma('wal_autocheckpoint', { simple: true })) === before);
    expect(logs.find('the WAL checkpoint thread ended; the database checkpoints on commit again')).toHaveLength(1);
    // A thread that died is not started again by the next writes: the connection keeps checkpointing.
    fill(db, 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(checkpointer.running).toBe(false);
  });

  it('runs only while the database is written: none while the WAL is under half its limit, ends when idle, starts again with the next writes', async () => {
    const { db, checkpointer, logs, wal, limit } = setUp({ idleMs: 300 });
    const before = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    const shm = wal.replace(/-wal$/, '-shm');
    checkpointer.start();
    fill(db, 5);
    // What the main thread reads: the frames of the WAL, from the wal-index header.
    const frames = walFrames(shm);
    expect(frames).toBeGreaterThanOrEqual(5);
    expect(frames * 4096).toBeLessThan(limit / 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(checkpointer.running).toBe(false);
    while (walFrames(shm) * 4096 < limit / 2) fill(db, 1);
    await waitFor('the thread to start and take over', () => checkpointer.running && Number(db.pragma('wal_autocheckpoint', { simple: true })) === 2 * before);
    // No write for idleMs: the thread ends and the connection checkpoints at the limit again.
    await waitFor('the idle thread to end', () => !checkpointer.running, 5000);
    expect(Number(db.pragma('wal_autocheckpoint', { simple: true }))).toBe(before);
    expect(logs.find('the database is idle: the WAL checkpoint thread ends')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(checkpointer.running).toBe(false);
    do fill(db, 1);
    while (walFrames(shm) * 4096 < limit / 2);
    await waitFor('the thread to start again', () => checkpointer.running && Number(db.pragma('wal_autocheckpoint', { simple: true })) === 2 * before);
    expect(logs.find('the database is written: WAL checkpoints on their thread')).toHaveLength(2);
    expect(logs.find('the WAL checkpoint thread ended; the database checkpoints on commit again')).toHaveLength(0);
  });
});
