import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/jobs/job-store.js';
import type { JobsService, Viewer } from '../../../src/jobs/jobs-service.js';
import type { EngineFixture } from './engine-fixture.js';
import { refusal, servicePerTest, type ServiceFixture, type ServiceOptions } from './jobs-service-fixture.js';

/** JobsService: get, list, cancel, release, flush and preview, with the visibility of a key's groups. */

const make = servicePerTest();
let engine: EngineFixture;
let service: JobsService;
let request: ServiceFixture['request'];

function setup(options: ServiceOptions = {}): JobsService {
  ({ engine, service, request } = make(options));
  return service;
}

describe('JobsService: get, list and their visibility', () => {
  const shopOnly: Viewer = { groups: ['shop'] };

  async function some(): Promise<{ till: Job[]; kitchen: Job[] }> {
    const till: Job[] = [];
    const kitchen: Job[] = [];
    for (let i = 0; i < 3; i += 1) {
      till.push((await service.submit(request(`t${i}\n`))).job);
      kitchen.push((await service.submit(request(`k${i}\n`, { printer: engine.registry.get('kitchen')! }))).job);
      engine.advance(1000);
    }
    return { till, kitchen };
  }

  it('a key limited to groups sees only their jobs; another group\'s job does not exist for it', async () => {
    setup();
    const { till, kitchen } = await some();
    expect(service.get(till[0]!.id, shopOnly).id).toBe(till[0]!.id);
    expect(service.get(kitchen[0]!.id).id).toBe(kitchen[0]!.id);
    expect((() => service.get(kitchen[0]!.id, shopOnly))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(service.list({ limit: 200 }, shopOnly).jobs.map((job) => job.id)).toEqual(till.map((job) => job.id).reverse());
    expect((() => service.cancel(kitchen[0]!.id, shopOnly))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(engine.job(kitchen[0]!.id).state).toBe('pending');
  });

  it('lists newest first in pages: `next` continues after the last job of a page, to the end', async () => {
    setup();
    const { till, kitchen } = await some();
    const everyone = [...till, ...kitchen].sort((x, y) => y.seq - x.seq).map((job) => job.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = service.list({ limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...page.jobs.map((job) => job.id));
      if (page.next === null) break;
      cursor = page.next;
    }
    expect(seen).toEqual(everyone);
    // A cursor is a page boundary of this API, not a number to guess.
    expect(Buffer.from(service.list({ limit: 1 }).next!, 'base64url').toString()).toMatch(/^job:[0-9a-f-]{36}$/);
  });

  it('filters by printer, state and since', async () => {
    setup();
    const { till, kitchen } = await some();
    expect(service.list({ printerId: 'kitchen' }).jobs.map((job) => job.id)).toEqual(kitchen.map((job) => job.id).reverse());
    service.cancel(till[1]!.id);
    expect(service.list({ state: 'canceled' }).jobs.map((job) => job.id)).toEqual([till[1]!.id]);
    expect(service.list({ since: till[2]!.updatedAt }).jobs.map((job) => job.id)).toEqual(expect.arrayContaining([till[2]!.id, kitchen[2]!.id, till[1]!.id]));
    expect(service.list({ since: new Date(engine.now().getTime() + 3600_000).toISOString() })).toEqual({ jobs: [], next: null });
  });

  it('bad queries are BAD_REQUEST naming the field; a cursor of a job the viewer cannot see is not a cursor', async () => {
    setup();
    const { kitchen } = await some();
    for (const [query, field] of [
      [{ state: 'lost' }, 'state'],
      [{ since: 'yesterday' }, 'since'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ cursor: 'zzz' }, 'cursor'],
    ] as const) {
      expect((() => service.list(query)), field).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', details: { field } }));
    }
    const kitchenCursor = Buffer.from(`job:${kitchen[0]!.id}`).toString('base64url');
    expect(service.list({ cursor: kitchenCursor }).jobs.length).toBeGreaterThan(0);
    expect((() => service.list({ cursor: kitchenCursor }, shopOnly))).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', details: { field: 'cursor' } }));
  });
});

describe('JobsService: cancel, release, flush', () => {
  it('cancel: a job that has not finished is canceled and the engine told; a finished one is CONFLICT saying its state', async () => {
    const canceled: string[] = [];
    setup({ jobEngine: () => ({ queued: () => undefined, canceled: (job) => canceled.push(job.id), refusal: () => null }) });
    const job = (await service.submit(request('x\n'))).job;
    expect(service.cancel(job.id)).toMatchObject({ state: 'canceled', stateReason: 'canceled-by-user' });
    expect(canceled).toEqual([job.id]);
    expect((() => service.cancel(job.id))).toThrow(expect.objectContaining({ code: 'CONFLICT', details: { state: 'canceled' } }));
    expect((() => service.cancel('00000000-0000-0000-0000-000000000000'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('release: a held job goes back to its queue and the engine is told; anything else is CONFLICT', async () => {
    const queued: string[] = [];
    setup({ jobEngine: () => ({ queued: (job) => queued.push(job.id), canceled: () => undefined, refusal: () => null }) });
    const job = (await service.submit(request('x\n'))).job;
    expect((() => service.release(job.id))).toThrow(expect.objectContaining({ code: 'CONFLICT', details: { state: 'pending' } }));
    engine.store.transition(job.id, 'held', { stateReason: 'held-after-restart' });
    expect(service.release(job.id)).toMatchObject({ state: 'pending', stateReason: 'released-by-user' });
    expect(queued).toEqual([job.id, job.id]);
  });

  it('flush cancels the waiting and held jobs of one printer; cancelAll the one on the wire too', async () => {
    setup();
    const [a, b, c] = [await service.submit(request('a\n')), await service.submit(request('b\n')), await service.submit(request('c\n'))].map((r) => r.job);
    const other = (await service.submit(request('k\n', { printer: engine.registry.get('kitchen')! }))).job;
    engine.store.transition(b!.id, 'held');
    engine.store.transition(c!.id, 'processing');
    expect(service.flush('till').sort()).toEqual([a!.id, b!.id].sort());
    expect(engine.job(c!.id).state).toBe('processing');
    expect(service.cancelAll('till')).toEqual([c!.id]);
    expect(engine.job(other.id).state).toBe('pending');
    expect(service.queuedJobs('till')).toBe(0);
  });

  it('a cancel through the use case cuts the job on the wire short, through the dispatcher', async () => {
    setup({
      statusQuery: false,
      jobEngine: (fixture) => {
        const dispatcher = fixture.dispatcher();
        dispatcher.start();
        return dispatcher;
      },
    });
    engine.transport.script.holdWrites = true;
    const job = (await service.submit(request('cut me\n'))).job;
    await engine.until('the job on the wire', () => engine.transport.heldWrites === 1);
    service.cancel(job.id);
    await engine.until('the connection reset', () => engine.transport.connections.find((connection) => connection.kind === 'session')?.state === 'abandoned');
    expect(engine.transport.received().length).toBe(0);
  });
});

describe('JobsService.preview', () => {
  it('draws the job as its printer prints it; a language without a preview or a document no longer kept say so', async () => {
    setup();
    const job = (await service.submit(request('Preview me\n'))).job;
    const preview = await service.preview(job.id);
    expect(preview.width).toBeGreaterThan(0);
    expect(Buffer.from(preview.png.subarray(1, 4)).toString()).toBe('PNG');
    const raw = (await service.submit(request('raw\n', { printer: engine.registry.get('kitchen')! }))).job;
    expect(await refusal(service.preview(raw.id))).toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
    engine.db.prepare('DELETE FROM job_documents WHERE job_id = ?').run(job.id);
    engine.db.prepare("UPDATE jobs SET spool_file = 'gone.doc' WHERE id = ?").run(job.id);
    expect(await refusal(service.preview(job.id))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
