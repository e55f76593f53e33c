import type { Db } from '../db/open-database.js';
import type { RenderOptions } from '../driver-api/index.js';
import { isErrorCode, type ErrorCode } from '../errors/codes.js';
import { sourcesOf, TERMINAL_STATES, QUEUED_STATES, type JobState } from './job-states.js';

export interface Job {
  id: string;
  seq: number;
  printerId: string;
  name: string;
  contentType: string;
  bytes: number;
  copies: number;
  options: RenderOptions;
  state: JobState;
  stateReason: string | null;
  attempts: number;
  maxAttempts: number;
  warnings: string[];
  spoolFile: string;
  keyId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The printer's own result for the job's last attempt as it reported it (CloudPRNT: "411 Paper jam"); null for other transports. */
  printerCode: string | null;
  /** The catalogue code of the job's last error (kept, never re-parsed from stateReason), and its message. */
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** The front door the job came in by. */
  source: JobSource;
  /** The document's charset (text and markup), canonical lower case; null = UTF-8 / not text. */
  charset: string | null;
}

/** Front doors: Star's print route, the native API, the CLI, Star's welcome page, IPP, a raw port. */
export type JobSource = 'star' | 'api' | 'cli' | 'welcome' | 'ipp' | 'raw';

export type NewJob = Omit<
  Job,
  'seq' | 'state' | 'stateReason' | 'attempts' | 'warnings' | 'updatedAt' | 'completedAt' | 'printerCode' | 'errorCode' | 'errorMessage'
>;

interface JobRow {
  seq: number;
  id: string;
  printer_id: string;
  name: string;
  content_type: string;
  bytes: number;
  copies: number;
  options_json: string;
  state: JobState;
  state_reason: string | null;
  attempts: number;
  max_attempts: number;
  warnings_json: string;
  spool_file: string;
  key_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  printer_code: string | null;
  error_code: string | null;
  error_message: string | null;
  source: string;
  charset: string | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    seq: row.seq,
    printerId: row.printer_id,
    name: row.name,
    contentType: row.content_type,
    bytes: row.bytes,
    copies: row.copies,
    options: JSON.parse(row.options_json) as RenderOptions,
    state: row.state,
    stateReason: row.state_reason,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    warnings: JSON.parse(row.warnings_json) as string[],
    spoolFile: row.spool_file,
    keyId: row.key_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    printerCode: row.printer_code,
    errorCode: row.error_code !== null && isErrorCode(row.error_code) ? row.error_code : null,
    errorMessage: row.error_message,
    source: row.source as JobSource,
    charset: row.charset,
  };
}

export interface TransitionChange {
  stateReason?: string | null;
  attemptsDelta?: number;
  warnings?: string[];
  printerCode?: string | null;
  /** The error that decided this transition (null clears the last one). */
  error?: { code: ErrorCode; message: string } | null;
}

export interface JobListFilter {
  printerId?: string | undefined;
  state?: JobState | undefined;
  since?: string | undefined;
  /** Return jobs with seq below this (newest first pagination). */
  beforeSeq?: number | undefined;
  /** Only jobs of printers in these groups; empty or absent = every group. */
  groups?: readonly string[] | undefined;
  limit: number;
}

export interface JobStoreDeps {
  db: Db;
  now: () => Date;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** SQL for jobs. Every state change goes through transition(), guarded by the transition table. */
export class JobStore {
  constructor(private readonly deps: JobStoreDeps) {}

  insert(job: NewJob): Job {
    const now = this.deps.now().toISOString();
    this.deps.db
      .prepare(
        `INSERT INTO jobs (id, printer_id, name, content_type, bytes, copies, options_json, state, max_attempts,
           spool_file, key_id, idempotency_key, request_hash, created_at, updated_at, source, charset)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.id,
        job.printerId,
        job.name,
        job.contentType,
        job.bytes,
        job.copies,
        JSON.stringify(job.options),
        job.maxAttempts,
        job.spoolFile,
        job.keyId,
        job.idempotencyKey,
        job.requestHash,
        job.createdAt ?? now,
        now,
        job.source,
        job.charset,
      );
    return this.get(job.id) as Job;
  }

  get(id: string): Job | null {
    const row = this.deps.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  nextPending(printerId: string): Job | null {
    const row = this.deps.db
      .prepare("SELECT * FROM jobs WHERE printer_id = ? AND state = 'pending' ORDER BY seq LIMIT 1")
      .get(printerId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Jobs counted in Star's QueuedJobs: waiting or on the wire. */
  countQueued(printerId: string): number {
    const row = this.deps.db
      .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE printer_id = ? AND state IN (${placeholders(QUEUED_STATES.length)})`)
      .get(printerId, ...QUEUED_STATES) as { n: number };
    return row.n;
  }

  findByIdempotencyKey(keyId: string, idempotencyKey: string, notBefore: string): Job | null {
    const row = this.deps.db
      .prepare('SELECT * FROM jobs WHERE key_id = ? AND idempotency_key = ? AND created_at >= ?')
      .get(keyId, idempotencyKey, notBefore) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Frees an idempotency key older than the window so it can be used again. */
  expireIdempotencyKey(keyId: string, idempotencyKey: string, before: string): void {
    this.deps.db
      .prepare('UPDATE jobs SET idempotency_key = NULL WHERE key_id = ? AND idempotency_key = ? AND created_at < ?')
      .run(keyId, idempotencyKey, before);
  }

  /**
   * Compare-and-set: moves the job to `to` only from a state the transition table allows (and,
   * when `from` is given, only from those). Returns the updated job, or null if it was not moved.
   */
  transition(id: string, to: JobState, change: TransitionChange = {}, from?: readonly JobState[]): Job | null {
    const allowed = sourcesOf(to).filter((state) => from === undefined || from.includes(state));
    if (allowed.length === 0) return null;
    const now = this.deps.now().toISOString();
    const sets = ['state = ?', 'updated_at = ?'];
    const values: unknown[] = [to, now];
    if (change.stateReason !== undefined) {
      sets.push('state_reason = ?');
      values.push(change.stateReason);
    }
    if (change.attemptsDelta) {
      sets.push('attempts = attempts + ?');
      values.push(change.attemptsDelta);
    }
    if (change.warnings !== undefined) {
      sets.push('warnings_json = ?');
      values.push(JSON.stringify(change.warnings));
    }
    if (change.printerCode !== undefined) {
      sets.push('printer_code = ?');
      values.push(change.printerCode);
    }
    if (change.error !== undefined) {
      sets.push('error_code = ?', 'error_message = ?');
      values.push(change.error?.code ?? null, change.error?.message.slice(0, 2000) ?? null);
    }
    if (TERMINAL_STATES.includes(to)) {
      sets.push('completed_at = ?');
      values.push(now);
    }
    const result = this.deps.db
      .prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND state IN (${placeholders(allowed.length)})`)
      .run(...values, id, ...allowed);
    return result.changes === 1 ? this.get(id) : null;
  }

  /** Spool file names some job still refers to. */
  spoolFiles(): Set<string> {
    return new Set((this.deps.db.prepare('SELECT spool_file FROM jobs').all() as { spool_file: string }[]).map((row) => row.spool_file));
  }

  /** Jobs a crash left on the wire. */
  listInFlight(): Job[] {
    return (this.deps.db.prepare("SELECT * FROM jobs WHERE state = 'processing' ORDER BY seq").all() as JobRow[]).map(toJob);
  }

  /**
   * One job, if the viewer may see it: its printer is in one of `groups` (empty = every group; a
   * job whose printer is gone is seen only by a viewer limited to no group).
   */
  getVisible(id: string, groups: readonly string[]): Job | null {
    const row = this.deps.db
      .prepare(
        `SELECT jobs.* FROM jobs LEFT JOIN printers ON printers.id = jobs.printer_id
         WHERE jobs.id = ? AND (? = '[]' OR printers.group_path IN (SELECT value FROM json_each(?)))`,
      )
      .get(id, JSON.stringify(groups), JSON.stringify(groups)) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Newest first, filtered and limited in SQL to what the viewer may see. */
  list(filter: JobListFilter): Job[] {
    const groups = JSON.stringify(filter.groups ?? []);
    return (
      this.deps.db
        .prepare(
          `SELECT jobs.* FROM jobs LEFT JOIN printers ON printers.id = jobs.printer_id
           WHERE (? = '[]' OR printers.group_path IN (SELECT value FROM json_each(?)))
             AND (? IS NULL OR jobs.printer_id = ?)
             AND (? IS NULL OR jobs.state = ?)
             AND (? IS NULL OR jobs.updated_at >= ?)
             AND (? IS NULL OR jobs.seq < ?)
           ORDER BY jobs.seq DESC LIMIT ?`,
        )
        .all(
          groups,
          groups,
          filter.printerId ?? null,
          filter.printerId ?? null,
          filter.state ?? null,
          filter.state ?? null,
          filter.since ?? null,
          filter.since ?? null,
          filter.beforeSeq ?? null,
          filter.beforeSeq ?? null,
          filter.limit,
        ) as JobRow[]
    ).map(toJob);
  }

  /** Pending jobs of a printer, oldest first (for flush). */
  listPending(printerId: string): Job[] {
    return (
      this.deps.db.prepare("SELECT * FROM jobs WHERE printer_id = ? AND state IN ('pending', 'held') ORDER BY seq").all(printerId) as JobRow[]
    ).map(toJob);
  }

  /**
   * Retention: removes finished jobs older than `before` and all but the newest `keepCount`
   * finished ones. Returns the spool files of the removed jobs so the caller can delete them.
   */
  purgeFinished(before: string, keepCount: number): string[] {
    const terminal = placeholders(TERMINAL_STATES.length);
    const doomed = this.deps.db
      .prepare(
        `SELECT id, spool_file FROM jobs WHERE state IN (${terminal}) AND (
           updated_at < ? OR seq NOT IN (SELECT seq FROM jobs WHERE state IN (${terminal}) ORDER BY seq DESC LIMIT ?))`,
      )
      .all(...TERMINAL_STATES, before, ...TERMINAL_STATES, keepCount) as { id: string; spool_file: string }[];
    const remove = this.deps.db.prepare('DELETE FROM jobs WHERE id = ?');
    this.deps.db.transaction(() => doomed.forEach((row) => remove.run(row.id)))();
    return doomed.map((row) => row.spool_file);
  }
}
