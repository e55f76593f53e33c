import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/driver-api/index.js';
import type { Job } from '../../../src/jobs/job-store.js';
import type { PrinterWorkerDeps } from '../../../src/jobs/printer-worker.js';
import { fixturePerTest, STATUS, type EngineFixture, type EngineOptions } from './engine-fixture.js';

const newEngine = fixturePerTest();
let engine: EngineFixture;
const setup = (options: EngineOptions = {}): EngineFixture => (engine = newEngine(options));

/** A silent printer's jobs queued, its worker started, and the first job's bytes held on the wire. */
async function onTheWire<const Bodies extends readonly string[]>(options: EngineOptions, bodies: Bodies, worker: Partial<PrinterWorkerDeps> = {}) {
  const { transport } = setup({ statusQuery: false, ...options });
  transport.script.holdWrites = true;
  const jobs = bodies.map((body) => engine.submit(body)) as { [K in keyof Bodies]: Job };
  const started = engine.worker(worker);
  await engine.until('the first job on the wire', () => transport.heldWrites === 1);
  return { transport, jobs, worker: started };
}

describe('PrinterWorker: the printer as a state', () => {
  it('an unreachable printer is stopped/offline, its job waits (attempts not used up), logged once; back online it prints', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.refuse = true;
    const job = engine.submit('late ticket\n');
    engine.worker();
    await engine.settled(job.id, 'pending', 'printer-offline');
    await engine.until('a few probes', () => transport.probes >= 3);
    expect(engine.status()).toMatchObject({ state: 'stopped', reasons: ['offline'] });
    expect(engine.status().lastError).toContain('connection refused');
    expect(engine.job(job.id)).toMatchObject({ attempts: 0, errorCode: 'PRINTER_UNREACHABLE' });

    transport.script.refuse = false;
    const done = await engine.settled(job.id, 'completed', null);
    expect(done.attempts).toBe(1);
    expect(transport.received().toString()).toBe('late ticket\n');
    expect(engine.status()).toMatchObject({ state: 'idle', reasons: [], lastError: null });
    expect(engine.logged('printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(engine.logged('printer back online')).toHaveLength(1);
    expect(engine.logged('printer back online')[0]).toMatchObject({ level: 'info' });
    expect(engine.logged('printer offline; jobs wait until it answers')[0]).toMatchObject({ level: 'error' });
  });

  it('an idle printer is probed every probeMs: one that died shows offline, and back when it answers', async () => {
    const { transport } = setup({ statusQuery: false });
    engine.worker({ probeMs: 5 });
    await engine.until('the first probe', () => transport.probes >= 1);
    transport.script.refuse = true;
    await engine.until('the printer offline', () => engine.status().reasons.includes('offline'));
    transport.script.refuse = false;
    await engine.until('the printer back', () => engine.status().state === 'idle');
    expect(engine.logged('printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(engine.logged('printer back online')).toHaveLength(1);
  });

  it('a printer that answers status queries and then stops answering while idle: offline, logged once at error; its answer ends it', async () => {
    const { transport } = setup({ jobs: { statusPollMs: 5 } });
    transport.script.status = STATUS.ready;
    const worker = engine.worker({ probeMs: 5 });
    await engine.until('a few idle polls', () => transport.statusQueries >= 2);
    transport.script.refuse = true;
    await engine.until('the printer offline', () => engine.status().reasons.includes('offline'));
    expect(engine.status().state).toBe('stopped');
    const job = engine.submit('while it is away\n');
    worker.notify();
    await engine.settled(job.id, 'pending', 'printer-offline');
    await engine.until('more tries', () => transport.refusals >= 4);
    transport.script.refuse = false;
    await engine.settled(job.id, 'completed', null);
    expect(engine.status()).toMatchObject({ state: 'idle', reasons: [] });
    expect(engine.logged('printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(engine.logged('printer back online')).toHaveLength(1);
    expect(engine.logged('printer reports a problem; jobs wait until it clears')).toHaveLength(0);
  });

  it('the same with no job waiting: its next answer says it is back', async () => {
    const { transport } = setup({ jobs: { statusPollMs: 5 } });
    transport.script.status = STATUS.ready;
    engine.worker({ probeMs: 5 });
    await engine.until('a few idle polls', () => transport.statusQueries >= 2);
    transport.script.refuse = true;
    await engine.until('the printer offline', () => engine.status().reasons.includes('offline'));
    await engine.until('more tries', () => transport.refusals >= 4);
    transport.script.refuse = false;
    await engine.until('the printer back', () => engine.status().state === 'idle');
    expect(engine.logged('printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(engine.logged('printer back online')).toHaveLength(1);
    expect(engine.logged('printer ready again')).toHaveLength(0);
  });

  it('blocked by a status answer (paper out): jobs wait saying why, nothing is sent; it resumes by itself when the paper is in', async () => {
    const { transport } = setup();
    transport.script.status = STATUS.paperOut;
    const worker = engine.worker();
    await engine.until('the printer stopped by its answer', () => engine.status().reasons.includes('media-empty'));
    const job = engine.submit('order 7\n');
    worker.notify();
    await engine.settled(job.id, 'pending', 'media-empty');
    await engine.until('a few more questions', () => transport.statusQueries >= 4);
    expect(engine.status()).toMatchObject({ state: 'stopped', reasons: ['media-empty'] });
    expect(engine.status().lastError).toBe('the printer reports media-empty');
    expect(transport.received().length).toBe(0);
    expect(engine.logged('printer reports a problem; jobs wait until it clears')).toHaveLength(1);

    transport.script.status = STATUS.ready;
    const done = await engine.settled(job.id, 'completed', null);
    expect(done.attempts).toBe(1);
    expect(transport.received().toString()).toBe('order 7\n');
    expect(engine.status()).toMatchObject({ state: 'idle', reasons: [] });
    expect(engine.logged('printer ready again')).toHaveLength(1);
  });

  it('a job that failed for a reason worth retrying is retried until maxAttempts, then aborted with its code', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.failWrites(new DriverError('PRINTER_BUSY', 'the printer is busy with another host'), 3);
    const job = engine.submit('busy\n');
    const worker = engine.worker();
    const aborted = await engine.settled(job.id, 'aborted', 'printer-busy');
    expect(aborted).toMatchObject({ attempts: 3, errorCode: 'PRINTER_BUSY', errorMessage: 'the printer is busy with another host' });
    expect(engine.logged('job will be retried')).toHaveLength(2);
    expect(engine.logged('job aborted')).toHaveLength(1);
    // A retry is the job's fault, not the printer's: the printer stays idle and the next job prints.
    expect(engine.status().state).toBe('idle');
    const next = engine.submit('next\n');
    worker.notify();
    await engine.settled(next.id, 'completed', null);
    expect(transport.received().toString()).toBe('next\n');
  });

  it('a job tried more often than a crashing document may be rendered is still printed: finished renders do not count', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { maxAttempts: 10 } });
    transport.failWrites(new DriverError('PRINTER_BUSY', 'busy'), 5);
    const job = engine.submit('sixth time lucky\n');
    engine.worker();
    const done = await engine.settled(job.id, 'completed', null);
    expect(done).toMatchObject({ attempts: 6, renderAttempts: 0 });
    expect(transport.received().toString()).toBe('sixth time lucky\n');
  });

  it('an error whose action is hold holds the job for a person; the jobs behind it print', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.failWrites(new DriverError('PRINTER_ERROR', 'the printer reported a jam'));
    const first = engine.submit('first\n');
    const second = engine.submit('second\n');
    engine.worker();
    const held = await engine.settled(first.id, 'held', 'printer-error');
    expect(held.errorCode).toBe('PRINTER_ERROR');
    await engine.settled(second.id, 'completed', null);
    expect(transport.received().toString()).toBe('second\n');
    expect(engine.status().state).toBe('idle');
  });
});

describe('PrinterWorker: one connection for jobs that come one by one', () => {
  it('a job queued while a silent printer\'s connection lingers goes on it; its close confirms both', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const worker = engine.worker();
    const a = engine.submit('a\n');
    worker.notify();
    await engine.until('a on the wire', () => transport.received().toString() === 'a\n');
    const b = engine.submit('b\n');
    worker.notify();
    await engine.settled(b.id, 'completed', null);
    expect(engine.job(a.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(transport.connections).toHaveLength(1);
    expect(transport.connections[0]!.state).toBe('finished');
    expect(transport.received().toString()).toBe('a\nb\n');
  });

  it('jobs announced with notify(job) go on the lingering connection without a read of the queue; a wake without a job reads it', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const worker = engine.worker();
    const a = engine.submit('a\n');
    worker.notify(a);
    await engine.until('a on the wire', () => transport.received().toString() === 'a\n');
    let queries = 0;
    const pending = engine.store.pending.bind(engine.store);
    engine.store.pending = (...args) => {
      queries += 1;
      return pending(...args);
    };
    const b = engine.submit('b\n');
    worker.notify(b);
    await engine.until('b on the wire', () => transport.received().toString() === 'a\nb\n');
    expect(queries).toBe(0);
    // Queued by another process (the CLI): the worker is only woken, so the queue is read.
    const c = engine.submit('c\n');
    worker.notify();
    await engine.settled(c.id, 'completed', null);
    expect(queries).toBe(1);
    for (const job of [a, b]) expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null, attempts: 1 });
    expect(transport.connections).toHaveLength(1);
    expect(transport.received().toString()).toBe('a\nb\nc\n');
  });

  it('a job announced while older jobs still wait in the database (a long queue after a restart) goes after them', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    transport.script.holdWrites = true;
    const old = Array.from({ length: 40 }, (_, i) => engine.submit(`old ${i}\n`));
    const worker = engine.worker();
    await engine.until('the first old job on the wire', () => transport.heldWrites === 1);
    const fresh = engine.submit('fresh\n');
    worker.notify(fresh);
    transport.resumeWrites();
    await engine.settled(fresh.id, 'completed', null);
    expect(transport.received().toString()).toBe([...old.map((_, i) => `old ${i}\n`), 'fresh\n'].join(''));
  });

  it('a job canceled after it was announced is not sent', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 1000 } });
    const worker = engine.worker();
    const a = engine.submit('a\n');
    worker.notify(a);
    await engine.until('a on the wire', () => transport.received().toString() === 'a\n');
    const b = engine.submit('b\n');
    engine.store.transition(b, 'canceled', { stateReason: 'canceled-by-user' }, ['pending']);
    worker.notify(b);
    const c = engine.submit('c\n');
    worker.notify(c);
    await engine.settled(c.id, 'completed', null);
    expect(engine.job(b.id)).toMatchObject({ state: 'canceled' });
    expect(transport.received().toString()).toBe('a\nc\n');
  });

  it('100 jobs queued at once: every one prints once, in order, at most 64 on a connection', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { sessionLingerMs: 20 } });
    const worker = engine.worker();
    const jobs = Array.from({ length: 100 }, (_, i) => engine.submit(`job ${i}\n`));
    worker.notify();
    for (const job of jobs) await engine.settled(job.id, 'completed', null);
    expect(transport.received().toString()).toBe(jobs.map((_, i) => `job ${i}\n`).join(''));
    for (const connection of transport.connections) expect(connection.exchanges.length).toBeLessThanOrEqual(64);
    expect(engine.store.countQueued(engine.printer.id)).toBe(0);
  });
});

describe('PrinterWorker: cancel and shutdown', () => {
  it('a cancel while the job is on the wire cuts it short and resets the connection; the next job prints', async () => {
    const { transport, jobs: [job], worker } = await onTheWire({}, ['cancel me\n']);
    const { store } = engine;
    expect(engine.job(job.id).state).toBe('processing');
    store.transition(job.id, 'canceled', { stateReason: 'canceled-by-user' }, ['processing']);
    expect(worker.abortJob(job.id)).toBe(true);
    await engine.until('the cancel logged', () => engine.logged('job canceled while printing').length === 1);
    expect(transport.connections[0]!.state).toBe('abandoned');
    expect(transport.received().length).toBe(0);
    expect(engine.job(job.id)).toMatchObject({ state: 'canceled', stateReason: 'canceled-by-user' });
    transport.script.holdWrites = false;
    const next = engine.submit('next\n');
    worker.notify();
    await engine.settled(next.id, 'completed', null);
    expect(transport.documents().map(String)).toEqual(['next\n']);
    expect(engine.status().state).toBe('idle');
  });

  it('a cancel of a job waiting in the batch behind the one on the wire: it never reaches the printer', async () => {
    const { transport, jobs: [first, second, third], worker } = await onTheWire({}, ['first\n', 'second\n', 'third\n']);
    const { store } = engine;
    expect(engine.job(second.id).state).toBe('processing');
    store.transition(second.id, 'canceled', { stateReason: 'canceled-by-user' }, ['processing']);
    expect(worker.abortJob(second.id)).toBe(false);
    transport.resumeWrites();
    await engine.settled(third.id, 'completed', null);
    expect(engine.job(first.id).state).toBe('completed');
    expect(engine.job(second.id)).toMatchObject({ state: 'canceled', stateReason: 'canceled-by-user' });
    expect(transport.documents().map(String)).toEqual(['first\nthird\n']);
  });

  it('shutdown between two jobs of a batch: the one written completes when the printer closes, the rest go back saying why', async () => {
    const { transport, jobs: [first, second, third], worker } = await onTheWire({ jobs: { inFlightAfterRestart: 'reprint' } }, ['first\n', 'second\n', 'third\n']);
    const stopping = worker.stop(2000);
    transport.resumeWrites();
    await stopping;
    expect(engine.job(first.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(engine.job(second.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown', attempts: 0 });
    expect(engine.job(third.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown', attempts: 0 });
    expect(transport.documents().map(String)).toEqual(['first\n']);
    expect(transport.connections[0]!.state).toBe('finished');
  });

  it('shutdown under reprint: the job on the wire after the grace goes back to the queue, its attempt not counted; the batch behind it too', async () => {
    const { transport, jobs: [first, second], worker } = await onTheWire({ jobs: { inFlightAfterRestart: 'reprint' } }, ['first\n', 'second\n']);
    await worker.stop(5);
    expect(engine.job(first.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown', attempts: 0 });
    expect(engine.job(second.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(transport.connections[0]!.state).toBe('abandoned');
    expect(transport.closed).toBe(true);
    expect(engine.logged('job re-queued on shutdown')).toHaveLength(1);
  });

  it('shutdown under hold: the job on the wire may have printed, so it is held for a person; the one behind it waits', async () => {
    const { jobs: [first, second], worker } = await onTheWire({ jobs: { inFlightAfterRestart: 'hold' } }, ['first\n', 'second\n']);
    await worker.stop(5);
    expect(engine.job(first.id)).toMatchObject({ state: 'held', stateReason: 'held-after-shutdown' });
    expect(engine.job(second.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(engine.logged('job held on shutdown: it may have printed')).toHaveLength(1);
  });

  it('shutdown gives the job on the wire its grace to finish', async () => {
    const { transport, jobs: [job], worker } = await onTheWire({ jobs: { inFlightAfterRestart: 'hold' } }, ['almost done\n']);
    const stopping = worker.stop(2000);
    transport.resumeWrites();
    await stopping;
    expect(engine.job(job.id)).toMatchObject({ state: 'completed', stateReason: null });
    expect(transport.received().toString()).toBe('almost done\n');
  });
});

describe('PrinterWorker: a worker never silently stops', () => {
  it('a loop that throws reports the printer stopped (internal-error), restarts, settles its own jobs and prints them', async () => {
    const { transport } = setup({ statusQuery: false });
    engine.durableFailure = new Error('fdatasync of the WAL failed: EIO');
    const job = engine.submit('survives\n');
    const worker = engine.worker();
    await engine.until('the printer stopped with internal-error', () => engine.status().reasons.includes('internal-error'));
    expect(engine.status()).toMatchObject({ state: 'stopped', lastError: 'fdatasync of the WAL failed: EIO' });
    expect(engine.logged('printer worker failed; it restarts')).toHaveLength(1);
    expect(engine.logged('printer worker failed; it restarts')[0]).toMatchObject({ level: 'error', reason: 'internal-error' });
    // The restart's back-off (about half a second) is cut short by work, as a new job would.
    worker.notify();
    const done = await engine.settled(job.id, 'completed', null);
    // It never left: the failed attempt does not count and it is not called a reprint.
    expect(done.attempts).toBe(1);
    expect(transport.documents().map(String)).toEqual(['survives\n']);
    expect(engine.status()).toMatchObject({ state: 'idle', reasons: [] });
  });

  it('a loop that fails again after it had recovered is reported again at error, with the first back-off', async () => {
    setup({ statusQuery: false });
    engine.durableFailure = new Error('first failure');
    const first = engine.submit('one\n');
    const worker = engine.worker();
    await engine.until('the first failure', () => engine.status().reasons.includes('internal-error'));
    worker.notify();
    await engine.settled(first.id, 'completed', null);
    engine.durableFailure = new Error('second failure, a day later');
    const second = engine.submit('two\n');
    worker.notify();
    await engine.until('the second failure', () => engine.status().lastError === 'second failure, a day later');
    const reports = engine.logged('printer worker failed; it restarts');
    expect(reports.map((entry) => entry.level)).toEqual(['error', 'error']);
    worker.notify();
    await engine.settled(second.id, 'completed', null);
  });
});

describe('PrinterWorker: a printer that stops taking data', () => {
  it('a stalled write stops the printer with reason stalled, the job goes back to the queue, logged once while it stays stalled', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.stall = true;
    const shown: string[] = [];
    engine.registry.onStatusChange((_printer, status) => shown.push(`${status.state}/${status.reasons.join(',')}`));
    const job = engine.submit('stuck\n');
    engine.worker();
    // Its write had begun: a stalled printer may still print what it buffered, so it is sent again and says so.
    await engine.settled(job.id, 'pending', 'resent-after-connection-loss');
    await engine.until('three stalled connections', () => transport.connections.length >= 3);
    expect(shown).toContain('stopped/stalled');
    // Each attempt does not flap the printer through processing and back (a status webhook each):
    // it stays stopped/stalled until a job gets through.
    expect(shown.slice(shown.indexOf('stopped/stalled'))).toEqual(['stopped/stalled']);
    const waits = engine.emitted.filter((event) => event.id === job.id && event.state === 'pending' && event.stateReason === 'resent-after-connection-loss');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (const wait of waits) expect(wait).toMatchObject({ errorCode: 'PRINTER_STALLED', attempts: 0 });
    expect(engine.logged('printer stalled; jobs wait until it takes data')).toHaveLength(1);
    transport.script.stall = false;
    await engine.settled(job.id, 'completed', 'resent-after-connection-loss');
    expect(engine.logged('printer back online')).toHaveLength(1);
    expect(transport.received().toString()).toBe('stuck\n');
  });

  it('under hold a stalled job may have printed in part: it is held, the printer stopped', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { inFlightAfterRestart: 'hold' } });
    transport.script.stall = true;
    const job = engine.submit('stuck\n');
    engine.worker();
    const held = await engine.settled(job.id, 'held', 'stalled');
    expect(held.errorCode).toBe('PRINTER_STALLED');
    await engine.until('the printer stopped/stalled', () => engine.status().reasons.includes('stalled'));
  });
});

describe('PrinterWorker: a full disk is a state', () => {
  /** A job on the wire when the disk fills: writing its end will fail with SQLITE_FULL. */
  async function fullWhileOnTheWire(options: EngineOptions, onStorageFull?: () => void) {
    const { transport, jobs: [job], worker } = await onTheWire(options, ['ticket\n'], onStorageFull ? { onStorageFull } : {});
    engine.fillDisk();
    transport.resumeWrites();
    return { job, worker, transport };
  }

  it('the reserve freed at the first SQLITE_FULL lets a printed job be recorded: printed once, completed', async () => {
    const { job, transport } = await fullWhileOnTheWire({}, () => {
      engine.storageFull += 1;
      engine.freeDisk(); // what the storage guard's reserve file is for
    });
    await engine.settled(job.id, 'completed', null);
    expect(engine.storageFull).toBe(1);
    expect(transport.documents().map(String)).toEqual(['ticket\n']);
    expect(engine.status().state).toBe('idle');
  });

  it('SQLITE_FULL with no room at all: the printer is stopped (storage-full); once room returns the job on the wire is settled by policy and the queue goes on', async () => {
    const { job, worker, transport } = await fullWhileOnTheWire({ jobs: { inFlightAfterRestart: 'reprint' } });
    await engine.until('the printer stopped (storage-full)', () => engine.status().reasons.includes('storage-full'));
    expect(engine.status().state).toBe('stopped');
    expect(engine.storageFull).toBeGreaterThanOrEqual(1);
    expect(engine.logged('the data disk is full: this printer waits until space returns')).toHaveLength(1);
    // Its end could not be written: it is still on the wire as far as the database knows.
    expect(engine.job(job.id)).toMatchObject({ state: 'processing', sentAt: expect.any(String) });
    engine.freeDisk();
    worker.notify(); // cuts the restart back-off short, as new work would
    // Its bytes went out but its end was never recorded: sent again, and it says so.
    await engine.settled(job.id, 'completed', 'reprinted-after-restart');
    expect(transport.documents().map(String)).toEqual(['ticket\n', 'ticket\n']);
    expect(engine.status()).toMatchObject({ state: 'idle', reasons: [] });
  });

  it('under hold, the job whose end a full disk kept from the record is held for a person once room returns', async () => {
    const { job, worker, transport } = await fullWhileOnTheWire({ jobs: { inFlightAfterRestart: 'hold' } });
    await engine.until('the printer stopped (storage-full)', () => engine.status().reasons.includes('storage-full'));
    engine.freeDisk();
    worker.notify();
    await engine.settled(job.id, 'held', 'held-after-restart');
    await engine.until('the printer idle again', () => engine.status().state === 'idle');
    expect(transport.documents().map(String)).toEqual(['ticket\n']);
  });
});
