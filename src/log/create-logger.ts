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

export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'printgate', ...options.base },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.journal ? { hooks: { streamWrite: withSyslogPrefix } } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
