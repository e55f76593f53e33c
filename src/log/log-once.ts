import type { Logger } from 'pino';

export interface LogOnceDeps {
  log: Logger;
  /** The level of the first line of a failure (and of a failure whose cause changed); error by default. */
  level?: 'error' | 'warn';
}

interface Failing {
  cause: string;
  repeats: number;
}

/**
 * A failure that repeats (a printer that stays offline, a cloud that stays down) is logged once at
 * error, then at debug until it clears; the line that says it cleared is at info. A failure whose
 * cause changes (refused → no route) is loud again, since that is news. As PAPPL does for printers.
 *
 *   const once = new LogOnce({ log });
 *   once.failed(`printer:${id}`, { printerId: id, reason }, 'printer offline; jobs wait until it answers', reason);
 *   once.cleared(`printer:${id}`, { printerId: id }, 'printer back online');
 */
export class LogOnce {
  private readonly failing = new Map<string, Failing>();

  constructor(private readonly deps: LogOnceDeps) {}

  /** Logs a failure of `key`. Returns true when the line went out at the loud level. */
  failed(key: string, fields: Record<string, unknown>, msg: string, cause: string = msg): boolean {
    const known = this.failing.get(key);
    if (known && known.cause === cause) {
      known.repeats += 1;
      this.deps.log.debug({ ...fields, repeats: known.repeats }, msg);
      return false;
    }
    this.failing.set(key, { cause, repeats: 0 });
    this.deps.log[this.deps.level ?? 'error'](fields, msg);
    return true;
  }

  /** Logs at info that `key` works again, if it was failing; otherwise does nothing. Returns whether it was failing. */
  cleared(key: string, fields: Record<string, unknown>, msg: string): boolean {
    const known = this.failing.get(key);
    if (!known) return false;
    this.failing.delete(key);
    this.deps.log.info({ ...fields, repeats: known.repeats }, msg);
    return true;
  }

  isFailing(key: string): boolean {
    return this.failing.has(key);
  }
}
