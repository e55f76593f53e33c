import type { RunResult } from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import type { WriteLock } from '../db/write-lock.js';
import type { ErrorCode } from '../errors/codes.js';
import type { CommitFence } from './commit-fence.js';
import { QueueCounts } from './queue-counts.js';
import { QUEUED_STATES, sourcesOf, TERMINAL_STATES, type JobState } from './job-states.js';
import { COLUMNS, J_COLUMNS, toJob, type Job, type JobRow } from './job-row.js';
import { TurnWriter, type TurnWriteOptions } from './turn-writer.js';

export type { Job, JobSource } from './job-row.js';


export type NewJob = Omit<
  Job,
  'seq' | 'state' | 'stateReason' | 'attempts' | 'warnings' | 'updatedAt' | 'completedAt' | 'printerCode' | 'errorCode' | 'errorMessage' | 'renderAttempts' | 'sentAt' | 'reprints' | 'createdAt'
> & {
  /**
   * A small document, kept in the database beside the row (its own table: SQLite rewrites a whole
   * row on UPDATE, so a 64 KB document in it cost 64 KB of WAL per state change); else `spoolFile` names it.
   */
  document?: Buffer | null;
  /** When it was accepted; now when absent. */
  createdAt?: string;
};

/** Columns of a job without its document (lists and transitions never read documents). */
export interface TransitionChange {
  stateReason?: string | null;
  attemptsDelta?: number;
  warnings?: string[];
  printerCode?: string | null;
  /** The error that decided this transition (null clears the last one). */
  error?: { code: ErrorCode; message: string } | null;
  /** Forgets when the last attempt's bytes were handed over (a new attempt begins). */
  clearSent?: boolean;
  /** Its rendering finished: render starts that never finished count from zero again. */
  renderFinished?: boolean;
  /** It goes back to the queue to be sent again after a restart found it on the wire. */
  reprinted?: boolean;
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
  /**
   * The delivery thread's store: each outermost write is numbered by `fence`, and every change of
   * a queue count it makes is told (to the main thread's counts); `onCountsLost` when a write
   * failed after counting (it rolled back: counts must be read again).
   */
  writer?: { fence: CommitFence; onCountChange: (printerId: string, delta: number, write: number) => void; onCountsLost: () => void };
  /** The main thread's store beside a delivery thread: a count read from the database learns which of its writes it holds. */
  remoteFence?: CommitFence;
  /** Beside a delivery thread (both sides): every write takes its turn here first (see WriteLock). */
  writeLock?: WriteLock;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const TERMINAL = new Set<JobState>(TERMINAL_STATES);

/**
 * SQL for jobs. Every state change goes through transition(), guarded by the transition table.
 * Statements are prepared once; a transition builds the changed job from the one it was given
 * (no read-back); the count of each printer's queue is kept, not counted.
 */
export class JobStore {
  private readonly sql;
  private readonly counts: QueueCounts;
  private readonly transitions = new Map<string, (...values: unknown[]) => RunResult>();
  /** This connection's writes of one event-loop turn, in one commit (see inTurn). */
  private readonly turns = new TurnWriter({ transaction: (work) => this.inOneTransaction(work) });
  /** The job's row and its inline document in one transaction: never one without the other. */
  private readonly insertRow: (row: () => RunResult, id: string, document: Buffer | null) => RunResult;

  constructor(private readonly deps: JobStoreDeps) {
    const db = deps.db;
    this.insertRow = db.transaction((row: () => RunResult, id: string, document: Buffer | null): RunResult => {
      const result = row();
      if (document) this.sql.insertDocument.run(id, document);
      return result;
    });
    this.sql = {
      insert: db.prepare(
        `INSERT INTO jobs (id, printer_id, name, content_type, bytes, copies, options_json, state, max_attempts,
           spool_file, key_id, idempotency_key, request_hash, created_at, updated_at, source, charset)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertDocument: db.prepare('INSERT INTO job_documents (job_id, body) VALUES (?, ?)'),
      get: db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`),
      document: db.prepare('SELECT body FROM job_documents WHERE job_id = ?').pluck(),
      pending: db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE printer_id = ? AND state = 'pending' ORDER BY seq LIMIT ?`),
      countQueued: db.prepare(`SELECT COUNT(*) FROM jobs WHERE printer_id = ? AND state IN (${placeholders(QUEUED_STATES.length)})`).pluck(),
      byIdempotencyKey: db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE key_id = ? AND idempotency_key = ? AND created_at >= ?`),
      expireIdempotencyKey: db.prepare('UPDATE jobs SET idempotency_key = NULL WHERE key_id = ? AND idempotency_key = ? AND created_at < ?'),
      renderStarted: db.prepare('UPDATE jobs SET render_attempts = render_attempts + 1 WHERE id = ?'),
      renderFinished: db.prepare('UPDATE jobs SET render_attempts = 0 WHERE id = ?'),
      pendingReason: db.prepare("UPDATE jobs SET state_reason = ?, updated_at = ? WHERE id = ? AND state = 'pending'"),
      markSent: db.prepare("UPDATE jobs SET sent_at = ? WHERE id = ? AND state = 'processing'"),
      stateGet: db.prepare('SELECT value FROM gateway_state WHERE name = ?').pluck(),
      stateSet: db.prepare('INSERT INTO gateway_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
      visible: db.prepare(
        `SELECT ${J_COLUMNS} FROM jobs LEFT JOIN printers ON printers.id = jobs.printer_id
         WHERE jobs.id = ? AND (? = '[]' OR printers.group_path IN (SELECT value FROM json_each(?)))`,
      ),
      list: db.prepare(
        `SELECT ${J_COLUMNS} FROM jobs LEFT JOIN printers ON printers.id = jobs.printer_id
         WHERE (? = '[]' OR printers.group_path IN (SELECT value FROM json_each(?)))
           AND (? IS NULL OR jobs.printer_id = ?)
           AND (? IS NULL OR jobs.state = ?)
           AND (? IS NULL OR jobs.updated_at >= ?)
           AND (? IS NULL OR jobs.seq < ?)
         ORDER BY jobs.seq DESC LIMIT ?`,
      ),
      inFlight: db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE state = 'processing' ORDER BY seq`),
      waiting: db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE printer_id = ? AND state IN ('pending', 'held') ORDER BY seq`),
      spoolFiles: db.prepare("SELECT spool_file FROM jobs WHERE spool_file <> ''").pluck(),
    };
    this.counts = new QueueCounts((printerId) => this.sql.countQueued.get(printerId, ...QUEUED_STATES) as number, deps.remoteFence);
  }

  /** Stores a new pending job and returns it as stored (no read-back). */
  insert(job: NewJob): Job {
    return this.write(() => this.insertNow(job));
  }

  private insertNow(job: NewJob): Job {
    const now = this.deps.now().toISOString();
    const result = this.insertRow(() => this.sql.insert.run(
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
    ), job.id, job.document ?? null);
    this.countChange(job.printerId, 1);
    // Every field named, in toJob's order: all jobs share one hidden class. `{ ...rest }` of the new
    // job without its document cost ~30 µs and ~12 KB of garbage a job (V8 gave each copy a map of
    // its own, measured with the sampling heap profiler), and every copy made of it later paid too.
    return {
      id: job.id,
      seq: Number(result.lastInsertRowid),
      printerId: job.printerId,
      name: job.name,
      contentType: job.contentType,
      bytes: job.bytes,
      copies: job.copies,
      options: job.options,
      state: 'pending',
      stateReason: null,
      attempts: 0,
      maxAttempts: job.maxAttempts,
      warnings: [],
      spoolFile: job.spoolFile,
      keyId: job.keyId,
      idempotencyKey: job.idempotencyKey,
      requestHash: job.requestHash,
      createdAt: job.createdAt ?? now,
      updatedAt: now,
      completedAt: null,
      printerCode: null,
      errorCode: null,
      errorMessage: null,
      source: job.source,
      charset: job.charset,
      renderAttempts: 0,
      sentAt: null,
      reprints: 0,
    };
  }


  get(id: string): Job | null {
    const row = this.sql.get.get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** The document kept in the database, or null when it is in the spool. */
  inlineDocument(id: string): Buffer | null {
    return (this.sql.document.get(id) as Buffer | null | undefined) ?? null;
  }

  /** The oldest pending jobs of a printer, at most `limit`. */
  pending(printerId: string, limit = 1): Job[] {
    return (this.sql.pending.all(printerId, limit) as JobRow[]).map(toJob);
  }

  nextPending(printerId: string): Job | null {
    return this.pending(printerId, 1)[0] ?? null;
  }

  /** Jobs counted in Star's QueuedJobs: waiting or on the wire (kept in memory, counted once per printer). */
  countQueued(printerId: string): number {
    return this.counts.get(printerId);
  }

  /** Another process changed the jobs (the CLI): counts are read again when next asked. */
  forgetCounts(): void {
    this.counts.forget();
  }

  /** Runs `work` in one transaction (statements inside that are transactions of their own become savepoints). */
  inOneTransaction(work: () => void): void {
    this.write(() => this.deps.db.transaction(work)());
  }

  /**
   * Runs `work` (one statement, or a transaction of its own) in the transaction that commits this
   * turn's writes together — new jobs and every worker's marks (TurnWriter); resolves with its
   * result once committed. `onFull`: the write survives a full disk (written again after it is called).
   */
  inTurn<T>(work: () => T, options?: TurnWriteOptions): Promise<T> {
    return this.turns.write(work, options);
  }

  /** A count change the delivery thread made (see JobStoreDeps.writer), applied unless a count from the database already holds it. */
  remoteCountChange(printerId: string, delta: number, write: number): void {
    this.counts.remote(printerId, delta, write);
  }

  /** Runs a write that may change counts: numbered for the main thread (delivery thread); a failed one makes the counts be read again. */
  private write<T>(work: () => T): T {
    const run = (): T => {
      try {
        return work();
      } catch (error) {
        this.counts.forget();
        this.deps.writer?.onCountsLost();
        throw error;
      }
    };
    return this.locked(() => (this.deps.writer ? this.deps.writer.fence.around(run) : run()));
  }

  /** A write in its turn beside the other thread's connection (no lock without a delivery thread). */
  private locked<T>(work: () => T): T {
    return this.deps.writeLock ? this.deps.writeLock.hold(work) : work();
  }

  private countChange(printerId: string, delta: number): void {
    if (delta === 0) return;
    this.counts.add(printerId, delta);
    this.deps.writer?.onCountChange(printerId, delta, this.deps.writer.fence.current());
  }

  findByIdempotencyKey(keyId: string, idempotencyKey: string, notBefore: string): Job | null {
    const row = this.sql.byIdempotencyKey.get(keyId, idempotencyKey, notBefore) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Frees an idempotency key older than the window so it can be used again. */
  expireIdempotencyKey(keyId: string, idempotencyKey: string, before: string): void {
    this.locked(() => this.sql.expireIdempotencyKey.run(keyId, idempotencyKey, before));
  }

  /** Says why a pending job waits (the printer's reason: media-empty, cover-open…); the job stays pending. */
  setPendingReason(job: Job, reason: string | null): Job | null {
    const now = this.deps.now().toISOString();
    const result = this.locked(() => this.sql.pendingReason.run(reason, now, job.id));
    return result.changes === 1 ? { ...job, stateReason: reason, updatedAt: now } : null;
  }

  /** Counts a start of rendering (before it, so a crash of the whole process is counted too). */
  renderStarted(job: Job): Job {
    return this.renderStartedAll([job])[0]!;
  }

  /** A render that was started finished (before the job is marked processing, which also clears it). */
  renderFinished(job: Job): Job {
    this.locked(() => this.sql.renderFinished.run(job.id));
    return { ...job, renderAttempts: 0 };
  }

  /** renderStarted of several jobs in one commit. */
  renderStartedAll(jobs: readonly Job[]): Job[] {
    if (jobs.length === 1) this.locked(() => this.sql.renderStarted.run(jobs[0]!.id));
    else if (jobs.length > 1) this.locked(() => this.deps.db.transaction(() => {
      for (const job of jobs) this.sql.renderStarted.run(job.id);
    })());
    return jobs.map((job) => ({ ...job, renderAttempts: job.renderAttempts + 1 }));
  }

  private transitionStatement(to: JobState, fields: readonly string[], allowed: readonly JobState[]): (...values: unknown[]) => RunResult {
    const key = `${to}|${fields.join(',')}|${allowed.join(',')}`;
    let run = this.transitions.get(key);
    if (!run) {
      const sets = [
        'state = ?',
        'updated_at = ?',
        ...fields.map((field) =>
          field === 'attempts' ? 'attempts = attempts + ?' : field === 'sent_at' ? 'sent_at = NULL' : field === 'render_attempts' ? 'render_attempts = 0' : field === 'reprints' ? 'reprints = reprints + 1' : `${field} = ?`,
        ),
      ];
      if (TERMINAL.has(to)) sets.push('completed_at = ?');
      const statement = this.deps.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND state IN (${placeholders(allowed.length)})`);
      run = (...values: unknown[]) => statement.run(...values);
      this.transitions.set(key, run);
    }
    return run;
  }

  /**
   * Compare-and-set: moves `job` to `to` only from a state the transition table allows (and, when
   * `from` is given, only from those). Returns the job as it is now, or null if it was not moved
   * (another actor moved it first). Accepts the job or its id (then it is read first).
   */
  transition(jobOrId: Job | string, to: JobState, change: TransitionChange = {}, from?: readonly JobState[]): Job | null {
    return this.write(() => this.transitionNow(jobOrId, to, change, from));
  }

  private transitionNow(jobOrId: Job | string, to: JobState, change: TransitionChange, from?: readonly JobState[]): Job | null {
    const job = typeof jobOrId === 'string' ? this.get(jobOrId) : jobOrId;
    if (!job) return null;
    const sources = sourcesOf(to);
    const allowed = from === undefined ? sources : sources.filter((state) => from.includes(state));
    if (allowed.length === 0) return null;
    const now = this.deps.now().toISOString();
    const fields: string[] = [];
    const values: unknown[] = [to, now];
    if (change.stateReason !== undefined) {
      fields.push('state_reason');
      values.push(change.stateReason);
    }
    if (change.attemptsDelta) {
      fields.push('attempts');
      values.push(change.attemptsDelta);
    }
    if (change.warnings !== undefined) {
      fields.push('warnings_json');
      values.push(JSON.stringify(change.warnings));
    }
    if (change.printerCode !== undefined) {
      fields.push('printer_code');
      values.push(change.printerCode);
    }
    if (change.error !== undefined) {
      fields.push('error_code', 'error_message');
      values.push(change.error?.code ?? null, change.error?.message.slice(0, 2000) ?? null);
    }
    if (change.clearSent) fields.push('sent_at');
    if (change.renderFinished) fields.push('render_attempts');
    if (change.reprinted) fields.push('reprints');
    if (TERMINAL.has(to)) values.push(now);
    const result = this.transitionStatement(to, fields, allowed)(...values, job.id, ...allowed);
    if (result.changes !== 1) return null;
    // The row held the state the job was read with only if the update matched; a stale copy of a
    // job moved by another connection is re-read so the caller sees the truth.
    const before = allowed.includes(job.state) ? job : this.get(job.id);
    if (!before) return null;
    this.countChange(before.printerId, QueueCounts.delta(before.state, to));
    // A copy of the job with the changed fields set: its hidden class stays that of every job
    // (a spread followed by fields of other shapes made a temporary object per field).
    const after: Job = { ...before };
    after.state = to;
    after.updatedAt = now;
    if (change.stateReason !== undefined) after.stateReason = change.stateReason;
    if (change.attemptsDelta) after.attempts = before.attempts + change.attemptsDelta;
    if (change.warnings !== undefined) after.warnings = change.warnings;
    if (change.printerCode !== undefined) after.printerCode = change.printerCode;
    if (change.error !== undefined) {
      after.errorCode = change.error?.code ?? null;
      after.errorMessage = change.error?.message.slice(0, 2000) ?? null;
    }
    if (TERMINAL.has(to)) after.completedAt = now;
    if (change.clearSent) after.sentAt = null;
    if (change.renderFinished) after.renderAttempts = 0;
    if (change.reprinted) after.reprints = before.reprints + 1;
    return after;
  }

  /**
   * Notes that the job's bytes are being handed to the printer now. Not made durable on its own:
   * after a crash of the process (the machine still up) it tells a job on the wire from one that
   * only waited in its batch; after a reboot it is not trusted (see Dispatcher.recover).
   */
  markSent(job: Job): Job {
    return this.markSentAll([job])[0]!;
  }

  /** markSent of jobs about to be written back to back: one commit for all of them. */
  markSentAll(jobs: readonly Job[]): Job[] {
    const now = this.deps.now().toISOString();
    if (jobs.length === 1) this.locked(() => this.sql.markSent.run(now, jobs[0]!.id));
    else if (jobs.length > 1) this.locked(() => this.deps.db.transaction(() => {
      for (const job of jobs) this.sql.markSent.run(now, job.id);
    })());
    return jobs.map((job) => ({ ...job, sentAt: now }));
  }

  /** A value the gateway keeps between runs (gateway_state). */
  stateValue(name: string): string | null {
    return (this.sql.stateGet.get(name) as string | undefined) ?? null;
  }

  setStateValue(name: string, value: string): void {
    this.locked(() => this.sql.stateSet.run(name, value));
  }

  /** Moves several jobs in one transaction (one commit for a batch going to the printer). */
  transitionAll(jobs: readonly Job[], to: JobState, change: TransitionChange, from: readonly JobState[]): (Job | null)[] {
    return this.write(() => this.deps.db.transaction(() => jobs.map((job) => this.transition(job, to, change, from)))());
  }

  /**
   * Drops the documents of finished jobs (a full disk needs the room; their previews are gone
   * then). Returns the spool files they used, for the caller to delete, and how many were dropped.
   */
  dropFinishedDocuments(): { dropped: number; files: string[] } {
    const terminal = placeholders(TERMINAL_STATES.length);
    return this.locked(() => this.deps.db.transaction(() => {
      const files = (
        this.deps.db.prepare(`SELECT spool_file FROM jobs WHERE state IN (${terminal}) AND spool_file <> ''`).pluck().all(...TERMINAL_STATES) as string[]
      );
      const inline = this.deps.db
        .prepare(`DELETE FROM job_documents WHERE job_id IN (SELECT id FROM jobs WHERE state IN (${terminal}))`)
        .run(...TERMINAL_STATES);
      const spooled = this.deps.db
        .prepare(`UPDATE jobs SET spool_file = '' WHERE state IN (${terminal}) AND spool_file <> ''`)
        .run(...TERMINAL_STATES);
      return { dropped: inline.changes + spooled.changes, files };
    })());
  }

  /** Spool file names some job still refers to. */
  spoolFiles(): Set<string> {
    return new Set(this.sql.spoolFiles.all() as string[]);
  }

  /** Jobs a crash left on the wire. */
  listInFlight(): Job[] {
    return (this.sql.inFlight.all() as JobRow[]).map(toJob);
  }

  /**
   * One job, if the viewer may see it: its printer is in one of `groups` (empty = every group; a
   * job whose printer is gone is seen only by a viewer limited to no group).
   */
  getVisible(id: string, groups: readonly string[]): Job | null {
    const row = this.sql.visible.get(id, JSON.stringify(groups), JSON.stringify(groups)) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Newest first, filtered and limited in SQL to what the viewer may see. */
  list(filter: JobListFilter): Job[] {
    const groups = JSON.stringify(filter.groups ?? []);
    const printer = filter.printerId ?? null;
    const state = filter.state ?? null;
    const since = filter.since ?? null;
    const before = filter.beforeSeq ?? null;
    return (this.sql.list.all(groups, groups, printer, printer, state, state, since, since, before, before, filter.limit) as JobRow[]).map(toJob);
  }

  /** Pending and held jobs of a printer, oldest first (for flush). */
  listPending(printerId: string): Job[] {
    return (this.sql.waiting.all(printerId) as JobRow[]).map(toJob);
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
    this.locked(() => this.deps.db.transaction(() => doomed.forEach((row) => remove.run(row.id)))());
    return doomed.map((row) => row.spool_file).filter((file) => file !== '');
  }
}
