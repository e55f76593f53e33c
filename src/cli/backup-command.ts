import { chmodSync, chownSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config/schema.js';
import { DB_FILE } from '../db/open-database.js';
import { printJson, UsageError, type CliIo } from './cli-io.js';

export interface BackupResult {
  file: string;
  bytes: number;
  integrity: string;
}

/**
 * backup FILE: a consistent copy of dataDir/printgate.db while the gateway runs, by SQLite's
 * online backup API (better-sqlite3's db.backup, page by page; writes that land meanwhile restart
 * it, so the copy is one moment of the database, never a torn file as cp of a WAL database can be).
 * Written to FILE.partial, checked (PRAGMA integrity_check), then renamed to FILE.
 * The spool (documents of unfinished jobs) is not in it.
 */
export async function runBackup(config: Readonly<Config>, file: string | undefined, io: CliIo): Promise<boolean> {
  if (!file) throw new UsageError('backup needs a file to write, e.g. printgate backup /var/backups/printgate-$(date +%F).db');
  const target = path.resolve(file);
  if (existsSync(target)) throw new UsageError(`${target} exists; give a new file name (a backup never overwrites one)`);
  const source = path.join(config.dataDir, DB_FILE);
  if (!existsSync(source)) {
    io.err(`printgate: no database at ${source} yet (nothing has run on this data directory): nothing to back up`);
    return false;
  }
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true, readonly: true });
  let integrity: string;
  try {
    await db.backup(partial);
    // One self-contained file: out of WAL mode, so the copy has no -wal/-shm beside it.
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      integrity = String(copy.pragma('integrity_check', { simple: true }));
    } finally {
      copy.close();
    }
  } catch (error) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });
    throw error;
  } finally {
    db.close();
    keepDatabaseOwner(config.dataDir);
  }
  if (integrity !== 'ok') {
    rmSync(partial, { force: true });
    io.err(`printgate: the copy failed its integrity check (${integrity}); the database itself may be damaged`);
    return false;
  }
  // The copy holds what the database holds (key hashes, webhook targets): for its owner only.
  chmodSync(partial, 0o600);
  renameSync(partial, target);
  const result: BackupResult = { file: target, bytes: statSync(target).size, integrity };
  if (io.json) printJson(io, result);
  else io.out(`Backed up ${source} to ${target} (${result.bytes} bytes, integrity ok)`);
  return true;
}

/**
 * Opening a WAL database creates its -wal and -shm files: run as root, they would be root's and
 * the service could no longer write its database. Give them back to the database file's owner.
 */
export function keepDatabaseOwner(dataDir: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const main = path.join(dataDir, DB_FILE);
  let owner: { uid: number; gid: number };
  try {
    owner = statSync(main);
  } catch {
    return;
  }
  for (const suffix of ['-wal', '-shm']) {
    const file = `${main}${suffix}`;
    try {
      const stat = statSync(file);
      if (stat.uid !== owner.uid || stat.gid !== owner.gid) chownSync(file, owner.uid, owner.gid);
    } catch {
      // not there: nothing to give back
    }
  }
}
