import type { Logger } from 'pino';
import type { Db } from './open-database.js';

export interface DbChangeWatcherDeps {
  db: Db;
  log: Logger;
  /** Called after another process committed to the database (`keys revoke`, `jobs release` from the CLI). */
  onChange: () => void;
  intervalMs?: number;
}

/**
 * Notices writes made by other processes through SQLite's `PRAGMA data_version`, which changes
 * only when another connection commits: one cheap read per tick, nothing when idle. Requests need
 * no such help (every request reads its key from the database); long-lived state does: a key
 * revoked from the CLI loses its open event streams, and a job released or queued by the CLI
 * wakes its printer's worker, within a tick.
 */
export class DbChangeWatcher {
  private timer: NodeJS.Timeout | null = null;
  private version: number | null = null;

  constructor(private readonly deps: DbChangeWatcherDeps) {}

  start(): void {
    if (this.timer) return;
    this.version = this.read();
    this.timer = setInterval(() => this.tick(), this.deps.intervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check; public so a test can drive it without waiting. */
  tick(): void {
    const version = this.read();
    if (version === null || version === this.version) return;
    this.version = version;
    try {
      this.deps.onChange();
    } catch (error) {
      this.deps.log.error({ err: error }, 'database change listener failed');
    }
  }

  private read(): number | null {
    try {
      return this.deps.db.pragma('data_version', { simple: true }) as number;
    } catch {
      return null; // a closed or busy database: try again next tick
    }
  }
}
