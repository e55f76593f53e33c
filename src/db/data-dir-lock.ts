import { accessSync, closeSync, constants, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'printgate.lock';

/** SQLite's application_id of the lock file ("PGLK"): tells it apart from any other SQLite file. */
const APPLICATION_ID = 0x50474c4b;

/** Thrown when another process holds the data directory; `holderPid` is null when it could not be read. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null,
  ) {
    super(`the data directory ${dataDir} is in use by another printgate${holderPid === null ? '' : ` (PID ${holderPid})`}`);
  }
}

export interface DataDirLock {
  readonly file: string;
  readonly pid: number;
  /** Releases the lock (the kernel does it anyway when the process ends). */
  release(): void;
}

/** Locks held by this process, kept reachable: a collected connection would close and drop its lock. */
const held = new Set<Database.Database>();

/**
 * Takes the one-process-per-data-directory lock: an exclusive SQLite lock (a POSIX fcntl lock,
 * which the kernel drops when the process dies, however it dies — no stale lock to guess about) on
 * dataDir/printgate.lock, held by a connection in locking_mode=EXCLUSIVE for the life of the
 * process. The holder's PID is written in the same transaction that takes the lock (the file's
 * user_version), so a second process can name it without being able to open the file.
 *
 * A second process gets DataDirLockedError at once and has changed nothing: it opened the lock
 * file and asked for the lock, nothing more. Taken by `serve` before anything else; the CLI
 * commands share the database with a running serve and take no lock.
 */
export function acquireDataDirLock(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  // A clear EACCES/EROFS naming the directory, rather than SQLite's "unable to open database file".
  accessSync(dataDir, constants.W_OK | constants.X_OK);
  const file = path.join(dataDir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${pid}`);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir, readHolderPid(file));
    throw error;
  }
  held.add(db);
  return {
    file,
    pid,
    release: () => {
      held.delete(db);
      if (db.open) db.close();
    },
  };
}

/**
 * The PID of the process holding dataDir's lock, or null when none does (doctor, status). Takes a
 * shared lock for an instant when the lock is free; writes nothing.
 */
export function dataDirLockHolder(dataDir: string): number | null {
  const file = path.join(dataDir, LOCK_FILE);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0, readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    db.pragma('user_version');
    return null;
  } catch (error) {
    return (error as { code?: string }).code === 'SQLITE_BUSY' ? readHolderPid(file) : null;
  } finally {
    db.close();
  }
}

/**
 * Reads the holder's PID from the lock file's header (the SQLite file format: application_id at
 * offset 68, user_version at offset 60, both 4-byte big-endian). A POSIX lock is advisory, so the
 * bytes can be read while the holder keeps the file locked. The holder writes them in the very
 * transaction that takes the lock; a loser that raced it may look a moment too early, so it looks
 * again, for at most 250 ms.
 */
function readHolderPid(file: string): number | null {
  const header = Buffer.alloc(72);
  for (let attempt = 0; attempt < 25; attempt += 1) {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      if (readSync(fd, header, 0, header.length, 0) === header.length && header.readUInt32BE(68) === APPLICATION_ID) {
        const pid = header.readUInt32BE(60);
        if (pid > 0) return pid;
      }
    } catch {
      // not there or not readable: the caller says "PID unknown"
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  return null;
}
