import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, dataDirLockHolder, DataDirLockedError, LOCK_FILE } from '../../../src/db/data-dir-lock.js';

const root = mkdtempSync(path.join(tmpdir(), 'printgate-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => path.join(root, `data-${(n += 1)}`);

describe('acquireDataDirLock (in one process: SQLite locks per connection)', () => {
  it('creates the data directory and holds the lock until released; a second taker learns the PID', () => {
    const dataDir = freshDir();
    const lock = acquireDataDirLock(dataDir, 4242);
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
    expect(dataDirLockHolder(dataDir)).toBe(4242);
    let caught: unknown;
    try {
      acquireDataDirLock(dataDir, 777);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataDirLockedError);
    expect(caught).toMatchObject({ code: 'DATA_DIR_LOCKED', holderPid: 4242, dataDir });
    lock.release();
    expect(dataDirLockHolder(dataDir)).toBeNull();
    const again = acquireDataDirLock(dataDir, 777);
    expect(dataDirLockHolder(dataDir)).toBe(777);
    again.release();
  });

  it('a losing taker changes nothing in the data directory', () => {
    const dataDir = freshDir();
    const lock = acquireDataDirLock(dataDir, 4242);
    const before = readdirSync(dataDir).map((name) => [name, statSync(path.join(dataDir, name)).mtimeMs, statSync(path.join(dataDir, name)).size]);
    expect(() => acquireDataDirLock(dataDir, 1)).toThrow(DataDirLockedError);
    const after = readdirSync(dataDir).map((name) => [name, statSync(path.join(dataDir, name)).mtimeMs, statSync(path.join(dataDir, name)).size]);
    expect(after).toEqual(before);
    expect(readdirSync(dataDir)).toEqual([LOCK_FILE]);
    lock.release();
  });

  it('says no holder for a directory never locked, and release twice is harmless', () => {
    const dataDir = freshDir();
    expect(dataDirLockHolder(dataDir)).toBeNull();
    const lock = acquireDataDirLock(dataDir);
    expect(dataDirLockHolder(dataDir)).toBe(process.pid);
    lock.release();
    lock.release();
  });
});
