import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/driver-api/index.js';
import type { Job } from '../../../src/jobs/job-store.js';
import { inlineRenderer, type Renderer } from '../../../src/jobs/renderer.js';
import { fixturePerTest, STATUS, type EngineFixture, type EngineOptions } from './engine-fixture.js';

const newEngine = fixturePerTest();
let engine: EngineFixture;
const setup = (options: EngineOptions = {}): EngineFixture => (engine = newEngine(options));

/** The kinds of exchanges on one connection: write, query, … */
function kinds(connection = engine.transport.connections.at(-1)!): string[] {
  return connection.exchanges.map((exchange) => exchange.kind);
}

/** Makes the status checker know the printer answers (as the worker's first look does). */
async function firstLook(status: { check(signal: AbortSignal): Promise<unknown> }): Promise<void> {
  await status.check(new AbortController().signal);
}

describe('JobDelivery: a batch on one connection', () => {
  it('a silent printer: the jobs go back to back, the half-close is answered by its close, which confirms them all', async () => {
    const { transport } = setup({ statusQuery: false });
    const jobs = ['one\n', 'two\n', 'three\n'].map((body) => engine.submit(body));
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(transport.connections).toHaveLength(1);
    expect(transport.connections[0]).toMatchObject({ kind: 'session', state: 'finished' });
    expect(kinds()).toEqual(['write', 'write', 'write']);
    expect(transport.received().toString()).toBe('one\ntwo\nthree\n');
    for (const job of jobs) expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1, completedAt: expect.any(String) });
    expect(engine.status()).toMatchObject({ state: 'idle', lastSeenAt: expect.any(String) });
    // pending → processing → completed, each job told once per step.
    expect(engine.emitted.filter((job) => job.id === jobs[0]!.id).map((job) => job.state)).toEqual(['pending', 'processing', 'completed']);
  });

  it('a silent printer: the jobs its close confirmed are recorded in one commit, then each is told and logged', async () => {
    setup({ statusQuery: false });
    const jobs = ['one\n', 'two\n', 'three\n', 'four\n'].map((body) => engine.submit(body));
    // Commits: the outermost transactions (each turn's writes are one: JobStore.inTurn); which one each completion was in.
    let commits = 0;
    const completedIn = new Set<number>();
    const inOneTransaction = engine.store.inOneTransaction.bind(engine.store);
    engine.store.inOneTransaction = (work) => {
      if (!engine.db.inTransaction) commits += 1;
      inOneTransaction(work);
    };
    const transition = engine.store.transition.bind(engine.store);
    engine.store.transition = ((...args: Parameters<typeof transition>) => {
      if (args[1] === 'completed') completedIn.add(commits);
      return transition(...args);
    }) as typeof transition;
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    // Processing marked (one commit), their bytes noted as going out (one), the four completions (one).
    expect(commits).toBe(3);
    expect(completedIn.size).toBe(1);
    for (const job of jobs) expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(engine.emitted.filter((job) => job.state === 'completed').map((job) => job.id)).toEqual(jobs.map((job) => job.id));
    expect(engine.logged('job completed').map((line) => [line.jobId, line.bytes])).toEqual(jobs.map((job, index) => [job.id, ['one\n', 'two\n', 'three\n', 'four\n'][index]!.length]));
  });

  it('a printer that answers: its status is asked on the same connection after each job, which confirms it; the connection stays open for the next batch', async () => {
    const { transport } = setup();
    transport.script.status = STATUS.ready;
    const { delivery, status } = engine.delivery();
    await firstLook(status);
    const jobs = ['one\n', 'two\n', 'three\n'].map((body) => engine.submit(body));
    expect(await delivery.deliver(engine.pending())).toBe('next');
    const session = transport.connections.find((connection) => connection.kind === 'session')!;
    expect(kinds(session)).toEqual(['write', 'query', 'write', 'query', 'write', 'query']);
    expect(session.state).toBe('open');
    for (const job of jobs) expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null });

    // A moment later (the answer is fresh) the next batch goes on the same connection without a pre-flight.
    const next = engine.submit('four\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(transport.connections.filter((connection) => connection.kind === 'session')).toHaveLength(1);
    expect(kinds(session).slice(6)).toEqual(['write', 'query']);
    // Later the answer is stale: the printer is asked first, on the open connection.
    engine.advance(10_000);
    const later = engine.submit('five\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(kinds(session).slice(8)).toEqual(['query', 'write', 'query']);
    expect(engine.job(next.id).state).toBe('completed');
    expect(engine.job(later.id).state).toBe('completed');
  });

  it('a printer that never closes its side: the jobs complete unconfirmed, and after twice it is said once', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.closeOnFinish = false;
    const { delivery } = engine.delivery();
    for (let batch = 0; batch < 3; batch += 1) {
      const job = engine.submit(`batch ${batch}\n`);
      expect(await delivery.deliver(engine.pending())).toBe('next');
      expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: 'completed-unconfirmed' });
    }
    expect(engine.logged('printer does not close connections: its jobs complete unconfirmed (status queries confirm them where the printer answers)')).toHaveLength(1);
  });

  it('a connection lost mid-batch under reprint: the jobs written before and the one cut off are sent again and say so, once the printer is back', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { inFlightAfterRestart: 'reprint' } });
    const [a, b, c, d] = ['job-a\n', 'job-b\n', 'job-c\n', 'job-d\n'].map((body) => engine.submit(body));
    transport.dropAfterBytes(15);
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('printer-stopped');
    expect(engine.job(a!.id)).toMatchObject({ state: 'pending', stateReason: 'resent-after-connection-loss', attempts: 0 });
    expect(engine.job(b!.id)).toMatchObject({ state: 'pending', stateReason: 'resent-after-connection-loss', attempts: 0 });
    // Cut off while its bytes went out: some may have reached the printer.
    expect(engine.job(c!.id)).toMatchObject({ state: 'pending', stateReason: 'resent-after-connection-loss', attempts: 0, errorCode: 'PRINTER_UNREACHABLE' });
    expect(engine.job(d!.id)).toMatchObject({ state: 'pending', stateReason: null, attempts: 0 });
    expect(engine.status()).toMatchObject({ state: 'stopped', reasons: ['offline'] });
    expect(transport.connections[0]!.state).toBe('dropped');
    expect(engine.logged('connection lost after the job was sent: it may have printed')).toHaveLength(2);

    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(transport.documents()[1]!.toString()).toBe('job-a\njob-b\njob-c\njob-d\n');
    // A job sent twice keeps saying so once it completes.
    expect(engine.job(a!.id)).toMatchObject({ state: 'completed', stateReason: 'resent-after-connection-loss', attempts: 1 });
    expect(engine.job(c!.id)).toMatchObject({ state: 'completed', stateReason: 'resent-after-connection-loss', attempts: 1 });
    expect(engine.job(d!.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
  });

  it('a connection lost mid-batch under hold: the jobs written before and the one cut off are held for a person, the rest wait', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { inFlightAfterRestart: 'hold' } });
    const [a, b, c] = ['job-a\n', 'job-b\n', 'job-c\n'].map((body) => engine.submit(body));
    transport.dropAfterBytes(8);
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('printer-stopped');
    expect(engine.job(a!.id)).toMatchObject({ state: 'held', stateReason: 'held-after-connection-loss' });
    // Two bytes of b reached the printer: under hold it may not print again without a person.
    expect(engine.job(b!.id)).toMatchObject({ state: 'held', stateReason: 'held-after-connection-loss', errorCode: 'PRINTER_UNREACHABLE' });
    expect(engine.job(c!.id)).toMatchObject({ state: 'pending', stateReason: null });
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(transport.documents()[1]!.toString()).toBe('job-c\n');
    expect(engine.job(a!.id).state).toBe('held');
  });

  it('a cancel of the last job while the printer is yet to close: its bytes are out, so the others are not lost (never sent again)', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { confirmTimeoutMs: 5000 } });
    transport.script.closeOnFinish = false;
    const [a, b, c] = ['job-a\n', 'job-b\n', 'job-c\n'].map((body) => engine.submit(body));
    const { delivery } = engine.delivery();
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the half-close', () => transport.waitingForClose === 1);
    engine.store.transition(c!.id, 'canceled', { stateReason: 'canceled-by-user' }, ['processing']);
    delivery.cancel(c!.id);
    transport.closeFinished();
    expect(await delivering).toBe('next');
    expect(engine.job(a!.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(engine.job(b!.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(engine.job(c!.id)).toMatchObject({ state: 'canceled', stateReason: 'canceled-by-user' });
    expect(transport.connections.map((connection) => connection.state)).toEqual(['finished']);
    expect(engine.logged('job completed').map((entry) => entry.jobId)).toEqual([a!.id, b!.id]);
  });

  it('stopping between two jobs of a batch: the rest go back to the queue, the written one is confirmed by the printer\'s close (not sent again)', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.holdWrites = true;
    const [a, b] = ['job-a\n', 'job-b\n'].map((body) => engine.submit(body));
    const { delivery, state } = engine.delivery();
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the first job on the wire', () => transport.heldWrites === 1);
    state.stopping = true;
    transport.resumeWrites();
    expect(await delivering).toBe('next');
    expect(engine.job(a!.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(engine.job(b!.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown', attempts: 0 });
    expect(transport.connections[0]!.state).toBe('finished');
  });
});

/** A stand-in for the worker: `more()` says jobs were queued (they are then read from the queue); each wait is recorded. */
function announcer(): { moreJobs: (ms: number, limit: number) => Promise<Job[] | null>; more: () => void; waits: number[] } {
  const woken = wakeups();
  return {
    waits: woken.waits,
    more: woken.more,
    moreJobs: async (ms, limit) => ((await woken.wait(ms)) ? engine.store.pending(engine.printer.id, limit) : null),
  };
}

function wakeups(): { wait: (ms: number) => Promise<boolean>; more: () => void; waits: number[] } {
  let wake: ((notified: boolean) => void) | null = null;
  let pending = false;
  const waits: number[] = [];
  return {
    waits,
    more: () => {
      if (wake) wake(true);
      else pending = true;
    },
    wait: (ms) => {
      waits.push(ms);
      if (pending) {
        pending = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve(false);
        }, ms);
        wake = (notified) => {
          clearTimeout(timer);
          wake = null;
          resolve(notified);
        };
      });
    },
  };
}

describe('JobDelivery: a silent printer\'s connection lingers for the next jobs', () => {
  it('a job queued while the connection lingers goes on it at once; the close then confirms both', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const { moreJobs, more, waits } = announcer();
    const first = engine.submit('one\n');
    const { delivery } = engine.delivery({ moreJobs });
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the linger', () => waits.length === 1);
    expect(engine.job(first.id)).toMatchObject({ state: 'processing', sentAt: expect.any(String) });
    expect(transport.received().toString()).toBe('one\n');
    const second = engine.submit('two\n');
    more();
    await engine.until('the second linger', () => waits.length === 2);
    // Written on the same connection before anything was confirmed: not yet half-closed.
    expect(transport.connections).toHaveLength(1);
    expect(transport.connections[0]!.state).toBe('open');
    expect(transport.received().toString()).toBe('one\ntwo\n');
    expect(engine.job(second.id)).toMatchObject({ state: 'processing', sentAt: expect.any(String) });
    more(); // an announcement without a job (a cancel wakes the worker too): the close confirms what was written
    expect(await delivering).toBe('next');
    expect(waits).toEqual([1000, 1000]);
    expect(transport.connections).toHaveLength(1);
    expect(transport.connections[0]).toMatchObject({ kind: 'session', state: 'finished' });
    for (const job of [first, second]) expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(delivery.settledAll).toBe(true);
    expect(delivery.mayHaveMore).toBe(false);
  });

  it('no job within sessionLingerMs: the connection is finished and its close confirms the job', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 10 } });
    const { moreJobs, waits } = announcer();
    const job = engine.submit('alone\n');
    const { delivery } = engine.delivery({ moreJobs });
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(waits).toEqual([10]);
    expect(transport.connections[0]).toMatchObject({ kind: 'session', state: 'finished' });
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null });
  });

  it('sessionLingerMs 0: no wait, the connection is finished after the batch', async () => {
    setup({ statusQuery: false, jobs: { sessionLingerMs: 0 } });
    const { moreJobs, waits } = announcer();
    engine.submit('alone\n');
    const { delivery } = engine.delivery({ moreJobs });
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(waits).toEqual([]);
  });

  it('a printer that answers status is not kept waiting: its connection is kept open by the worker as before', async () => {
    const { transport } = setup({ jobs: { sessionLingerMs: 1000 } });
    transport.script.status = STATUS.ready;
    const { moreJobs, waits } = announcer();
    const { delivery, status } = engine.delivery({ moreJobs });
    await firstLook(status);
    const job = engine.submit('one\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(waits).toEqual([]);
    expect(engine.job(job.id).state).toBe('completed');
  });

  it('stopping while it lingers: the close confirms what was written, nothing is sent again', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const { moreJobs, more, waits } = announcer();
    const job = engine.submit('one\n');
    const { delivery, state } = engine.delivery({ moreJobs });
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the linger', () => waits.length === 1);
    state.stopping = true;
    more();
    expect(await delivering).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(transport.connections[0]!.state).toBe('finished');
  });

  it('a connection lost after a lingered job: every job written on it follows the policy (sent again, and says so)', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000, inFlightAfterRestart: 'reprint' } });
    const { moreJobs, more, waits } = announcer();
    const a = engine.submit('job-a\n');
    const { delivery } = engine.delivery({ moreJobs });
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the linger', () => waits.length === 1);
    transport.dropAfterBytes(3);
    const b = engine.submit('job-b\n');
    more();
    expect(await delivering).toBe('printer-stopped');
    expect(engine.job(a.id)).toMatchObject({ state: 'pending', stateReason: 'resent-after-connection-loss', attempts: 0 });
    expect(engine.job(b.id)).toMatchObject({ state: 'pending', stateReason: 'resent-after-connection-loss', errorCode: 'PRINTER_UNREACHABLE' });
  });

  it('at most 64 jobs on one lingering connection; a full page taken tells the worker more may wait unannounced', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const { moreJobs, more, waits } = announcer();
    engine.submit('first\n');
    const { delivery } = engine.delivery({ moreJobs });
    const delivering = delivery.deliver(engine.pending());
    await engine.until('the linger', () => waits.length === 1);
    expect(delivery.mayHaveMore).toBe(false);
    for (let i = 0; i < 70; i += 1) engine.submit(`job ${i}\n`);
    more(); // 32 jobs (a page) are taken
    await engine.until('the second linger', () => waits.length === 2);
    more(); // 31 more: the connection is full, it is finished without waiting again
    expect(await delivering).toBe('next');
    expect(waits).toHaveLength(2);
    expect(transport.connections).toHaveLength(1);
    expect(engine.store.countQueued(engine.printer.id)).toBe(7);
    expect(engine.pending()).toHaveLength(7);
    expect(delivery.mayHaveMore).toBe(true);
  });
});

describe('JobDelivery: what the printer says decides', () => {
  it('asked first when its last answer is stale: out of paper, nothing is sent and the first job says why', async () => {
    const { transport } = setup();
    transport.script.status = STATUS.ready;
    const { delivery, status, state } = engine.delivery();
    await firstLook(status);
    engine.advance(10_000);
    transport.script.status = STATUS.paperOut;
    const [a, b] = ['a\n', 'b\n'].map((body) => engine.submit(body));
    expect(await delivery.deliver(engine.pending())).toBe('printer-blocked');
    expect(state.blocking).toEqual(['media-empty']);
    expect(engine.job(a!.id)).toMatchObject({ state: 'pending', stateReason: 'media-empty', attempts: 0 });
    expect(engine.job(b!.id)).toMatchObject({ state: 'pending', stateReason: null, attempts: 0 });
    expect(transport.received().length).toBe(0);
    expect(engine.status()).toMatchObject({ state: 'stopped', reasons: ['media-empty'] });
  });

  it('paper out right after the job: the printer keeps it, it waits as processing and completes when the paper is in — never sent twice', async () => {
    const { transport } = setup();
    // Ready at the first look, out of paper twice after the job, then ready.
    transport.script.status = (n) => (n === 1 || n === 2 ? STATUS.paperOut : STATUS.ready);
    const { delivery, status, recoveryWaits } = engine.delivery();
    await firstLook(status);
    const job = engine.submit('kept inside\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(recoveryWaits()).toBe(2);
    expect(transport.received().toString()).toBe('kept inside\n');
    expect(engine.logged('printer stopped with the job inside; it completes when the printer is ready')).toHaveLength(1);
    expect(engine.emitted.filter((event) => event.id === job.id).map((event) => event.state)).toEqual(['pending', 'processing', 'completed']);
  });

  it('a cutter error right after the job: it may be spoilt, so it is held; the jobs behind it go back to the queue', async () => {
    const { transport } = setup();
    transport.script.status = (n) => (n === 1 ? STATUS.cutterError : STATUS.ready);
    const { delivery, status, state } = engine.delivery();
    await firstLook(status);
    const [a, b] = ['a\n', 'b\n'].map((body) => engine.submit(body));
    expect(await delivery.deliver(engine.pending())).toBe('printer-blocked');
    expect(engine.job(a!.id)).toMatchObject({ state: 'held', stateReason: 'cutter-error' });
    expect(engine.job(b!.id)).toMatchObject({ state: 'pending', stateReason: null, attempts: 0 });
    expect(state.blocking).toEqual(['cutter-error']);
    expect(engine.status().state).toBe('stopped');
    expect(engine.logged('job held for a person')).toHaveLength(1);
  });

  it('a printer that stops answering after the job: it took every byte, so the job completes unconfirmed, never sent again', async () => {
    const { transport } = setup();
    transport.script.status = (n) => (n === 0 ? STATUS.ready : null);
    const { delivery, status } = engine.delivery();
    await firstLook(status);
    const job = engine.submit('then silence\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: 'completed-unconfirmed' });
  });

  it('one exchange per job where the transport has no sessions: each send confirmed, or by a status query on its own connection', async () => {
    const { transport } = setup({ transport: { sessions: false } });
    transport.script.status = STATUS.ready;
    const { delivery, status } = engine.delivery();
    await firstLook(status);
    const [a, b] = ['a\n', 'b\n'].map((body) => engine.submit(body));
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(transport.connections.map((connection) => connection.kind)).toEqual(['query', 'send', 'query', 'send', 'query']);
    expect(engine.job(a!.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(engine.job(b!.id)).toMatchObject({ state: 'completed', stateReason: null });
  });

  it('without sessions and without a status query, the transport\'s own confirmation decides', async () => {
    const { transport } = setup({ statusQuery: false, transport: { sessions: false } });
    transport.script.closeOnFinish = false;
    const job = engine.submit('unconfirmed\n');
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: 'completed-unconfirmed' });
    transport.script.closeOnFinish = true;
    const confirmed = engine.submit('confirmed\n');
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(confirmed.id)).toMatchObject({ state: 'completed', stateReason: null });
  });

  it('an error the catalogue says fail aborts the job with its code; the next job of the batch is sent', async () => {
    const { transport } = setup({ statusQuery: false, transport: { sessions: false } });
    transport.failWrites(new DriverError('PRINTER_REJECTED_JOB', 'the printer answered 411 Paper jam', { details: { printerCode: '411 Paper jam' } }));
    const [a, b] = ['a\n', 'b\n'].map((body) => engine.submit(body));
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(a!.id)).toMatchObject({ state: 'aborted', stateReason: 'printer-rejected-job', errorCode: 'PRINTER_REJECTED_JOB', printerCode: '411 Paper jam' });
    expect(engine.job(b!.id)).toMatchObject({ state: 'completed' });
  });
});

describe('JobDelivery: documents', () => {
  const picky: Renderer = {
    async render(language, input) {
      const text = Buffer.from(input.body).toString();
      if (text === 'huge') throw new DriverError('DOCUMENT_TOO_COMPLEX', 'the document needs 9e9 pixels; limits.render.maxPixels is 3e7');
      if (text === 'broken') throw new Error('unexpected end of PNG');
      return inlineRenderer.render(language, input);
    },
    preview: (language, input) => inlineRenderer.preview(language, input),
  };

  it('a document that cannot be rendered is aborted with its code and message; the rest of the batch prints', async () => {
    const { transport } = setup({ statusQuery: false, renderer: picky });
    const [huge, broken, fine] = ['huge', 'broken', 'fine\n'].map((body) => engine.submit(body));
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(huge!.id)).toMatchObject({ state: 'aborted', stateReason: 'document-too-complex', errorCode: 'DOCUMENT_TOO_COMPLEX' });
    expect(engine.job(huge!.id).errorMessage).toContain('maxPixels');
    expect(engine.job(broken!.id)).toMatchObject({ state: 'aborted', stateReason: 'document-format-error', errorCode: 'DOCUMENT_FORMAT_ERROR', errorMessage: 'unexpected end of PNG' });
    expect(engine.job(fine!.id)).toMatchObject({ state: 'completed' });
    expect(transport.received().toString()).toBe('fine\n');
  });

  it('a document whose rendering was started three times and never finished (it crashed the gateway) is not tried again', async () => {
    const { transport } = setup({ statusQuery: false });
    const job = engine.submit('crashes the renderer');
    for (let crash = 0; crash < 3; crash += 1) engine.store.renderStarted(engine.job(job.id));
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'aborted', stateReason: 'document-format-error', errorCode: 'DOCUMENT_FORMAT_ERROR' });
    expect(engine.job(job.id).errorMessage).toContain('started 3 times');
    expect(transport.connections).toHaveLength(0);
  });

  it('render starts of a batch are one commit; after a crash only the document that killed the gateway gathers starts, never the jobs behind it', async () => {
    // A renderer that never comes back from the bomb: the gateway "died" while rendering it.
    const crashing: Renderer = {
      render: (language, input) => (Buffer.from(input.body).toString() === 'bomb' ? new Promise(() => undefined) : inlineRenderer.render(language, input)),
      preview: (language, input) => inlineRenderer.preview(language, input),
    };
    const { transport } = setup({ statusQuery: false, renderer: crashing });
    const rendered = { ...engine.language, passThrough: [] };
    const [first, bomb, behind] = ['first\n', 'bomb', 'behind\n'].map((body) => engine.submit(body));
    let transactions = 0;
    const transaction = engine.db.transaction.bind(engine.db);
    engine.db.transaction = ((work: (...args: unknown[]) => unknown) => {
      const run = transaction(work);
      return (...args: unknown[]) => {
        transactions += 1;
        return run(...args);
      };
    }) as typeof engine.db.transaction;
    void engine.delivery({ language: rendered }).delivery.deliver(engine.pending());
    await engine.until('the bomb in the renderer', () => engine.job(first!.id).renderAttempts === 1);
    expect(transactions).toBe(1);
    expect([first, bomb, behind].map((job) => engine.job(job!.id).renderAttempts)).toEqual([1, 1, 1]);
    // Each restart takes the batch one job at a time: the start is counted just before its render.
    for (let restart = 2; restart <= 3; restart += 1) {
      void engine.delivery({ language: rendered }).delivery.deliver(engine.pending());
      await engine.until('the bomb in the renderer again', () => engine.job(bomb!.id).renderAttempts === restart);
      expect(engine.job(behind!.id).renderAttempts).toBe(1);
    }
    expect(await engine.delivery({ language: rendered }).delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(bomb!.id)).toMatchObject({ state: 'aborted', errorCode: 'DOCUMENT_FORMAT_ERROR' });
    expect(engine.job(first!.id)).toMatchObject({ state: 'completed', renderAttempts: 0 });
    expect(engine.job(behind!.id)).toMatchObject({ state: 'completed', renderAttempts: 0 });
    expect(transport.received().toString()).toBe('first\nbehind\n');
  });

  /** A renderer that holds every document until `hold` of them are in, then answers them last first (or after 100 ms). */
  function holdingRenderer(hold: number): { renderer: Renderer; most: () => number } {
    let inFlight = 0;
    let most = 0;
    let held: (() => void)[] = [];
    let timer: NodeJS.Timeout | null = null;
    const release = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      const answers = held.reverse();
      held = [];
      for (const answer of answers) answer();
    };
    const renderer: Renderer = {
      render: (language, input) =>
        new Promise((resolve, reject) => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          held.push(() => {
            inFlight -= 1;
            inlineRenderer.render(language, input).then(resolve, reject);
          });
          if (held.length >= hold) release();
          else timer ??= setTimeout(release, 100);
        }),
      preview: (language, input) => inlineRenderer.preview(language, input),
    };
    return { renderer, most: () => most };
  }

  it('documents go to the renderer several at a time (the next is ready when a thread is free) and print in queue order however they come back', async () => {
    const holding = holdingRenderer(5);
    const { transport } = setup({ statusQuery: false, renderer: holding.renderer });
    const jobs = ['one\n', 'two\n', 'three\n', 'four\n', 'five\n'].map((body) => engine.submit(body));
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(holding.most()).toBe(5);
    expect(transport.received().toString()).toBe('one\ntwo\nthree\nfour\nfive\n');
    for (const job of jobs) expect(engine.job(job.id).state).toBe('completed');
  });

  it('at most 8 documents are at the renderer at once, and a large one goes alone', async () => {
    const holding = holdingRenderer(100);
    setup({ statusQuery: false, renderer: holding.renderer });
    for (let i = 0; i < 12; i += 1) engine.submit(`receipt ${i}\n`);
    expect(await engine.delivery().delivery.deliver(engine.pending())).toBe('next');
    expect(holding.most()).toBe(8);
    const large = holdingRenderer(100);
    setup({ statusQuery: false, renderer: large.renderer });
    for (let i = 0; i < 3; i += 1) engine.submit(Buffer.alloc(700 * 1024, 0x41 + i));
    expect(await engine.delivery().delivery.deliver(engine.pending())).toBe('next');
    expect(large.most()).toBe(1);
    expect(engine.transport.received().length).toBe(3 * 700 * 1024);
  });

  it('a renderer that cannot start is not the document\'s fault: the job waits, saying why, the worker pauses, and it prints once the renderer works', async () => {
    let broken = true;
    const renderer: Renderer = {
      render: (language, input) =>
        broken ? Promise.reject(new DriverError('INTERNAL', 'the render threads cannot start (a module is missing); the job is tried again')) : inlineRenderer.render(language, input),
      preview: (language, input) => inlineRenderer.preview(language, input),
    };
    const { transport } = setup({ statusQuery: false, renderer });
    const job = engine.submit('kept\n');
    // A language that renders (its starts are counted): tries while the renderer is down never add up to a "killer" document.
    const { delivery } = engine.delivery({ language: { ...engine.language, passThrough: [] } });
    for (let retry = 0; retry < 4; retry += 1) {
      expect(await delivery.deliver(engine.pending())).toBe('retry-later');
      expect(engine.job(job.id)).toMatchObject({ state: 'pending', stateReason: 'internal-error', errorCode: null, attempts: 0, renderAttempts: 0 });
    }
    expect(engine.logs.find('job waits: the renderer failed, not its document')).toHaveLength(4);
    broken = false;
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', attempts: 1 });
    expect(transport.received().toString()).toBe('kept\n');
  });

  it('a render cut short because the gateway stops leaves the job pending as it was', async () => {
    let state: { stopping: boolean } | null = null;
    const stopsMidRender: Renderer = {
      render: () => {
        // The gateway is asked to stop while the document is at the renderer, which is closed under it.
        state!.stopping = true;
        return Promise.reject(new DriverError('SHUTTING_DOWN', 'the gateway is stopping; the job is rendered when it starts again'));
      },
      preview: (language, input) => inlineRenderer.preview(language, input),
    };
    const { transport } = setup({ statusQuery: false, renderer: stopsMidRender });
    const job = engine.submit('later\n');
    const made = engine.delivery();
    state = made.state;
    await made.delivery.deliver(engine.pending());
    expect(engine.job(job.id)).toMatchObject({ state: 'pending', stateReason: null, errorCode: null, attempts: 0 });
    expect(transport.connections).toHaveLength(0);
  });

  it('a large document is read from the spool', async () => {
    const { transport } = setup({ statusQuery: false });
    const { Readable } = await import('node:stream');
    const body = Buffer.alloc(100 * 1024, 0x41);
    const document = await engine.spool.write(Readable.from([body]), 1 << 20);
    const job = engine.submit(Buffer.alloc(0), { spoolFile: document.file, document: null, bytes: document.bytes });
    const { delivery } = engine.delivery();
    expect(await delivery.deliver(engine.pending())).toBe('next');
    expect(engine.job(job.id).state).toBe('completed');
    expect(transport.received().equals(body)).toBe(true);
  });
});
