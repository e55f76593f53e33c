import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StorageGuard } from '../../../src/db/storage-guard.js';
import { AppError } from '../../../src/errors/app-error.js';
import type { Job } from '../../../src/jobs/job-store.js';
import type { JobsService } from '../../../src/jobs/jobs-service.js';
import type { EngineFixture } from './engine-fixture.js';
import { refusal, servicePerTest, unreadable, type ServiceFixture, type ServiceOptions } from './jobs-service-fixture.js';

/** JobsService.submit: what every front door's print request goes through. */

const make = servicePerTest();
let engine: EngineFixture;
let storage: StorageGuard;
let service: JobsService;
let request: ServiceFixture['request'];

function setup(options: ServiceOptions = {}): JobsService {
  ({ engine, storage, service, request } = make(options));
  return service;
}

const spooled = (): string[] => readdirSync(engine.spool.dir);
const allJobs = (): Job[] => service.list({ limit: 200 }).jobs;

describe('JobsService.submit: what is accepted', () => {
  it('a document becomes a pending job, told to the engine and the listeners; the answer counts the queue', async () => {
    setup({ jobEngine: (fixture) => ({ queued: (job) => told.push(job.id), canceled: () => undefined, refusal: () => null }) });
    const told: string[] = [];
    const result = await service.submit(request('Hello\n', { headers: { 'star-job-name': 'Order 1', 'star-copies': '2' } }));
    expect(result.replayed).toBe(false);
    expect(result.queuedJobs).toBe(1);
    expect(result.job).toMatchObject({ printerId: 'till', name: 'Order 1', contentType: 'text/plain', charset: null, bytes: 6, copies: 2, state: 'pending', source: 'api', keyId: 'key-1' });
    expect(engine.job(result.job.id)).toMatchObject({ state: 'pending', name: 'Order 1', copies: 2 });
    expect(told).toEqual([result.job.id]);
    expect(engine.emitted.map((job) => job.id)).toEqual([result.job.id]);
    expect(engine.logged('job accepted')).toHaveLength(1);
    // Small documents live in the row: no spool file, no fsync of their own.
    expect(spooled()).toEqual([]);
    expect(engine.store.inlineDocument(result.job.id)?.toString()).toBe('Hello\n');
  });

  it('a door that logs the acceptance in its own line (the HTTP request line) gets the job\'s fields; the service then logs none', async () => {
    setup();
    const lines: unknown[] = [];
    const result = await service.submit({ ...request('Hello\n'), logAccepted: (fields) => lines.push(fields) });
    expect(lines).toEqual([{ jobId: result.job.id, printerId: 'till', bytes: 6, contentType: 'text/plain', source: 'api' }]);
    expect(engine.logged('job accepted')).toHaveLength(0);
    // A refused request has nothing to log as accepted.
    await refusal(service.submit({ ...request('Hello\n', { contentType: 'application/x-unknown' }), logAccepted: (fields) => lines.push(fields) }));
    expect(lines).toHaveLength(1);
  });

  it('the group\'s copies and buzzers are the defaults; an explicit option wins; a job without a name gets one', async () => {
    setup();
    engine.groups.update('shop', { copies: 3, autoBuzzBefore: 1, autoBuzzAfter: 2 });
    const defaults = (await service.submit(request('x\n'))).job;
    expect(defaults.options).toMatchObject({ copies: 3, preBuzzer: 1, postBuzzer: 2, drawer: 'none' });
    expect(defaults.name).toMatch(/^job [0-9a-f]{8}$/);
    const explicit = (await service.submit(request('x\n', { query: { copies: '1', startbuzzer: '0', drawer: 'end' } }))).job;
    expect(explicit.options).toMatchObject({ copies: 1, preBuzzer: 0, postBuzzer: 2, drawer: 'end' });
  });

  it('an option out of range is BAD_REQUEST naming it, and nothing is queued', async () => {
    setup();
    for (const [headers, query, field] of [
      [{ 'star-pre-buzzer': '4' }, {}, 'star-pre-buzzer'],
      [{}, { endbuzzer: 'x' }, 'endbuzzer'],
      [{}, { copies: '0' }, 'copies'],
      [{}, { copies: '11' }, 'copies'],
      [{}, { drawer: 'middle' }, 'drawer'],
      [{}, { copies: ['1', '2'] }, 'copies'],
    ] as const) {
      const error = await refusal(service.submit(request('never\n', { headers, query })));
      expect(error.code, field).toBe('BAD_REQUEST');
      expect(error.message.toLowerCase()).toContain(field);
      expect(error.details).toEqual({ field });
    }
    expect(allJobs()).toEqual([]);
  });

  it('a document of exactly limits.maxDocumentBytes is accepted; a larger one goes to the spool, synced', async () => {
    setup({ limits: { maxDocumentBytes: 100 * 1024 } });
    const exact = await service.submit(request(Buffer.alloc(100 * 1024, 0x42), { contentType: 'application/octet-stream' }));
    expect(exact.job.bytes).toBe(100 * 1024);
    expect(exact.job.spoolFile).not.toBe('');
    expect(spooled()).toEqual([exact.job.spoolFile]);
  });
});

describe('JobsService.submit: content type and charset', () => {
  it('a type the printer\'s language cannot print is UNSUPPORTED_MEDIA_TYPE listing the accepted types', async () => {
    setup();
    for (const contentType of ['image/gif', 'application/x-nonsense', '']) {
      const error = await refusal(service.submit(request('GIF89a', { contentType })));
      expect(error.code, contentType).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.details?.field).toBe('Content-Type');
      expect(error.details?.accepted).toContain('text/plain');
      expect(error.details?.accepted).toContain('text/vnd.star.markup');
      expect(error.message).toContain('Accepted: ');
    }
    // The same type is fine on a printer whose language takes it.
    const raw = await service.submit(request('bytes', { printer: engine.registry.get('kitchen')!, contentType: 'application/octet-stream' }));
    expect(raw.job.contentType).toBe('application/octet-stream');
  });

  it('a compressed body is refused, not guessed: Content-Encoding other than identity', async () => {
    setup();
    const error = await refusal(service.submit(request('x', { contentEncoding: 'gzip' })));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { field: 'Content-Encoding' } });
    expect((await service.submit(request('x\n', { contentEncoding: 'identity' }))).job.state).toBe('pending');
  });

  it('the charset is kept canonical (UTF-8 as none); an unknown charset is 415 naming the supported ones', async () => {
    setup();
    expect((await service.submit(request('caf\xe9\n', { contentType: 'text/plain; charset=ISO-8859-1' }))).job.charset).toBe('iso-8859-1');
    expect((await service.submit(request('x\n', { contentType: 'text/plain; charset="latin1"' }))).job.charset).toBe('iso-8859-1');
    expect((await service.submit(request('x\n', { contentType: 'Text/Plain; Charset=UTF-8' }))).job).toMatchObject({ contentType: 'text/plain', charset: null });
    const error = await refusal(service.submit(request('x\n', { contentType: 'text/plain; charset=klingon' })));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { field: 'charset' } });
    expect(error.details?.accepted).toContain('windows-1252');
    expect(error.message).toContain('"klingon"');
  });

  it('what the headers of a document show it cannot print is refused at submit: an image over the pixel budget', async () => {
    setup({ limits: { render: { maxPixels: 1000 } } });
    const error = await refusal(service.submit(request(pngHeader(2000, 2000), { contentType: 'image/png' })));
    expect(error.code).toBe('DOCUMENT_TOO_COMPLEX');
    expect(allJobs()).toEqual([]);
  });
});

describe('JobsService.submit: size and emptiness', () => {
  it('a declared size over limits.maxDocumentBytes is PAYLOAD_TOO_LARGE before a byte of the body is read', async () => {
    setup({ limits: { maxDocumentBytes: 4096 } });
    const body = unreadable();
    const error = await refusal(service.submit(request(body, { declaredBytes: 5000 })));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toContain('5000 bytes');
    expect(error.message).toContain('limits.maxDocumentBytes is 4096');
    expect(body.wasRead()).toBe(false);
  });

  it('a body that grows past the limit while it streams is cut off, and nothing stays in the spool or the queue', async () => {
    setup({ limits: { maxDocumentBytes: 100 * 1024 } });
    const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(16 * 1024, 0x61 + i));
    const error = await refusal(service.submit(request(Readable.from(chunks), { contentType: 'application/octet-stream' })));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(spooled()).toEqual([]);
    expect(allJobs()).toEqual([]);
  });

  it('an empty document is EMPTY_DOCUMENT, and nothing is kept', async () => {
    setup();
    const error = await refusal(service.submit(request('')));
    expect(error).toMatchObject({ code: 'EMPTY_DOCUMENT', details: { field: 'body' } });
    expect(allJobs()).toEqual([]);
  });
});

describe('JobsService.submit: Idempotency-Key', () => {
  const key = (value: string) => ({ idempotencyKey: value });

  it('a retry gets the first job and queues nothing; another document or other options under the key is IDEMPOTENCY_CONFLICT', async () => {
    setup();
    const first = await service.submit(request('receipt 1\n', key('order-1')));
    const retry = await service.submit(request('receipt 1\n', key('order-1')));
    expect(retry.replayed).toBe(true);
    expect(retry.job.id).toBe(first.job.id);
    expect(allJobs()).toHaveLength(1);
    for (const other of [request('receipt 2\n', key('order-1')), request('receipt 1\n', { ...key('order-1'), headers: { 'star-copies': '2' } })]) {
      expect((await refusal(service.submit(other))).code).toBe('IDEMPOTENCY_CONFLICT');
    }
    expect(allJobs()).toHaveLength(1);
  });

  it('a key is per API key: another key (or none) with the same Idempotency-Key is a new job', async () => {
    setup();
    const first = await service.submit(request('same\n', key('shared')));
    const other = await service.submit(request('same\n', { ...key('shared'), keyId: 'key-2' }));
    const keyless = await service.submit(request('same\n', { ...key('shared'), keyId: null }));
    expect(new Set([first.job.id, other.job.id, keyless.job.id]).size).toBe(3);
    expect(other.replayed).toBe(false);
  });

  it('concurrent tries of one new request: one job, every answer names it', async () => {
    setup();
    const answers = await Promise.all(Array.from({ length: 5 }, () => service.submit(request('Order 79\n', key('pos-79')))));
    expect(new Set(answers.map((answer) => answer.job.id)).size).toBe(1);
    expect(allJobs()).toHaveLength(1);
  });

  it('the window is 24 hours: within it a retry is the first job, after it the key prints anew', async () => {
    setup();
    const first = await service.submit(request('Receipt one\n', key('till-1')));
    engine.advance(23 * 3600_000);
    expect((await service.submit(request('Receipt one\n', key('till-1')))).job.id).toBe(first.job.id);
    expect((await refusal(service.submit(request('Receipt two\n', key('till-1'))))).code).toBe('IDEMPOTENCY_CONFLICT');
    engine.advance(2 * 3600_000);
    const later = await service.submit(request('Receipt two\n', key('till-1')));
    expect(later.replayed).toBe(false);
    expect(later.job.id).not.toBe(first.job.id);
  });

  it('a retry gets its first answer even once the queue is full; a new key is refused', async () => {
    setup({ limits: { maxQueuedJobs: 1 } });
    const first = await service.submit(request('ticket\n', key('order-7')));
    const retry = await service.submit(request('ticket\n', key('order-7')));
    expect(retry).toMatchObject({ replayed: true, job: { id: first.job.id } });
    expect((await refusal(service.submit(request('other\n', key('order-8'))))).code).toBe('QUEUE_FULL');
  });

  it('a malformed Idempotency-Key is BAD_REQUEST naming it', async () => {
    setup();
    for (const bad of ['', 'with space', 'x'.repeat(201), 'ünïcode']) {
      expect(await refusal(service.submit(request('x\n', key(bad))))).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'Idempotency-Key' } });
    }
  });
});

describe('JobsService.submit: refusals of the queue, the printer and the disk', () => {
  it('past limits.maxQueuedJobs: QUEUE_FULL with Retry-After, the document never read; finished jobs do not count', async () => {
    setup({ limits: { maxQueuedJobs: 2 } });
    const a = await service.submit(request('a\n'));
    await service.submit(request('b\n'));
    const body = unreadable();
    const full = await refusal(service.submit(request(body)));
    expect(full.code).toBe('QUEUE_FULL');
    expect(full.headers['Retry-After']).toMatch(/^\d+$/);
    expect(full.message).toContain('limits.maxQueuedJobs = 2');
    expect(body.wasRead()).toBe(false);
    expect(spooled()).toEqual([]);
    // Queues are per printer.
    expect((await service.submit(request('k\n', { printer: engine.registry.get('kitchen')! }))).queuedJobs).toBe(1);
    service.cancel(a.job.id);
    expect((await service.submit(request('c\n'))).queuedJobs).toBe(2);
  });

  it('a printer that cannot be driven refuses its jobs with the engine\'s reason', async () => {
    setup({
      jobEngine: (fixture) => {
        const dispatcher = fixture.dispatcher({
          openTransport: (printer) => {
            if (printer.id === 'kitchen') throw new AppError('UNSUPPORTED_URI', 'printer kitchen: no transport for "memory:"');
            return fixture.transport;
          },
        });
        dispatcher.start();
        return dispatcher;
      },
    });
    const error = await refusal(service.submit(request('x', { printer: engine.registry.get('kitchen')!, contentType: 'application/octet-stream' })));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_URI', message: 'printer kitchen: no transport for "memory:"', details: { printer: 'kitchen' } });
    expect((await service.submit(request('fine\n'))).job.state).toBe('pending');
  });

  it('while the storage guard says the disk is full: 507 INSUFFICIENT_STORAGE with Retry-After, before the body is read', async () => {
    setup();
    storage.noteFull();
    const body = unreadable();
    const error = await refusal(service.submit(request(body)));
    expect(error.code).toBe('INSUFFICIENT_STORAGE');
    expect(error.status).toBe(507);
    expect(error.headers['Retry-After']).toBe('30');
    expect(body.wasRead()).toBe(false);
  });

  it('a full disk met at the insert (SQLITE_FULL) is 507 too, the guard is told, and the spooled document is removed', async () => {
    setup();
    engine.fillDisk();
    // Large enough for the spool: the file written before the insert must not stay behind.
    const error = await refusal(service.submit(request(Buffer.alloc(200 * 1024, 0x41), { contentType: 'text/plain' })));
    expect(error.code).toBe('INSUFFICIENT_STORAGE');
    expect(error.headers['Retry-After']).toBe('30');
    expect(storage.full).toBe(true);
    expect(spooled()).toEqual([]);
    expect(engine.logged('disk full: new documents are refused until space returns; accepted jobs still print')).toHaveLength(1);
    engine.freeDisk();
  });
});

/** The first bytes of a PNG: signature and IHDR (enough for a size check; no pixels). */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]);
}
