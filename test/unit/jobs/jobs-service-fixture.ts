import { Readable } from 'node:stream';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { StorageGuard } from '../../../src/db/storage-guard.js';
import type { AppError } from '../../../src/errors/app-error.js';
import { CatalogueError } from '../../../src/errors/catalogue-error.js';
import { JobsService, type JobEngine, type SubmitRequest } from '../../../src/jobs/jobs-service.js';
import { fixturePerTest, type EngineFixture, type EngineOptions } from './engine-fixture.js';

/**
 * The job use cases below HTTP, as every front door calls them: on a real database, spool and
 * storage guard, the real dispatcher as the engine. Printers: Till (shop, escpos) and Kitchen
 * (back, raw).
 */

export interface ServiceOptions extends EngineOptions {
  /** The engine the service tells; by default a dispatcher that is not started (no worker sends anything). */
  jobEngine?: (fixture: EngineFixture) => JobEngine;
}

export interface RequestExtra extends Partial<SubmitRequest> {
  /** Options as headers (lower-case names) and query parameters. */
  headers?: Record<string, string>;
  query?: Record<string, unknown>;
}

export interface ServiceFixture {
  engine: EngineFixture;
  storage: StorageGuard;
  service: JobsService;
  /** A submit request for Till (text/plain, key-1, the native API) unless `extra` says otherwise. */
  request(body: string | Buffer | Readable, extra?: RequestExtra): SubmitRequest;
}

/** Makes service fixtures that are closed after each test. */
export function servicePerTest(): (options?: ServiceOptions) => ServiceFixture {
  const newEngine = fixturePerTest();
  return (options = {}) => {
    const engine = newEngine({
      printer: { language: 'escpos' },
      morePrinters: [{ name: 'Kitchen', group: 'back', uri: 'memory://kitchen', language: 'raw' }],
      languages: [escposLanguage],
      ...options,
    });
    const storage = new StorageGuard({ dataDir: engine.dataDir, db: engine.db, log: engine.log, release: () => 0 });
    const service = new JobsService({
      store: engine.store,
      spool: engine.spool,
      events: engine.events,
      groups: engine.groups,
      printers: engine.registry,
      languages: engine.languages,
      engine: options.jobEngine?.(engine) ?? engine.dispatcher(),
      renderer: engine.renderer,
      durable: engine.durable,
      storage,
      config: engine.config,
      log: engine.log,
      now: engine.now,
    });
    const request = (body: string | Buffer | Readable, extra: RequestExtra = {}): SubmitRequest => {
      const { headers = {}, query = {}, ...rest } = extra;
      return {
        printer: engine.registry.get('till')!,
        contentType: 'text/plain',
        body: body instanceof Readable ? body : Readable.from([Buffer.from(body)]),
        options: { header: (name) => headers[name.toLowerCase()], query: (name) => query[name] },
        keyId: 'key-1',
        source: 'api',
        ...rest,
      };
    };
    return { engine, storage, service, request };
  };
}

/** A body that says whether anything read it. */
export function unreadable(): Readable & { wasRead: () => boolean } {
  let read = false;
  const body = new Readable({
    read() {
      read = true;
      this.push(Buffer.from('x'));
      this.push(null);
    },
  });
  return Object.assign(body, { wasRead: () => read });
}

/** The catalogue error a use case refused with (an AppError, or a language's DriverError). */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof CatalogueError)) throw new Error(`expected a catalogue error, got ${String(error)}`);
  return error as AppError;
}
