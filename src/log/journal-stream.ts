import { fstatSync } from 'node:fs';

/**
 * True when file descriptor `fd` (stdout by default) is the journal stream systemd connected:
 * systemd sets JOURNAL_STREAM=<device>:<inode> of that stream, and a process whose stdout was
 * redirected elsewhere since (a pipe to a file) must not prefix its lines (man systemd.exec).
 */
export function isJournalStream(env: { JOURNAL_STREAM?: string | undefined }, fd = 1): boolean {
  const match = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!match) return false;
  try {
    const stat = fstatSync(fd, { bigint: true });
    return stat.dev === BigInt(match[1] ?? '') && stat.ino === BigInt(match[2] ?? '');
  } catch {
    return false;
  }
}

/** syslog priorities (RFC 5424) of pino's levels: fatal → crit, error → err, warn → warning, info, debug. */
export const SYSLOG_PRIORITY: Readonly<Record<string, number>> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/**
 * Prefixes one JSON line with its syslog priority, `<3>{"level":"error",…}`: journald strips the
 * prefix and files the line at that priority (SyslogLevelPrefix=, on by default), so
 * `journalctl -u printgate -p err` finds the errors.
 */
export function withSyslogPrefix(line: string): string {
  const level = /"level":"(\w+)"/.exec(line)?.[1];
  return `<${(level !== undefined ? SYSLOG_PRIORITY[level] : undefined) ?? 6}>${line}`;
}
