import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { rawLanguage } from '../../../drivers/languages/raw-language.js';
import { PROFILES } from '../../../drivers/profiles/find-profile.js';
import { escposStatusQuery } from '../../../drivers/status/escpos-status.js';
import { parseConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import type { Language } from '../../../src/driver-api/index.js';
import { Dispatcher, type DispatcherDeps } from '../../../src/jobs/dispatcher.js';
import { JobDelivery, type DeliveryDeps } from '../../../src/jobs/job-delivery.js';
import { JobEvents } from '../../../src/jobs/job-events.js';
import type { JobState } from '../../../src/jobs/job-states.js';
import { JobStore, type Job, type NewJob } from '../../../src/jobs/job-store.js';
import { PrinterWorker, type PrinterWorkerDeps } from '../../../src/jobs/printer-worker.js';
import { inlineRenderer, type Renderer } from '../../../src/jobs/renderer.js';
import { Spool } from '../../../src/jobs/spool.js';
import { StatusChecker } from '../../../src/jobs/status-checker.js';
import { LanguageRegistry } from '../../../src/languages/language-registry.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { GroupStore } from '../../../src/printers/group-store.js';
import { PrinterRegistry, type Printer } from '../../../src/printers/printer-registry.js';
import { LogCapture } from '../../helpers/log-capture.js';
import { MemoryTransport, type MemoryTransportOptions } from '../../helpers/memory-transport.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * The job engine on a real SQLite database in a temp directory, a memory printer, an injected
 * clock and delays of a few milliseconds: what the worker, delivery and dispatcher tests build on.
 */

/** ESC/POS DLE EOT 1-4 answers (drivers/status/escpos-status.ts): what a receipt printer says. */
export const STATUS = {
  ready: Uint8Array.of(0x12, 0x12, 0x12, 0x12),
  /** n=4 bits 5+6: paper end. */
  paperOut: Uint8Array.of(0x12, 0x12, 0x12, 0x72),
  /** n=2 bit 2: cover open. */
  coverOpen: Uint8Array.of(0x12, 0x16, 0x12, 0x12),
  /** n=3 bit 3: auto-cutter error (the ticket may be spoilt). */
  cutterError: Uint8Array.of(0x12, 0x12, 0x1a, 0x12),
};

/** Bytes as they are (raw), with ESC/POS's status query: a receipt printer whose bytes a test can read. */
export const RAW_WITH_STATUS: Language = { ...rawLanguage, statusQuery: escposStatusQuery };

export interface EngineOptions {
  /** Overrides of the printer's config (name Till, group shop, uri memory://till). */
  printer?: Record<string, unknown>;
  /** More printers (each with name, group, uri), after Till. */
  morePrinters?: Record<string, unknown>[];
  /** Overrides of jobs.* (the defaults here are a few milliseconds each). */
  jobs?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  transport?: MemoryTransportOptions;
  /** The printer answers ESC/POS status queries (DLE EOT); false: plain raw, never asked. */
  statusQuery?: boolean;
  renderer?: Renderer;
  /** More languages the printers may speak (by their name in the printer config). */
  languages?: Language[];
}

export class EngineFixture {
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'pg-engine-'));
  readonly db: Db;
  readonly config: Readonly<Config>;
  readonly logs = new LogCapture();
  readonly log = createLogger({ level: 'debug', destination: this.logs });
  readonly store: JobStore;
  readonly spool: Spool;
  readonly events = new JobEvents();
  /** Every job event, in order. */
  readonly emitted: Job[] = [];
  readonly groups: GroupStore;
  readonly registry: PrinterRegistry;
  readonly printer: Printer;
  readonly transport: MemoryTransport;
  readonly language: Language;
  readonly renderer: Renderer;
  readonly languages: LanguageRegistry;
  /** Calls of onStorageFull. */
  storageFull = 0;
  /** The next `durable()` rejects with this (once). */
  durableFailure: Error | null = null;
  private offsetMs = 0;
  private readonly workers: { stop(graceMs: number): Promise<void> }[] = [];
  private readonly deliveries: JobDelivery[] = [];
  private count = 0;

  constructor(options: EngineOptions = {}) {
    this.db = openDatabase({ dataDir: this.dataDir, synchronous: 'normal' });
    this.config = parseConfig({
      dataDir: this.dataDir,
      printers: [{ name: 'Till', group: 'shop', uri: 'memory://till', language: 'raw', ...options.printer }, ...(options.morePrinters ?? []).map((printer) => ({ language: 'raw', ...printer }))],
      jobs: {
        retryInitialMs: 1,
        retryMaxMs: 4,
        connectTimeoutMs: 50,
        confirmTimeoutMs: 20,
        statusTimeoutMs: 5,
        statusPollMs: 0,
        stallSeconds: 0.005,
        maxAttempts: 3,
        ...options.jobs,
      },
      ...(options.limits ? { limits: options.limits } : {}),
    });
    this.language = options.statusQuery === false ? rawLanguage : RAW_WITH_STATUS;
    this.renderer = options.renderer ?? inlineRenderer;
    this.languages = new LanguageRegistry([this.language, ...(options.languages ?? [])], []);
    this.store = new JobStore({ db: this.db, now: this.now });
    this.spool = new Spool(this.dataDir);
    this.events.on((job) => this.emitted.push(job));
    this.groups = new GroupStore({ db: this.db, now: this.now });
    const profiles = new Map(PROFILES.map((profile) => [profile.id, profile]));
    this.registry = new PrinterRegistry({
      db: this.db,
      groups: this.groups,
      profiles: (id) => profiles.get(id),
      languages: this.languages,
      now: this.now,
    });
    this.registry.syncConfigured(this.config.printers);
    this.printer = this.registry.get('till')!;
    this.transport = new MemoryTransport({ uri: 'memory://till', stallMs: 5, confirmTimeoutMs: 20, ...options.transport });
  }

  /** The injected clock: real time, moved ahead by advance() (a status answer grows old at once). */
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  readonly durable = async (): Promise<void> => {
    const failure = this.durableFailure;
    this.durableFailure = null;
    if (failure) throw failure;
  };

  /** Queues a document for the printer as the jobs service would (inline, no HTTP). */
  submit(body: string | Buffer, extra: Partial<NewJob> = {}): Job {
    // (extra.printerId queues it for another printer of the registry.)
    this.count += 1;
    const document = Buffer.from(body);
    const job = this.store.insert({
      id: randomUUID(),
      printerId: this.printer.id,
      name: `job ${this.count}`,
      contentType: 'application/octet-stream',
      charset: null,
      bytes: document.length,
      copies: 1,
      options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' },
      maxAttempts: this.config.jobs.maxAttempts,
      spoolFile: '',
      document,
      keyId: null,
      idempotencyKey: null,
      requestHash: null,
      source: 'api',
      createdAt: this.now().toISOString(),
      ...extra,
    });
    this.events.emit(job);
    return job;
  }

  workerDeps(overrides: Partial<PrinterWorkerDeps> = {}): PrinterWorkerDeps {
    return {
      printer: this.printer,
      transport: this.transport,
      language: this.language,
      renderer: this.renderer,
      jobs: this.store,
      spool: this.spool,
      registry: this.registry,
      events: this.events,
      log: this.log,
      config: this.config,
      now: this.now,
      durable: this.durable,
      onStorageFull: () => {
        this.storageFull += 1;
      },
      trustSentNotes: () => true,
      probeMs: 0,
      random: () => 0.5,
      ...overrides,
    };
  }

  /** A started worker for the printer (stopped by close()). */
  worker(overrides: Partial<PrinterWorkerDeps> = {}): PrinterWorker {
    const worker = new PrinterWorker(this.workerDeps(overrides));
    this.workers.push(worker);
    worker.start();
    return worker;
  }

  /**
   * A JobDelivery with its own status checker and worker state, driven by the test (no loop):
   * `deliver(batch)` is one turn of the worker's loop. `recoveryWait` counts and waits a millisecond.
   */
  delivery(overrides: Partial<DeliveryDeps> = {}): { delivery: JobDelivery; status: StatusChecker; state: { stopping: boolean; blocking: string[] }; recoveryWaits: () => number } {
    const status = new StatusChecker({
      printer: this.printer,
      transport: this.transport,
      language: this.language,
      registry: this.registry,
      log: this.log,
      config: this.config,
      now: this.now,
    });
    const state = { stopping: false, blocking: [] as string[] };
    let waits = 0;
    const delivery = new JobDelivery({
      ...this.workerDeps(),
      status,
      state,
      recoveryWait: async () => {
        waits += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
      ...overrides,
    });
    this.deliveries.push(delivery);
    return { delivery, status, state, recoveryWaits: () => waits };
  }

  /** The printer's pending jobs, oldest first: one batch. */
  pending(): Job[] {
    return this.store.pending(this.printer.id, 32);
  }

  /** A dispatcher over the registry's printers, every one on this fixture's memory printer unless `openTransport` says otherwise. */
  dispatcher(overrides: Partial<DispatcherDeps> = {}): Dispatcher {
    const dispatcher = new Dispatcher({
      jobs: this.store,
      spool: this.spool,
      registry: this.registry,
      events: this.events,
      renderer: this.renderer,
      durable: this.durable,
      probeMs: 0,
      onStorageFull: () => {
        this.storageFull += 1;
      },
      log: this.log,
      config: this.config,
      now: this.now,
      openTransport: () => this.transport,
      languageOf: () => this.language,
      random: () => 0.5,
      ...overrides,
    });
    this.workers.push(dispatcher);
    return dispatcher;
  }

  /**
   * A full disk, for real SQLite: the database may grow no page (max_page_count), and the one
   * page of the jobs table has no byte to spare (a finished filler job grown until it just fits).
   * The next write that adds a job or makes one longer fails with SQLITE_FULL.
   */
  fillDisk(): void {
    const filler = this.submit('', { printerId: this.printer.id });
    this.store.transition(filler, 'canceled', {}, ['pending']);
    // No free page either (a migration that rebuilt a table leaves some): every page is in use.
    this.db.pragma('incremental_vacuum');
    expect(this.db.pragma('freelist_count', { simple: true })).toBe(0);
    this.db.pragma(`max_page_count = ${this.db.pragma('page_count', { simple: true }) as number}`);
    const grow = this.db.prepare('UPDATE jobs SET name = ? WHERE id = ?');
    let fits = 0;
    let fails = 4000;
    while (fails - fits > 1) {
      const length = Math.floor((fits + fails) / 2);
      try {
        grow.run('x'.repeat(length), filler.id);
        fits = length;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
        fails = length;
      }
    }
    grow.run('x'.repeat(fits), filler.id);
  }

  /** Room again. */
  freeDisk(): void {
    this.db.pragma('max_page_count = 1073741823');
  }

  job(id: string): Job {
    const job = this.store.get(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }

  /** Waits (bounded) until the job is in `state` (and has `stateReason`, when given). */
  async settled(id: string, state: JobState, stateReason?: string | null): Promise<Job> {
    const wanted = `${state}${stateReason === undefined ? '' : ` (${stateReason})`}`;
    try {
      return await waitFor(
        `job ${id} to be ${wanted}`,
        () => {
          const job = this.store.get(id);
          return job && job.state === state && (stateReason === undefined || job.stateReason === stateReason) ? job : null;
        },
        2000,
        1,
      );
    } catch (error) {
      const job = this.store.get(id);
      throw new Error(`${(error as Error).message}; it is ${job?.state} (${job?.stateReason}, ${job?.errorCode}: ${job?.errorMessage})`);
    }
  }

  /** Waits (bounded) for a condition of the printer or transport. */
  until<T>(what: string, check: () => T): Promise<NonNullable<T>> {
    return waitFor(what, check, 2000, 1);
  }

  status(): ReturnType<PrinterRegistry['status']> {
    return this.registry.status(this.printer.id);
  }

  /** Log lines with this message. */
  logged(msg: string): Record<string, unknown>[] {
    return this.logs.find(msg);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.stop(0)));
    for (const delivery of this.deliveries.splice(0)) delivery.closeSession();
    this.db.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Makes fixtures that are closed after each test (workers stopped, database closed, temp dir removed). */
export function fixturePerTest(): (options?: EngineOptions) => EngineFixture {
  const made: EngineFixture[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((fixture) => fixture.close()));
  });
  return (options = {}) => {
    const fixture = new EngineFixture(options);
    made.push(fixture);
    return fixture;
  };
}
