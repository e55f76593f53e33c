/** The slice of a pino logger discovery uses (a child logger per component is fine). */
export interface DiscoveryLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Logs a problem the first time it is seen and stays quiet on repeats (a hostile responder
 * sending the same bad record every second must not fill the journal). Bounded: past `max` keys
 * it forgets the oldest.
 */
export class LogOnce {
  private readonly seen = new Set<string>();

  constructor(
    private readonly log: DiscoveryLogger,
    private readonly max = 256,
  ) {}

  warn(key: string, fields: object, message: string): void {
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.max) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(key);
    this.log.warn(fields, message);
  }

  /** Forget a key, so that the problem is logged again if it comes back. */
  clear(key: string): void {
    this.seen.delete(key);
  }
}
