import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DeliveryReport, Language, Transport, TransportSession } from '../driver-api/index.js';
import { DriverError } from '../driver-api/index.js';
import type { Printer, PrinterStatuses } from '../printers/printer-registry.js';
import { BatchRenderer, type Item } from './batch-renderer.js';
import { DeliveryLedger, type OnTheWire, type Outcome } from './delivery-ledger.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
import { storageError } from './storage-error.js';
import type { StatusCheck, StatusChecker } from './status-checker.js';
import { confirmationOf, UNCONFIRMED, type Confirmation } from './worker-decisions.js';

export type { OnTheWire, Outcome } from './delivery-ledger.js';

/** At most this many jobs are taken from the queue at once (and about 2 MiB: BatchRenderer). */
export const MAX_BATCH_JOBS = 32;
/**
 * A silent printer's connection kept open for more jobs (jobs.sessionLingerMs) takes at most this
 * many, and this many bytes, before its close confirms them: a crash while it is open leaves no
 * more than this on the wire unconfirmed.
 */
const MAX_SESSION_JOBS = 64;
const MAX_SESSION_BYTES = 4 * 1024 * 1024;
/** A status answer younger than this is trusted instead of asking again before a job. */
const FRESH_STATUS_MS = 3000;
/** A printer known not to close connections gets this long (or confirmTimeoutMs if shorter) to do so. */
const SHORT_CLOSE_WAIT_MS = 300;

export interface DeliveryDeps {
  printer: Printer;
  transport: Transport;
  language: Language;
  renderer: Renderer;
  jobs: JobStore;
  spool: Spool;
  registry: PrinterStatuses;
  events: JobEvents;
  status: StatusChecker;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
  /** Resolves once every commit so far is on stable storage. */
  durable: () => Promise<void>;
  /** Told when a write failed for lack of disk space (the storage guard frees its reserve). */
  onStorageFull: () => void;
  /** Waits between status answers while the printer holds a job it cannot finish yet (bounded, cut short by notify). */
  recoveryWait: (attempt: number) => Promise<void>;
  /** The worker's view: stopping, and the reasons the printer reports that stop it. */
  state: { readonly stopping: boolean; blocking: string[] };
  /**
   * Waits up to `ms` for jobs queued for this printer (the worker's wakeup) and returns at most
   * `limit` of them, oldest first (announced in memory, or read from the queue); null when none
   * came. Absent: a silent printer's connection is finished after each batch (no lingering).
   */
  moreJobs?: (ms: number, limit: number) => Promise<readonly Job[] | null>;
}

/**
 * Sends a printer's batch of pending jobs: renders them (never on the event loop when the renderer
 * is a pool), asks the printer first when its last answer is stale, marks them processing in one
 * durable commit, then sends them — on one connection where the transport can (status asked after
 * each job where the printer answers, else its close confirms them all; that connection stays open
 * jobs.sessionLingerMs for jobs queued meanwhile, which are sent on it at once), else one exchange
 * each — and records each job's end from the catalogue's decisions.
 */
export class JobDelivery {
  current: OnTheWire | null = null;
  private readonly canceled = new Set<string>();
  private readonly renders: BatchRenderer;
  private session: TransportSession | null = null;
  /** Jobs of the last batch, and how many of them reached an end state here. */
  private batchSize = 0;
  private readonly ledger: DeliveryLedger;
  /** The last delivery took a full page of jobs from the queue while it lingered: more may wait, unannounced. */
  private tookFullPage = false;
  private sessionTimer: NodeJS.Timeout | null = null;
  private closeTimeouts = 0;
  private readonly log: Logger;

  constructor(private readonly deps: DeliveryDeps) {
    this.log = deps.log.child({ printerId: deps.printer.id });
    this.ledger = new DeliveryLedger({ ...deps, canceled: this.canceled }, this.log);
    this.renders = new BatchRenderer({ ...deps, log: this.log, end: (job, to, change, from) => this.ledger.end(job, to, change, from) });
  }

  /** Every job of the last batch reached an end state here (none of it waits again, none was left out). */
  get settledAll(): boolean {
    return this.ledger.settled === this.batchSize;
  }

  /** The queue may hold jobs whose announcement the last delivery consumed (it lingered and took a full page): look again. */
  get mayHaveMore(): boolean {
    return this.tookFullPage;
  }

  /** A job was canceled: cut it short if it is on the wire, skip it if it waits in the batch. */
  cancel(jobId: string): boolean {
    this.canceled.add(jobId);
    if (this.current?.jobId !== jobId || !this.current.cancellable) return false;
    this.current.controller.abort('cancel');
    return true;
  }

  /** Drops an open connection (worker stop). */
  closeSession(): void {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
    this.session?.abandon();
    this.session = null;
  }

  async deliver(pending: readonly Job[]): Promise<Outcome> {
    this.canceled.clear();
    this.batchSize = pending.length;
    this.ledger.settled = 0;
    this.tookFullPage = false;
    const ready = await this.prepare(pending, true);
    if (!Array.isArray(ready)) return ready;
    return this.deps.transport.openSession ? this.sendOnSession(ready) : this.sendEach(ready);
  }

  /**
   * Renders jobs taken from the queue, asks the printer first (`preflight`, when its last answer
   * is stale) and marks them processing, durably: what is ready to be written, or why not.
   */
  private async prepare(pending: readonly Job[], preflight: boolean): Promise<Item[] | Outcome> {
    const { items, rendererDown } = await this.renders.render(pending);
    if (items.length === 0) return rendererDown ? 'retry-later' : 'next';
    const blocked = preflight ? await this.preflight(items[0]!.job) : null;
    if (blocked) return blocked;
    // Rendered: only a render that never finishes (it crashed the gateway) counts against its starts.
    // Committed with this turn's other writes (new jobs, the other printers' marks): one commit for all.
    const { jobs } = this.deps;
    const marked = await jobs.inTurn(() =>
      jobs.transitionAll(
        items.map((item) => item.job),
        'processing',
        { attemptsDelta: 1, printerCode: null, clearSent: true, renderFinished: true },
        ['pending'],
      ),
      { soon: true },
    );
    const ready: Item[] = [];
    this.renders.marked(items);
    marked.forEach((job, index) => {
      if (!job) return;
      this.deps.events.emit(job);
      ready.push({ job, rendered: items[index]!.rendered });
    });
    if (ready.length === 0) return 'next';
    // A stalled printer is tried again as it is: stopped/stalled until a job gets through.
    if (!this.deps.registry.status(this.deps.printer.id).reasons.includes('stalled')) this.deps.registry.updateStatus(this.deps.printer.id, { state: 'processing' });
    // The mark must be on disk before a byte leaves: after a power cut, a job that may have printed is known as such.
    await this.deps.durable();
    return ready;
  }

  /**
   * A silent printer's connection after its last job was written: kept open up to
   * jobs.sessionLingerMs for a job queued meanwhile, which is prepared and returned to be written
   * on it at once; null when none came (or the connection is full, failing or we are stopping):
   * then the printer's close confirms what was written.
   */
  private async lingerForMore(session: TransportSession, written: readonly Item[]): Promise<Item[] | null> {
    const lingerMs = this.deps.config.jobs.sessionLingerMs;
    const bytes = written.reduce((sum, item) => sum + item.rendered.bytes.byteLength, 0);
    if (!this.deps.moreJobs || lingerMs <= 0 || written.length >= MAX_SESSION_JOBS || bytes >= MAX_SESSION_BYTES) return null;
    if (this.deps.state.stopping || !session.alive) return null;
    const limit = Math.min(MAX_BATCH_JOBS, MAX_SESSION_JOBS - written.length);
    const pending = await this.deps.moreJobs(lingerMs, limit);
    if (!pending || pending.length === 0 || this.deps.state.stopping || !session.alive) return null;
    if (pending.length === limit) this.tookFullPage = true;
    this.batchSize += pending.length;
    const ready = await this.prepare(pending, false);
    return Array.isArray(ready) && ready.length > 0 ? ready : null;
  }

  // ---- pre-flight --------------------------------------------------------------------------------

  /** A printer that answers is asked first unless it answered a moment ago; out of paper, the jobs wait. */
  private async preflight(first: Job): Promise<Outcome | null> {
    const { status } = this.deps;
    if (!status.answers) return null;
    const answeredAt = status.answeredAt;
    if (answeredAt !== null && this.deps.now().getTime() - answeredAt < FRESH_STATUS_MS && this.deps.state.blocking.length === 0) return null;
    const controller = new AbortController();
    let check: StatusCheck;
    try {
      check = this.session?.alive ? await this.askOnSession(this.session, controller.signal) : await status.check(controller.signal);
    } catch {
      // Unreachable: the send finds out and the printer goes offline there.
      return null;
    }
    if (check.kind !== 'blocked') {
      if (check.kind === 'ready') this.deps.state.blocking = [];
      return null;
    }
    this.deps.state.blocking = check.blocking;
    const reason = check.blocking[0] ?? null;
    if (first.stateReason !== reason) this.deps.events.emit(this.deps.jobs.setPendingReason(first, reason));
    return 'printer-blocked';
  }

  private async askOnSession(session: TransportSession, signal: AbortSignal): Promise<StatusCheck> {
    const request = this.deps.status.request;
    if (!request) return { kind: 'silent' };
    return this.deps.status.interpret(await session.query(request.bytes, request.isComplete, signal, request.timeoutMs));
  }

  // ---- sending -----------------------------------------------------------------------------------

  private async sendEach(items: readonly Item[]): Promise<Outcome> {
    for (const [index, item] of items.entries()) {
      if (this.canceled.has(item.job.id)) continue;
      if (this.deps.state.stopping) {
        this.ledger.requeue(items.slice(index), 'requeued-on-shutdown');
        return 'next';
      }
      const wire = this.onWire(item.job);
      try {
        this.deps.jobs.markSent(item.job);
        const report = await this.deps.transport.send(item.rendered.bytes, wire.controller.signal, {
          jobId: item.job.id,
          jobName: item.job.name,
          documentFormat: item.rendered.documentFormat,
          ...(item.rendered.copies !== undefined ? { copies: item.rendered.copies } : {}),
        });
        const confirmation = await this.confirmAfter(report, wire.controller.signal, (signal) => this.deps.status.check(signal));
        const held = await this.ledger.complete(item, confirmation, report);
        if (held) {
          this.ledger.requeue(items.slice(index + 1), null);
          return held;
        }
      } catch (error) {
        if (storageError(error)) throw error;
        const outcome = this.ledger.failed(item.job, error, wire);
        if (outcome !== 'next') {
          this.ledger.requeue(items.slice(index + 1), null);
          return outcome;
        }
      } finally {
        this.current = null;
      }
    }
    return 'next';
  }

  private async sendOnSession(items: readonly Item[]): Promise<Outcome> {
    let session: TransportSession;
    const opening = this.onWire(items[0]!.job, false);
    try {
      session = await this.openSession(opening.controller.signal);
    } catch (error) {
      this.current = null;
      const outcome = this.ledger.failed(items[0]!.job, error, opening);
      this.ledger.requeue(items.slice(1), null);
      return outcome;
    }
    this.current = null;
    // Asked after each job on this connection only once the printer is known to answer: a plain
    // sink never sees a status request among its bytes.
    const askEach = this.deps.status.answers && this.deps.status.request !== null;
    const written: Item[] = [];
    for (let batch: readonly Item[] | null = items; batch; batch = askEach ? null : await this.nextOnSession(session, written)) {
      // A silent printer: the batch's notes that its bytes go out now are one commit (the bytes follow at once).
      if (!askEach) await this.markSentAll(session, batch);
      const outcome = await this.writeOnSession(session, batch, written, askEach);
      if (outcome !== null) return outcome;
    }
    if (askEach) {
      this.keepSession(session);
      return 'next';
    }
    return this.finishSession(session, written);
  }

  /** The next batch for a silent printer's open connection; a failure to prepare it first lets the printer's close confirm what was written. */
  private async nextOnSession(session: TransportSession, written: readonly Item[]): Promise<Item[] | null> {
    try {
      return await this.lingerForMore(session, written);
    } catch (error) {
      await this.finishSession(session, written).catch(() => undefined);
      throw error;
    }
  }

  private async markSentAll(session: TransportSession, items: readonly Item[]): Promise<void> {
    const { jobs } = this.deps;
    const sending = items.filter((item) => !this.canceled.has(item.job.id)).map((item) => item.job);
    try {
      await jobs.inTurn(() => jobs.markSentAll(sending), { soon: true });
    } catch (error) {
      // The disk, not the printer: the worker's loop settles what is on the wire after its back-off.
      this.closeSession();
      session.abandon();
      throw error;
    }
  }

  /**
   * Writes a batch on the session (after each job, where the printer answers, its status is asked
   * and decides); the jobs written unconfirmed are added to `written`. Null when every job was
   * written; else how the delivery ended (the rest of the batch back in the queue).
   */
  private async writeOnSession(session: TransportSession, items: readonly Item[], written: Item[], askEach: boolean): Promise<Outcome | null> {
    for (const [index, item] of items.entries()) {
      if (this.canceled.has(item.job.id)) continue;
      if (this.deps.state.stopping) {
        // The jobs not yet written go back; those written are confirmed by the printer's close as
        // always (within the shutdown grace; after it, each goes back or is held as on shutdown).
        this.ledger.requeue(items.slice(index), 'requeued-on-shutdown');
        return this.finishSession(session, written);
      }
      const wire = this.onWire(item.job);
      try {
        if (askEach) this.deps.jobs.markSent(item.job);
        wire.bytesOut = true;
        await session.write(item.rendered.bytes, wire.controller.signal);
        if (!askEach) {
          written.push(item);
          continue;
        }
        const confirmation = await this.confirmAfter({ confirmed: false, bytesWritten: item.rendered.bytes.byteLength }, wire.controller.signal, (signal) =>
          this.askOnSession(session, signal),
        );
        const held = await this.ledger.complete(item, confirmation, { confirmed: false, bytesWritten: item.rendered.bytes.byteLength });
        if (held) {
          this.keepSession(session);
          this.ledger.requeue(items.slice(index + 1), null);
          return held;
        }
      } catch (error) {
        this.closeSession();
        session.abandon();
        // The disk, not the printer: the worker's loop settles what is on the wire after its back-off.
        if (storageError(error)) throw error;
        this.ledger.uncertain(written);
        const outcome = this.ledger.failed(item.job, error, wire);
        this.ledger.requeue(items.slice(index + 1), null);
        return outcome;
      } finally {
        this.current = null;
      }
    }
    return null;
  }

  /** A silent printer: half-close and take its close as the confirmation of every job written. */
  private async finishSession(session: TransportSession, written: readonly Item[]): Promise<Outcome> {
    if (this.session === session) this.session = null;
    if (written.length === 0) {
      session.abandon();
      return 'next';
    }
    const { confirmTimeoutMs } = this.deps.config.jobs;
    const waitMs = this.closeTimeouts >= 2 ? Math.min(SHORT_CLOSE_WAIT_MS, confirmTimeoutMs) : confirmTimeoutMs;
    const wire = this.onWire(written.at(-1)!.job, true, false);
    wire.bytesOut = true; // every job of the batch was written; only the printer's close is awaited
    try {
      const finished = await session.finish(wire.controller.signal, waitMs);
      if (finished.confirmed) this.closeTimeouts = 0;
      else if (++this.closeTimeouts === 2) this.log.warn({}, 'printer does not close connections: its jobs complete unconfirmed (status queries confirm them where the printer answers)');
      const report: DeliveryReport = { confirmed: finished.confirmed, bytesWritten: finished.bytesWritten, note: finished.note };
      // Where the printer's language can ask, its answer decides (once for the whole batch); else its close does.
      const confirmation = await this.confirmAfter(report, wire.controller.signal, (signal) => this.deps.status.check(signal));
      return (await this.ledger.completeAll(written, confirmation, report, (item) => item.rendered.bytes.byteLength)) ?? 'next';
    } catch (error) {
      session.abandon();
      if (storageError(error)) throw error;
      if (wire.controller.signal.aborted && wire.controller.signal.reason === 'shutdown') {
        // Stopping while the printer had not confirmed: each job written goes back (or is held) as on shutdown.
        for (const item of written) this.ledger.failed(item.job, error, wire);
        return 'next';
      }
      this.ledger.uncertain(written.slice(0, -1));
      return this.ledger.failed(written.at(-1)!.job, error, wire);
    } finally {
      this.current = null;
    }
  }

  private async openSession(signal: AbortSignal): Promise<TransportSession> {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
    if (this.session?.alive) return this.session;
    this.session = await this.deps.transport.openSession!(signal);
    return this.session;
  }

  /** A printer that answers keeps its connection a moment for the next jobs. */
  private keepSession(session: TransportSession): void {
    this.session = session;
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = setTimeout(() => {
      if (this.session === session && !this.current) {
        this.session = null;
        void session.finish(new AbortController().signal, 0).catch(() => undefined);
      }
    }, 2000);
    this.sessionTimer.unref();
  }

  private onWire(job: Job, sending = true, cancellable = true): OnTheWire {
    this.current = { jobId: job.id, controller: new AbortController(), sending, cancellable };
    return this.current;
  }

  // ---- outcomes ----------------------------------------------------------------------------------

  /**
   * What the bytes' delivery means. With a status query: a healthy answer confirms; paper out or
   * an open cover means the printer holds the job until a person fixes it (it waits as processing,
   * then completes, never sent twice); another error holds it; no answer leaves it unconfirmed.
   * Without one, the transport's own confirmation decides.
   */
  private async confirmAfter(report: DeliveryReport, signal: AbortSignal, ask: (signal: AbortSignal) => Promise<StatusCheck>): Promise<Confirmation> {
    const { status } = this.deps;
    if (!status.enabled) return report.confirmed ? { kind: 'completed', stateReason: null, answered: false } : UNCONFIRMED;
    if (!status.shouldAsk()) return UNCONFIRMED;
    for (let attempt = 0; ; attempt += 1) {
      let confirmation: Confirmation;
      try {
        const check = await ask(signal);
        if (check.kind === 'blocked') this.deps.state.blocking = check.blocking;
        else if (check.kind === 'ready') this.deps.state.blocking = [];
        confirmation = confirmationOf(check);
      } catch (error) {
        if (signal.aborted && signal.reason === 'cancel') throw error;
        // The printer took every byte, then went away (or we are stopping): never send it twice.
        return UNCONFIRMED;
      }
      if (confirmation.kind !== 'wait') return confirmation;
      if (attempt === 0) this.log.warn({ reasons: confirmation.reasons }, 'printer stopped with the job inside; it completes when the printer is ready');
      await this.deps.recoveryWait(attempt);
      if (signal.aborted && signal.reason === 'cancel') throw new DriverError('PRINTER_ERROR', 'canceled while the printer was stopped');
      if (this.deps.state.stopping) return UNCONFIRMED;
    }
  }
}
