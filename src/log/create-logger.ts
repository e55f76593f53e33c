import pino, { type DestinationStream, type Logger } from 'pino';
import { withSyslogPrefix } from './journal-stream.js';

/**
 * Redaction is the backstop, not the plan: code logs key ids, never keys. These paths catch a
 * secret that slips into a logged object anyway.
 */
export const REDACT_PATHS = [
  'key',
  'apiKey',
  'token',
  'secret',
  'authorization',
  'headers.authorization',
  'headers["star-api-key"]',
  '*.key',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["star-api-key"]',
];

export interface CreateLoggerOptions {
  level: string;
  /** Where JSON lines go; stdout by default (journald picks it up). */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
  /**
   * stdout is the journal (see isJournalStream): each line starts with its syslog priority, `<3>{…}`,
   * which journald strips and files the line under. Plain JSON lines otherwise.
   */
  journal?: boolean;
}

export type { Logger };

/** The child loggers of each root (pino's children keep the level they were made with). */
const families = new WeakMap<Logger, Set<WeakRef<Logger>>>();

/** Changes the level of a root logger and of every child made from it (SIGHUP reload). */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  for (const ref of families.get(root) ?? []) {
    const child = ref.deref();
    if (child) child.level = level;
  }
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const children = new Set<WeakRef<Logger>>();
  const root = pino(
    {
      level: options.level,
      onChild: (child) => {
        children.add(new WeakRef(child));
      },
      base: { service: 'printgate', ...options.base },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.journal ? { hooks: { streamWrite: withSyslogPrefix } } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  families.set(root, children);
  return root;
}
