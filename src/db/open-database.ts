import { mkdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'printgate.db';

export interface OpenDatabaseOptions {
  dataDir: string;
  migrations?: readonly Migration[];
  /**
   * full (default): every commit is fsync'd before it returns — the CLI's connections.
   * normal: commits only reach the WAL; the gateway makes them durable in groups (WalSync).
   */
  synchronous?: 'full' | 'normal';
}

/**
 * Opens (creating if needed) dataDir/printgate.db in WAL mode and brings the schema up to date.
 * Several processes (serve and the CLI) share the file; busy_timeout lets them wait for each other.
 * A CLI connection commits with synchronous=FULL; the gateway's with NORMAL plus group commit.
 */
export function openDatabase(options: OpenDatabaseOptions): Db {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(path.join(options.dataDir, DB_FILE));
  // Before the first table: a new database can give the pages of dropped documents back to the disk
  // (the storage guard does, on a full disk); an existing one keeps its mode (no-op).
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  // The WAL is checkpointed every 1 MiB (less on a small disk: an eightieth of it) and shrunk back
  // to that: it never grows into the last free space (where a full disk could not even checkpoint;
  // with the checkpoint thread's backstop at twice this, it stays within half the storage reserve).
  const walLimit = walLimitBytes(options.dataDir);
  db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(walLimit / 4096))}`);
  db.pragma(`journal_size_limit = ${walLimit}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db, options.migrations ?? MIGRATIONS);
  return db;
}

/** How large the WAL may grow before a checkpoint: 1 MiB, or an eightieth of a small disk. */
export function walLimitBytes(dataDir: string): number {
  try {
    const fs = statfsSync(dataDir);
    return Math.min(1024 * 1024, Math.max(64 * 1024, Math.floor((fs.blocks * fs.bsize) / 80)));
  } catch {
    return 1024 * 1024;
  }
}

/** The WAL file beside the database (what WalSync fdatasyncs). */
export function walPath(dataDir: string): string {
  return path.join(dataDir, `${DB_FILE}-wal`);
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version),
  );
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
  for (const migration of pending) {
    // IMMEDIATE: two processes starting at once must not both run the same migration.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (again) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}
