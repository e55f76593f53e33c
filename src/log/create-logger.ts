import pino, { type DestinationStream, type Logger } from 'pino';
import { withSyslogPrefix } from './journal-stream.js';
import { redactSecrets } from './redact-secrets.js';
import { StdoutLines } from './stdout-lines.js';

export interface CreateLoggerOptions {
  level: string;
  /** Where JSON lines go; stdout by default (journald picks it up), never waiting on a slow reader (StdoutLines). */
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
  const destination = options.destination ?? new StdoutLines(process.stdout);
  const root = pino(
    {
      level: options.level,
      onChild: (child) => {
        children.add(new WeakRef(child));
      },
      base: { service: 'printgate', ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Redaction is the backstop, not the plan: code logs key ids, never keys (redact-secrets.ts).
      formatters: { level: (label) => ({ level: label }), log: redactSecrets, bindings: redactSecrets },
      ...(options.journal ? { hooks: { streamWrite: withSyslogPrefix } } : {}),
    },
    destination,
  );
  families.set(root, children);
  if (destination instanceof StdoutLines) {
    destination.onDropped = (lines) => root.warn({ droppedLines: lines }, 'log lines were dropped: stdout (the journal) did not keep up with them');
  }
  // pino formats a child's bindings without formatters.bindings: they are redacted on the way in
  // (every child inherits this child(), children of children too).
  const childOf = Object.getPrototypeOf(root).child as Logger['child'];
  root.child = function redactedChild(this: Logger, bindings, childOptions) {
    return childOf.call(this, redactSecrets(bindings), childOptions);
  } as Logger['child'];
  return root;
}
