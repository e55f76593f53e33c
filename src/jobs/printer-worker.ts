import type { Logger } from 'pino';
import { backoffDelay } from '../driver-api/backoff.js';
import { JobDelivery, MAX_BATCH_JOBS, type DeliveryDeps, type Outcome } from './job-delivery.js';
import type { Job } from './job-store.js';
import { StatusChecker, type StatusCheck } from './status-checker.js';
import { storageError } from './storage-error.js';
import { Wakeup } from './wakeup.js';
import { planRecovery } from './worker-decisions.js';

/** What a worker is built from: what its delivery needs, but the parts the worker makes itself. */
export interface PrinterWorkerDeps extends Omit<DeliveryDeps, 'status' | 'state' | 'recoveryWait'> {
  /** True when notes that a job's bytes went out can be trusted (this process, or a restart on the same boot). */
  trustSentNotes: () => boolean;
  /** How often a printer nobody prints to is checked (status query or a connect): a dead one shows offline within this. */
  probeMs: number;
  random?: () => number;
}

const IDLE_WAIT_MS = 30_000;
/** Jobs announced and not yet taken that are kept in memory; past it the queue is read from the database. */
const MAX_ANNOUNCED = 256;
/** Longest wait between status queries to a printer that reports a problem. */
const RECOVERY_POLL_MAX_MS = 5_000;
/** Longest wait before a worker whose loop failed starts again. */
const RESTART_MAX_MS = 30_000;
/** After a write failed on a full disk, the loop starts again at least this often. */
const STORAGE_RETRY_MS = 2000;

/**
 * One printer's queue: takes its pending jobs oldest first and hands them to JobDelivery in
 * batches. The printer's condition is a state: offline (unreachable: probed with capped back-off
 * until it answers), blocked (it reports paper out, cover open…: asked again until it clears),
 * ready. An idle printer is checked every probeMs so one that died since it last printed shows
 * offline. A loop that throws is restarted with back-off and reports the printer stopped with
 * reason internal-error — a worker never silently stops.
 */
export class PrinterWorker {
  private readonly wakeup = new Wakeup();
  private loop: Promise<void> | null = null;
  private consecutiveFailures = 0;
  /** Failures of the loop in a row (none since it last delivered): the first is logged at error, each waits longer. */
  private crashes = 0;
  private offlineSince: string | null = null;
  /** The outage is a stall: the printer takes connections, so only a job it takes again ends it. */
  private stalledOutage = false;
  private lastContactMs: number;
  private recoveryAttempt = 0;
  private readonly lifetime = new AbortController();
  private readonly status: StatusChecker;
  private readonly delivery: JobDelivery;
  private readonly log: Logger;
  /** Shared with the delivery: whether the worker is stopping, and what stops the printer. */
  private readonly state = { stopping: false, blocking: [] as string[] };
  /**
   * Jobs announced with notify(job) since the queue was last read, oldest first: a connection that
   * lingers takes them from here, with no query. `unannounced`: a wake without a job came too
   * (a retry, a release, another process): then only the database knows what waits.
   */
  private announced: Job[] = [];
  private unannounced = false;
  /**
   * The last read of the queue took every job waiting (less than a page): whatever is announced
   * since is all that waits, in queue order. Otherwise older jobs wait in the database (after a
   * restart, a long queue) and must go first: the queue is read.
   */
  private drained = false;

  constructor(private readonly deps: PrinterWorkerDeps) {
    this.log = deps.log.child({ printerId: deps.printer.id });
    this.status = new StatusChecker(deps);
    this.lastContactMs = deps.now().getTime();
    this.delivery = new JobDelivery({
      ...deps,
      status: this.status,
      state: this.state,
      recoveryWait: (attempt) => this.wakeup.wait(this.recoveryDelay(attempt)).then(() => undefined),
      moreJobs: (ms, limit) => this.moreJobs(ms, limit),
    });
  }

  start(): void {
    this.loop ??= this.supervise();
  }

  /** Something may wait in the queue: `job`, just accepted for this printer, or (without one) look. */
  notify(job?: Job): void {
    if (job && !this.unannounced && this.announced.length < MAX_ANNOUNCED) this.announced.push(job);
    else this.forgetAnnounced(true);
    this.wakeup.notify();
  }

  private forgetAnnounced(unannounced: boolean): void {
    this.announced = [];
    this.unannounced = unannounced;
  }

  /** For a lingering connection: waits up to `ms` for jobs, then takes at most `limit` of them (null: none came). */
  private async moreJobs(ms: number, limit: number): Promise<Job[] | null> {
    if (!(await this.wakeup.wait(ms)) || this.state.stopping) return null;
    if (this.unannounced || !this.drained) {
      this.forgetAnnounced(false);
      const pending = this.deps.jobs.pending(this.deps.printer.id, limit);
      this.drained = pending.length < limit;
      return pending;
    }
    const taken = this.announced.splice(0, limit);
    // More were announced than taken: the next wait must not sleep on them.
    if (this.announced.length > 0) this.wakeup.notify();
    return taken;
  }

  /** Cuts the job short if it is on the wire (its state was already set by the caller). */
  abortJob(jobId: string): boolean {
    const cut = this.delivery.cancel(jobId);
    this.wakeup.notify();
    return cut;
  }

  /** Stops taking jobs; waits up to graceMs for the job on the wire, then re-queues it. */
  async stop(graceMs: number): Promise<void> {
    this.state.stopping = true;
    this.lifetime.abort('shutdown');
    this.wakeup.notify();
    const timer = setTimeout(() => this.delivery.current?.controller.abort('shutdown'), graceMs);
    await this.loop;
    clearTimeout(timer);
    this.delivery.closeSession();
    await this.deps.transport.close().catch(() => undefined);
  }

  private async supervise(): Promise<void> {
    while (!this.state.stopping) {
      try {
        await this.run();
        return;
      } catch (error) {
        if (this.state.stopping) return;
        const full = storageError(error) !== null;
        if (full) this.deps.onStorageFull();
        const reason = full ? 'storage-full' : 'internal-error';
        this.log[this.crashes === 0 ? 'error' : 'debug']({ err: error, reason }, full ? 'the data disk is full: this printer waits until space returns' : 'printer worker failed; it restarts');
        this.deps.registry.updateStatus(this.deps.printer.id, { state: 'stopped', reasons: [reason], lastError: (error as Error)?.message ?? String(error) });
        this.delivery.closeSession();
        // A full disk is tried again every few seconds (printing frees room; so does a person):
        // the accepted jobs must not wait out a long back-off once there is room.
        await this.wakeup.wait(Math.min(backoffDelay(this.crashes, 500, RESTART_MAX_MS, this.deps.random), full ? STORAGE_RETRY_MS : RESTART_MAX_MS));
        this.crashes += 1;
      }
    }
  }

  /**
   * After a failure of the loop, this printer's jobs left `processing` are settled as after a
   * crash of the gateway: one whose bytes went out follows jobs.inFlightAfterRestart (sent again
   * and says so, or held); one that only waited in its batch goes back to the queue.
   */
  private recoverOwnJobs(): void {
    try {
      const { inFlightAfterRestart: policy, maxReprints } = this.deps.config.jobs;
      for (const job of this.deps.jobs.listInFlight().filter((inFlight) => inFlight.printerId === this.deps.printer.id)) {
        const plan = planRecovery(job.sentAt !== null || !this.deps.trustSentNotes(), policy, job.reprints, maxReprints);
        this.deps.events.emit(this.deps.jobs.transition(job, plan.to, plan.change, ['processing']));
      }
    } catch (error) {
      // A full disk even now: the loop fails again and this is tried after its back-off.
      if (storageError(error)) this.deps.onStorageFull();
      throw error;
    }
  }

  private async run(): Promise<void> {
    // After a failure: settle what the failed loop left on the wire, then the printer is ours again.
    this.recoverOwnJobs();
    const status = this.deps.registry.status(this.deps.printer.id);
    if (status.reasons.some((reason) => reason === 'internal-error' || reason === 'storage-full')) {
      this.deps.registry.updateStatus(this.deps.printer.id, { state: 'idle', reasons: [], lastError: null });
    }
    if (this.status.enabled || this.deps.probeMs > 0) await this.checkPrinter();
    while (!this.state.stopping) {
      // The query sees every job announced so far (each was committed before it was announced).
      this.forgetAnnounced(false);
      const batch = this.deps.jobs.pending(this.deps.printer.id, MAX_BATCH_JOBS);
      this.drained = batch.length < MAX_BATCH_JOBS;
      const first = batch[0];
      // While the printer reports a problem, jobs wait; one that does not yet say why is asked for (pre-flight).
      if (this.state.blocking.length > 0 && (!first || first.stateReason === this.state.blocking[0])) {
        await this.waitUntilHealthy();
        continue;
      }
      if (!first) {
        this.endOutage();
        await this.idle();
        continue;
      }
      const outcome: Outcome = await this.delivery.deliver(batch);
      if (outcome === 'printer-stopped') await this.waitUntilReachable();
      else if (outcome === 'retry-later') await this.pause();
      else if (outcome === 'next') {
        this.consecutiveFailures = 0;
        this.crashes = 0;
        this.lastContactMs = this.deps.now().getTime();
        this.endOutage();
        // A short batch was every job waiting; each of it ended, and each job queued since announced
        // itself (notify): unless one did, the queue is empty — no query to learn it (~50 µs per job).
        if (batch.length < MAX_BATCH_JOBS && this.delivery.settledAll && !this.delivery.mayHaveMore && !this.wakeup.notified && !this.state.stopping) await this.idle();
      }
    }
  }

  /** Waits for work; meanwhile the printer is checked every probeMs (its status, else a connect). */
  private async idle(): Promise<void> {
    const { statusPollMs } = this.deps.config.jobs;
    const everyMs = this.status.answers && statusPollMs > 0 ? statusPollMs : this.deps.probeMs;
    if (everyMs <= 0) {
      await this.wakeup.wait(IDLE_WAIT_MS);
      return;
    }
    const due = this.lastContactMs + everyMs - this.deps.now().getTime();
    if (due > 0) await this.wakeup.wait(Math.min(due, IDLE_WAIT_MS));
    else await this.checkPrinter();
  }

  /** One look at the printer outside a job: its status where it answers, else whether it is there. */
  private async checkPrinter(): Promise<void> {
    this.lastContactMs = this.deps.now().getTime();
    if (this.status.enabled) {
      await this.pollStatus();
      return;
    }
    if (this.deps.probeMs <= 0) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort('timeout'), this.deps.config.jobs.connectTimeoutMs);
    try {
      await this.deps.transport.probe(controller.signal);
      const status = this.deps.registry.status(this.deps.printer.id);
      if (status.state === 'stopped' && status.reasons.includes('offline')) this.backOnline(1);
    } catch (error) {
      if (this.state.stopping) return;
      this.markOffline((error as Error).message);
      await this.waitUntilReachable();
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Asks the printer outside a job (at start, while idle, while it reports a problem) and keeps
   * `blocking` and the registry current. An unreachable printer that used to answer is offline.
   */
  private async pollStatus(): Promise<StatusCheck | null> {
    try {
      const check = await this.status.check(this.lifetime.signal);
      this.noteStatus(check);
      return check;
    } catch (error) {
      if (this.state.stopping) return null;
      this.log.debug({ err: error }, 'status query failed');
      if (this.status.answers && !this.state.blocking.includes('offline')) {
        // Unreachable, as a send would find it: stopped/offline, logged once at error; asked again until it answers.
        this.markOffline((error as Error).message);
        this.state.blocking = ['offline'];
      }
      return null;
    }
  }

  private noteStatus(check: StatusCheck): void {
    // It answered: an outage (other than a stall, which only a job it takes ends) is over.
    const wasOffline = this.state.blocking.includes('offline');
    if (!this.stalledOutage) this.endOutage();
    if (check.kind === 'blocked') {
      this.noteBlocked(check.blocking);
    } else if (check.kind === 'ready' && this.state.blocking.length > 0) {
      if (!wasOffline) this.log.info({ was: this.state.blocking }, 'printer ready again');
      this.state.blocking = [];
      this.recoveryAttempt = 0;
    }
  }

  private noteBlocked(blocking: string[]): void {
    if (this.state.blocking.join() !== blocking.join()) this.log.warn({ reasons: blocking }, 'printer reports a problem; jobs wait until it clears');
    this.state.blocking = blocking;
  }

  /** Back-off for asking a stopped printer again: a person fixing it should not wait long for the queue. */
  private recoveryDelay(attempt: number): number {
    const { retryInitialMs, retryMaxMs } = this.deps.config.jobs;
    return backoffDelay(attempt, retryInitialMs, Math.min(retryMaxMs, RECOVERY_POLL_MAX_MS), this.deps.random);
  }

  /** While the printer reports a problem: one back-off wait, then ask again. */
  private async waitUntilHealthy(): Promise<void> {
    await this.wakeup.wait(this.recoveryDelay(this.recoveryAttempt));
    this.recoveryAttempt += 1;
    if (this.state.stopping) return;
    const check = await this.pollStatus();
    if (check?.kind === 'silent' && !this.status.answers) {
      // It stopped answering altogether: nothing more to learn by asking; jobs go out unconfirmed.
      this.state.blocking = [];
    }
  }

  private async pause(): Promise<void> {
    const { retryInitialMs, retryMaxMs } = this.deps.config.jobs;
    const delay = backoffDelay(this.consecutiveFailures, retryInitialMs, retryMaxMs, this.deps.random);
    this.consecutiveFailures += 1;
    await this.wakeup.wait(delay);
  }

  /** The job next in line says why it waits (a job queued while the printer was already down). */
  private sayWhyJobsWait(reason: string): void {
    const next = this.deps.jobs.nextPending(this.deps.printer.id);
    if (next && next.stateReason !== reason) this.deps.events.emit(this.deps.jobs.setPendingReason(next, reason));
  }

  private markOffline(message: string): void {
    const status = this.deps.registry.status(this.deps.printer.id);
    if (!status.reasons.includes('offline')) this.deps.registry.updateStatus(this.deps.printer.id, { state: 'stopped', reasons: ['offline'], lastError: message });
    if (this.offlineSince === null) {
      this.offlineSince = this.deps.now().toISOString();
      this.log.error({ uri: this.deps.printer.uri, err: message }, 'printer offline; jobs wait until it answers');
    }
  }

  private backOnline(probes: number): void {
    const seen = this.deps.now().toISOString();
    // A stalled printer stays stopped/stalled while it is tried again (no flapping through idle and
    // processing, a status webhook each): the job that gets through ends the outage.
    if (this.stalledOutage) this.deps.registry.updateStatus(this.deps.printer.id, { lastSeenAt: seen });
    else this.deps.registry.updateStatus(this.deps.printer.id, { state: 'idle', reasons: [], lastSeenAt: seen, lastError: null });
    this.lastContactMs = this.deps.now().getTime();
    // A stalled printer still takes connections: it is back once it takes a job's bytes again (or nothing waits for it).
    if (!this.stalledOutage) this.endOutage(probes);
  }

  /** The printer answers (and takes data) again: logged once per outage. */
  private endOutage(probes?: number): void {
    if (this.offlineSince === null) return;
    this.log.info({ offlineSince: this.offlineSince, ...(probes === undefined ? {} : { probes }) }, 'printer back online');
    this.offlineSince = null;
    this.stalledOutage = false;
  }

  /** The printer is stopped (offline, stalled): probe it with capped back-off until it answers. */
  private async waitUntilReachable(): Promise<void> {
    const { transport, config } = this.deps;
    const status = this.deps.registry.status(this.deps.printer.id);
    const stalled = status.reasons.includes('stalled');
    // Logged once per outage (a stalled printer is tried again and again: still one outage), and when its kind changes.
    if (this.offlineSince === null || stalled !== this.stalledOutage) {
      this.offlineSince ??= this.deps.now().toISOString();
      this.stalledOutage = stalled;
      this.log.error({ uri: this.deps.printer.uri, reasons: status.reasons, err: status.lastError }, stalled ? 'printer stalled; jobs wait until it takes data' : 'printer offline; jobs wait until it answers');
    }
    for (let attempt = 0; !this.state.stopping; ) {
      const delay = backoffDelay(attempt, config.jobs.retryInitialMs, config.jobs.retryMaxMs, this.deps.random);
      attempt += 1;
      await this.wakeup.wait(delay);
      if (this.state.stopping) return;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort('timeout'), config.jobs.connectTimeoutMs);
      try {
        await transport.probe(controller.signal);
        this.backOnline(attempt);
        return;
      } catch (error) {
        this.log.debug({ err: error, attempt }, 'printer still offline');
        this.sayWhyJobsWait(stalled ? 'stalled' : 'printer-offline');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
