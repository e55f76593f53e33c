import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE, type Db } from '../db/open-database.js';

/**
 * The database of dataDir for reading only, creating nothing — not the database, not a -wal or
 * -shm beside it (which a read-only SQLite connection makes when they are missing, and which a
 * root process would leave behind). Null when there is no database yet (serve makes it).
 *
 * While a gateway runs (or after a crash) the -wal and -shm are there, and a read-only connection
 * shares them. After a clean stop everything is in the main file: it is read into memory and
 * opened there (its header marked as a rollback-journal file, as SQLite's in-memory databases
 * cannot be in WAL mode; the copy changes nothing on disk).
 */
export function openReadOnlyDatabase(dataDir: string): Db | null {
  const file = path.join(dataDir, DB_FILE);
  if (!existsSync(file)) return null;
  if (existsSync(`${file}-wal`) && existsSync(`${file}-shm`)) return new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
  const image = readFileSync(file);
  // Header bytes 18 and 19: file format write and read version, 2 = WAL, 1 = rollback journal.
  if (image.length >= 100 && image.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') {
    image[18] = 1;
    image[19] = 1;
  }
  return new Database(image, { readonly: true });
}
