import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { canonicalCharset, renderBudget, SUPPORTED_CHARSETS, type Language, type PreviewResult } from '../driver-api/index.js';
import { AppError, isAppError } from '../errors/app-error.js';
import type { CatalogueError } from '../errors/catalogue-error.js';
import type { LanguageRegistry } from '../languages/language-registry.js';
import type { GroupStore } from '../printers/group-store.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import { checkDocumentType, parseDocumentType } from './document-type.js';
import { InsertBatcher } from './insert-batcher.js';
import type { JobEvents } from './job-events.js';
import { isJobState, TERMINAL_STATES, type JobState } from './job-states.js';
import type { Job, JobSource, JobStore } from './job-store.js';
import { parsePrintOptions, type OptionSource } from './print-options.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
import { readDocument } from './read-document.js';
import { storageError } from './storage-error.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const MAX_LIST_LIMIT = 200;

/** Who is asking: a key limited to groups sees only their printers and jobs (empty = all). */
export interface Viewer {
  readonly groups: readonly string[];
}

export const EVERYONE: Viewer = Object.freeze({ groups: [] });

/** One document to print, as any front door (Star, native API, CLI, IPP, raw port) received it. */
export interface SubmitRequest {
  printer: Printer;
  /** The Content-Type as sent (a charset parameter allowed); '' when absent. */
  contentType: string;
  contentEncoding?: string | undefined;
  /** The size the client announced (Content-Length), when known: refused before reading if too big. */
  declaredBytes?: number | undefined;
  body: Readable;
  /** Print options under the names the front door uses (Star headers and query, IPP attributes, ...). */
  options: OptionSource;
  keyId: string | null;
  idempotencyKey?: string | undefined;
  source: JobSource;
  /**
   * The door logs the acceptance in a line of its own (the HTTP request line: one line per print,
   * not two); without it the use case logs "job accepted". `fields` is the door's to add to: adding
   * to it is cheap, where `{ ...fields, more }` costs ~1 µs a new field in V8.
   */
  logAccepted?: ((fields: AcceptedJobLog) => void) | undefined;
}

/** What the "job accepted" line says about the job. */
export interface AcceptedJobLog {
  jobId: string;
  printerId: string;
  bytes: number;
  contentType: string;
  source: JobSource;
}

export interface SubmitResult {
  job: Job;
  queuedJobs: number;
  /** True when an Idempotency-Key matched an earlier request: nothing new was queued. */
  replayed: boolean;
}

export interface JobListQuery {
  printerId?: string | undefined;
  state?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** What the job engine does for the use cases: it owns the printers' workers. */
export interface JobEngine {
  /** A job was queued (or released) for its printer. */
  queued(job: Job): void;
  /** A job was canceled: stop sending it if it is on the wire. */
  canceled(job: Job): void;
  /** Why this printer cannot take jobs at all (no transport for its URI, ...), or null. */
  refusal(printerId: string): CatalogueError | null;
}

export interface JobsServiceDeps {
  store: JobStore;
  spool: Spool;
  events: JobEvents;
  groups: GroupStore;
  /** The printers as they are now (a job's printer may have been removed since). */
  printers: Pick<PrinterRegistry, 'get'>;
  languages: LanguageRegistry;
  engine: JobEngine;
  renderer: Renderer;
  /** Resolves once every commit so far is on stable storage (group commit): a 201 waits for it. */
  durable: () => Promise<void>;
  /** The data disk: full → documents are refused with 507 before their body is read. */
  storage: { refuseIfFull(): void; noteFull(): void };
  config: Readonly<Config>;
  log: Logger;
  now: () => Date;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The document's charset, canonical; UNSUPPORTED_MEDIA_TYPE naming the accepted ones when it is unknown. */
function checkCharset(charset: string | null): string | null {
  if (charset === null) return null;
  const canonical = canonicalCharset(charset);
  if (canonical === null) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `charset "${charset.slice(0, 40)}" is not supported. Accepted: ${SUPPORTED_CHARSETS.join(', ')}.`, {
      details: { field: 'charset', accepted: SUPPORTED_CHARSETS },
    });
  }
  return canonical === 'utf-8' ? null : canonical;
}

/** A list cursor names the last job of a page, never a global sequence number. */
function encodeCursor(jobId: string): string {
  return Buffer.from(`job:${jobId}`, 'utf8').toString('base64url');
}

/**
 * The job use cases, below HTTP: submit (type, size, options, idempotency, the durable accept),
 * cancel, release, get, list (visibility in SQL) and preview. Every front door calls these.
 */
export class JobsService {
  /** New jobs of one turn of the event loop go to the database in one transaction. */
  private readonly inserts: InsertBatcher;

  constructor(private readonly deps: JobsServiceDeps) {
    this.inserts = new InsertBatcher({ store: deps.store });
  }

  languageOf(printer: Printer): Language {
    return this.deps.languages.forPrinter(printer);
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const { store, spool, config } = this.deps;
    const { printer, body } = request;
    {
      this.deps.storage.refuseIfFull();
      const refusal = this.deps.engine.refusal(printer.id);
      if (refusal) throw new AppError(refusal.code, refusal.message, { details: { printer: printer.id } });
      const type = parseDocumentType(request.contentType);
      const language = this.languageOf(printer);
      checkDocumentType(type, language, printer.id, request.contentEncoding);
      const charset = checkCharset(type.charset);
      const max = config.limits.maxDocumentBytes;
      if (request.declaredBytes !== undefined && request.declaredBytes > max) {
        throw new AppError('PAYLOAD_TOO_LARGE', `The document is ${request.declaredBytes} bytes; limits.maxDocumentBytes is ${max}.`);
      }
      const group = this.deps.groups.get(printer.groupPath);
      const options = parsePrintOptions(request.options, {
        copies: group?.copies ?? 1,
        preBuzzer: group?.autoBuzzBefore ?? 0,
        postBuzzer: group?.autoBuzzAfter ?? 0,
      });
      const { idempotencyKey } = request;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1 to 200 visible ASCII characters', { details: { field: 'Idempotency-Key' } });
      }
      // A retry under an Idempotency-Key must get its first answer even when the queue has filled
      // since: only a request that cannot be a replay is refused before its body is read.
      if (idempotencyKey === undefined) {
        try {
          this.checkQueue(printer);
        } catch (error) {
          body.resume();
          throw error;
        }
      }

      const document = await spool.accept(body, max, undefined, { hash: idempotencyKey !== undefined }).catch((error: unknown) => {
        if (isAppError(error) && error.code === 'INSUFFICIENT_STORAGE') this.deps.storage.noteFull();
        throw error;
      });
      const discard = async (): Promise<void> => {
        if (document.file !== '') await spool.remove(document.file);
      };
      // What a retry under the same Idempotency-Key must repeat to be a replay (without one: nothing to compare).
      const requestHash = idempotencyKey === undefined
        ? null
        : createHash('sha256').update(JSON.stringify([printer.id, type.mediaType, charset, options, document.sha256])).digest('hex');
      const replay = (): SubmitResult | null => {
        if (idempotencyKey === undefined || requestHash === null || request.keyId === null) return null;
        const earlier = this.findReplay(request.keyId, idempotencyKey, requestHash);
        return earlier ? { job: earlier, queuedJobs: store.countQueued(printer.id), replayed: true } : null;
      };
      const earlier = replay();
      if (earlier) {
        await discard();
        return earlier;
      }
      if (document.bytes === 0) {
        await discard();
        throw new AppError('EMPTY_DOCUMENT', undefined, { details: { field: 'body' } });
      }
      try {
        this.checkQueue(printer);
        // What can be known without rendering (image sizes, PDF pages) is refused now, not after the 201.
        if (language.check) {
          const body = document.inline ?? (await spool.read(document.file));
          language.check({ body, contentType: type.mediaType, ...(charset ? { charset } : {}), profile: printer.profile, options, budget: renderBudget(config.limits.render, printer.profile) });
        }
      } catch (error) {
        await discard();
        throw error;
      }
      const id = randomUUID();
      let job: Job;
      try {
        job = await this.inserts.insert({
          id,
          printerId: printer.id,
          name: options.name ?? `job ${id.slice(0, 8)}`,
          contentType: type.mediaType,
          charset,
          bytes: document.bytes,
          copies: options.copies,
          options: {
            copies: options.copies,
            preBuzzer: options.preBuzzer,
            postBuzzer: options.postBuzzer,
            drawer: options.drawer,
            ...(options.fit ? { fit: options.fit } : {}),
          },
          maxAttempts: config.jobs.maxAttempts,
          spoolFile: document.file,
          document: document.inline ?? null,
          keyId: request.keyId,
          idempotencyKey: idempotencyKey ?? null,
          requestHash,
          source: request.source,
          createdAt: this.deps.now().toISOString(),
        });
      } catch (error) {
        await discard();
        // A concurrent request with the same Idempotency-Key won the race.
        const raced = isUniqueViolation(error) ? replay() : null;
        if (raced) return raced;
        const full = storageError(error);
        if (full) this.deps.storage.noteFull();
        throw full ?? error;
      }
      // The 201 means "on stable storage": wait for the group commit that covers this INSERT.
      await this.deps.durable();
      const accepted: AcceptedJobLog = { jobId: job.id, printerId: job.printerId, bytes: job.bytes, contentType: job.contentType, source: job.source };
      if (request.logAccepted) request.logAccepted(accepted);
      else this.deps.log.info(accepted, 'job accepted');
      this.deps.events.emit(job);
      this.deps.engine.queued(job);
      return { job, queuedJobs: store.countQueued(printer.id), replayed: false };
    }
  }

  private checkQueue(printer: Printer): void {
    const max = this.deps.config.limits.maxQueuedJobs;
    if (this.deps.store.countQueued(printer.id) + this.inserts.waitingFor(printer.id) < max) return;
    throw new AppError('QUEUE_FULL', `The queue of printer ${printer.id} is full (limits.maxQueuedJobs = ${max}). Retry later.`, {
      headers: { 'Retry-After': '5' },
    });
  }

  private findReplay(keyId: string, idempotencyKey: string, requestHash: string): Job | null {
    const windowStart = new Date(this.deps.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
    this.deps.store.expireIdempotencyKey(keyId, idempotencyKey, windowStart);
    const earlier = this.deps.store.findByIdempotencyKey(keyId, idempotencyKey, windowStart);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different document or options.');
    }
    return earlier;
  }

  /** One job the viewer may see, else NOT_FOUND (a job of another group does not exist for it). */
  get(id: string, viewer: Viewer = EVERYONE): Job {
    const job = this.deps.store.getVisible(id, viewer.groups);
    if (!job) throw new AppError('NOT_FOUND', `no job ${id.slice(0, 64)}`);
    return job;
  }

  /** Newest first, filtered in SQL to what the viewer may see; `next` continues after this page. */
  list(query: JobListQuery, viewer: Viewer = EVERYONE): { jobs: Job[]; next: string | null } {
    if (query.state !== undefined && !isJobState(query.state)) {
      throw new AppError('BAD_REQUEST', 'state must be one of pending, processing, completed, aborted, canceled, held', { details: { field: 'state' } });
    }
    let since: string | undefined;
    if (query.since !== undefined) {
      const ms = Date.parse(query.since);
      if (Number.isNaN(ms)) throw new AppError('BAD_REQUEST', 'since must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z', { details: { field: 'since' } });
      since = new Date(ms).toISOString();
    }
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new AppError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`, { details: { field: 'limit' } });
    }
    const jobs = this.deps.store.list({
      printerId: query.printerId,
      state: query.state as JobState | undefined,
      since,
      beforeSeq: query.cursor === undefined ? undefined : this.cursorSeq(query.cursor, viewer),
      groups: viewer.groups,
      limit,
    });
    const last = jobs.at(-1);
    return { jobs, next: jobs.length === limit && last ? encodeCursor(last.id) : null };
  }

  private cursorSeq(cursor: string, viewer: Viewer): number {
    const id = /^job:([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
    const job = id ? this.deps.store.getVisible(id, viewer.groups) : null;
    if (!job) throw new AppError('BAD_REQUEST', 'cursor is not a "next" value of this API (or its job was purged): list again from the start', { details: { field: 'cursor' } });
    return job.seq;
  }

  /** Cancels a job that has not finished; CONFLICT if it has. */
  cancel(id: string, viewer: Viewer = EVERYONE): Job {
    const job = this.get(id, viewer);
    const canceled = TERMINAL_STATES.includes(job.state)
      ? null
      : this.deps.store.transition(job.id, 'canceled', { stateReason: 'canceled-by-user' }, ['pending', 'held', 'processing']);
    if (!canceled) {
      const now = this.deps.store.get(job.id) ?? job;
      throw new AppError('CONFLICT', `job ${job.id} is already ${now.state}: only a job that has not finished can be canceled`, { details: { state: now.state } });
    }
    this.deps.engine.canceled(canceled);
    this.deps.events.emit(canceled);
    return canceled;
  }

  /** Sends a held job back to its queue (a person checked the printer); CONFLICT unless it is held. */
  release(id: string, viewer: Viewer = EVERYONE): Job {
    const job = this.get(id, viewer);
    const released = job.state === 'held' ? this.deps.store.transition(job.id, 'pending', { stateReason: 'released-by-user' }, ['held']) : null;
    if (!released) {
      const now = this.deps.store.get(job.id) ?? job;
      throw new AppError('CONFLICT', `job ${job.id} is ${now.state}, not held: only a held job can be released`, { details: { state: now.state } });
    }
    this.deps.events.emit(released);
    this.deps.engine.queued(released);
    return released;
  }

  /** Cancels every waiting and held job of a printer (Star's flush); returns their ids. */
  flush(printerId: string): string[] {
    const removed: string[] = [];
    for (const job of this.deps.store.listPending(printerId)) {
      const canceled = this.deps.store.transition(job.id, 'canceled', { stateReason: 'canceled-by-user' }, ['pending', 'held']);
      if (!canceled) continue;
      this.deps.events.emit(canceled);
      removed.push(canceled.id);
    }
    return removed;
  }

  /** Cancels every job of a printer that has not finished, the one on the wire too (the printer is going away). */
  cancelAll(printerId: string): string[] {
    const removed = this.flush(printerId);
    for (const job of this.deps.store.listInFlight().filter((inFlight) => inFlight.printerId === printerId)) {
      const canceled = this.deps.store.transition(job.id, 'canceled', { stateReason: 'canceled-by-user' }, ['processing']);
      if (!canceled) continue;
      this.deps.engine.canceled(canceled);
      this.deps.events.emit(canceled);
      removed.push(canceled.id);
    }
    return removed;
  }

  queuedJobs(printerId: string): number {
    return this.deps.store.countQueued(printerId);
  }

  /** One copy of the job drawn as its printer prints it, from the spooled document. */
  async preview(id: string, viewer: Viewer = EVERYONE): Promise<PreviewResult> {
    const job = this.get(id, viewer);
    const printer = this.deps.printers.get(job.printerId);
    if (!printer) throw new AppError('NOT_FOUND', `printer ${job.printerId} of job ${job.id} no longer exists; nothing to draw the job for`);
    const language = this.deps.languages.get(printer.language);
    if (!language?.preview) {
      throw new AppError('DOCUMENT_FORMAT_ERROR', `printer ${printer.id} speaks ${printer.language}, which has no preview (escpos, starprnt, starline and zpl have one)`);
    }
    let body: Buffer;
    try {
      body = await readDocument(this.deps.store, this.deps.spool, job);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new AppError('NOT_FOUND', `the document of job ${job.id} is no longer kept`);
    }
    return this.deps.renderer.preview(language, {
      body,
      contentType: job.contentType,
      ...(job.charset ? { charset: job.charset } : {}),
      profile: printer.profile,
      options: job.options,
      budget: renderBudget(this.deps.config.limits.render, printer.profile),
    });
  }
}
