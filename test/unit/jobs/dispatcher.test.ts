import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/app-error.js';
import { MemoryTransport } from '../../helpers/memory-transport.js';
import { fixturePerTest, type EngineFixture, type EngineOptions } from './engine-fixture.js';

const newEngine = fixturePerTest();
let engine: EngineFixture;
const setup = (options: EngineOptions = {}): EngineFixture => (engine = newEngine(options));

/** A job as a crash left it: processing, its bytes handed to the printer or not. */
function leftOnTheWire(body: string, sent: boolean): string {
  const job = engine.submit(body);
  const processing = engine.store.transition(job, 'processing', { attemptsDelta: 1 }, ['pending'])!;
  if (sent) engine.store.markSent(processing);
  return job.id;
}

describe('Dispatcher.recover: jobs a crash left on the wire', () => {
  it('same boot: a job whose bytes went out is sent again and says so; one that only waited in its batch goes back as it was', () => {
    setup({ jobs: { inFlightAfterRestart: 'reprint' } });
    engine.store.setStateValue('boot_id', 'boot-1');
    const sent = leftOnTheWire('sent', true);
    const waited = leftOnTheWire('waited', false);
    engine.dispatcher().recover('boot-1');
    expect(engine.job(sent)).toMatchObject({ state: 'pending', stateReason: 'reprinted-after-restart', attempts: 1, sentAt: null });
    expect(engine.job(waited)).toMatchObject({ state: 'pending', stateReason: null, attempts: 0, sentAt: null });
    expect(engine.logged('job was on the wire when the gateway stopped')).toHaveLength(1);
  });

  it('under reprint a job on the wire at more restarts than jobs.maxReprints is held, saying so once at error', () => {
    setup({ jobs: { inFlightAfterRestart: 'reprint', maxReprints: 2 } });
    engine.store.setStateValue('boot_id', 'boot-1');
    const id = leftOnTheWire('never confirmed', true);
    const states: string[] = [];
    for (let restart = 0; restart < 3; restart += 1) {
      engine.dispatcher().recover('boot-1');
      const job = engine.job(id);
      states.push(`${job.state}/${job.stateReason}`);
      if (job.state === 'pending') engine.store.markSent(engine.store.transition(job, 'processing', { attemptsDelta: 1 }, ['pending'])!);
    }
    // Sent three times (the first send and two reprints), then held for a person.
    expect(states).toEqual(['pending/reprinted-after-restart', 'pending/reprinted-after-restart', 'held/held-after-restart']);
    expect(engine.job(id)).toMatchObject({ attempts: 3, reprints: 2 });
    expect(engine.logged('job held: it was on the wire at more restarts than jobs.maxReprints; release it once the printer is checked')).toHaveLength(1);
  });

  it('counts only resends after restarts against jobs.maxReprints: attempts that failed before a byte went out are not reprints', () => {
    setup({ jobs: { inFlightAfterRestart: 'reprint', maxReprints: 1 } });
    engine.store.setStateValue('boot_id', 'boot-1');
    const job = engine.submit('a flaky printer');
    // Four attempts that timed out before the printer took a byte (each back to the queue), then one on the wire at a crash.
    let current = job;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const processing = engine.store.transition(current, 'processing', { attemptsDelta: 1 }, ['pending'])!;
      current = engine.store.transition(processing, 'pending', { stateReason: 'printer-timeout' }, ['processing'])!;
    }
    engine.store.markSent(engine.store.transition(current, 'processing', { attemptsDelta: 1 }, ['pending'])!);
    engine.dispatcher().recover('boot-1');
    expect(engine.job(job.id)).toMatchObject({ state: 'pending', stateReason: 'reprinted-after-restart', attempts: 5, reprints: 1 });
    // On the wire at the next restart too: its one reprint is used up, so it is held for a person.
    engine.store.markSent(engine.store.transition(engine.job(job.id), 'processing', { attemptsDelta: 1 }, ['pending'])!);
    engine.dispatcher().recover('boot-1');
    expect(engine.job(job.id)).toMatchObject({ state: 'held', stateReason: 'held-after-restart', reprints: 1 });
  });

  it('under hold the job whose bytes went out is held for a person', () => {
    setup({ jobs: { inFlightAfterRestart: 'hold' } });
    engine.store.setStateValue('boot_id', 'boot-1');
    const sent = leftOnTheWire('sent', true);
    const waited = leftOnTheWire('waited', false);
    engine.dispatcher().recover('boot-1');
    expect(engine.job(sent)).toMatchObject({ state: 'held', stateReason: 'held-after-restart' });
    expect(engine.job(waited)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('after a reboot (another boot id, or none known) the unsynced note may be lost: every job left processing counts as on the wire', () => {
    setup({ jobs: { inFlightAfterRestart: 'hold' } });
    engine.store.setStateValue('boot_id', 'boot-1');
    const waited = leftOnTheWire('waited', false);
    engine.dispatcher().recover('boot-2');
    expect(engine.job(waited)).toMatchObject({ state: 'held', stateReason: 'held-after-restart' });
    expect(engine.store.stateValue('boot_id')).toBe('boot-2');
  });

  it('removes spooled documents no job refers to (a crash between spooling and committing)', () => {
    setup();
    const orphan = path.join(engine.spool.dir, 'orphan.doc');
    writeFileSync(orphan, 'half a request');
    engine.dispatcher().recover(null);
    expect(existsSync(orphan)).toBe(false);
    expect(engine.logged('removed spooled documents of requests a crash cut short')).toHaveLength(1);
  });

  it('a full disk at start does not stop the start: the storage guard is told, the printers settle their own jobs once there is room', async () => {
    const { transport } = setup({ statusQuery: false, jobs: { inFlightAfterRestart: 'reprint' } });
    engine.store.setStateValue('boot_id', 'boot-1');
    // Not noted as sent, but the machine rebooted since: it counts as on the wire and grows by its stateReason.
    const sent = leftOnTheWire('sent before the crash\n', false);
    engine.fillDisk();
    const dispatcher = engine.dispatcher();
    expect(() => dispatcher.recover('boot-2')).not.toThrow();
    expect(engine.storageFull).toBe(1);
    expect(engine.logged('the disk is full: jobs left on the wire are settled by their printers as soon as there is room')).toHaveLength(1);
    expect(engine.job(sent).state).toBe('processing');
    engine.freeDisk();
    dispatcher.start();
    // The worker settles it as after a crash (a reboot: not trusted as same boot) and prints it.
    await engine.settled(sent, 'completed', 'reprinted-after-restart');
    expect(transport.received().toString()).toBe('sent before the crash\n');
  });
});

describe('Dispatcher: one worker per printer', () => {
  it('starts a worker for every printer; jobs of each printer go to its own transport, in order', async () => {
    setup({ statusQuery: false, morePrinters: [{ name: 'Kitchen', group: 'shop', uri: 'memory://kitchen' }] });
    const kitchen = new MemoryTransport({ uri: 'memory://kitchen' });
    const dispatcher = engine.dispatcher({ openTransport: (printer) => (printer.id === 'kitchen' ? kitchen : engine.transport) });
    dispatcher.recover(null);
    dispatcher.start();
    const till = ['t1\n', 't2\n'].map((body) => engine.submit(body));
    const back = ['k1\n', 'k2\n'].map((body) => engine.submit(body, { printerId: 'kitchen' }));
    for (const job of [...till, ...back]) dispatcher.queued(job);
    for (const job of [...till, ...back]) await engine.settled(job.id, 'completed');
    expect(engine.transport.received().toString()).toBe('t1\nt2\n');
    expect(kitchen.received().toString()).toBe('k1\nk2\n');
  });

  it('a printer that cannot be driven is refused with its catalogue error and shown stopped (configuration-error); the others run', async () => {
    setup({ statusQuery: false, morePrinters: [{ name: 'Broken', group: 'shop', uri: 'nonsense://x' }] });
    const dispatcher = engine.dispatcher({
      openTransport: (printer) => {
        if (printer.id === 'broken') throw new AppError('UNSUPPORTED_URI', 'printer broken: no transport for "nonsense:"');
        return engine.transport;
      },
    });
    dispatcher.start();
    expect(dispatcher.refusal('broken')).toMatchObject({ code: 'UNSUPPORTED_URI', message: 'printer broken: no transport for "nonsense:"' });
    expect(dispatcher.refusal('till')).toBeNull();
    expect(engine.registry.status('broken')).toMatchObject({ state: 'stopped', reasons: ['configuration-error'], lastError: 'printer broken: no transport for "nonsense:"' });
    expect(engine.logged('printer cannot be driven')).toHaveLength(1);
    const job = engine.submit('still prints\n');
    dispatcher.queued(job);
    await engine.settled(job.id, 'completed');
  });

  it('a language that is not built is a refusal too; an error without a code becomes UNSUPPORTED_URI', () => {
    setup();
    const dispatcher = engine.dispatcher({
      languageOf: () => {
        throw new Error('no such language');
      },
    });
    dispatcher.start();
    expect(dispatcher.refusal('till')).toMatchObject({ code: 'UNSUPPORTED_URI' });
    expect(dispatcher.refusal('till')!.message).toContain('no such language');
  });

  it('a canceled job on the wire is cut short through the engine; a printer removed gives its job the grace, then re-queues it', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.holdWrites = true;
    const dispatcher = engine.dispatcher();
    dispatcher.start();
    const canceled = engine.submit('cancel me\n');
    dispatcher.queued(canceled);
    await engine.until('the job on the wire', () => transport.heldWrites === 1);
    dispatcher.canceled(engine.store.transition(canceled.id, 'canceled', { stateReason: 'canceled-by-user' }, ['processing'])!);
    await engine.until('the cut-off logged', () => engine.logged('job canceled while printing').length === 1);

    const requeued = engine.submit('requeued\n');
    dispatcher.queued(requeued);
    await engine.until('the next job on the wire', () => transport.heldWrites === 1);
    await dispatcher.removePrinter('till', 5);
    expect(engine.job(requeued.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown', attempts: 0 });
    // A removed printer has no worker: queued() and wake() do nothing.
    dispatcher.queued(requeued);
    dispatcher.wake('till');
    dispatcher.wakeAll();
    expect(engine.job(requeued.id).state).toBe('pending');
    // Added again, it takes its queue up.
    transport.script.holdWrites = false;
    dispatcher.addPrinter(engine.printer);
    await engine.settled(requeued.id, 'completed');
  });

  it('wakeAll makes every worker look at its queue again (a job queued by another process)', async () => {
    setup({ statusQuery: false });
    const dispatcher = engine.dispatcher();
    dispatcher.start();
    // The CLI's process inserted it: nobody called queued().
    const job = engine.submit('from the CLI\n');
    dispatcher.wakeAll();
    await engine.settled(job.id, 'completed');
  });

  it('stop waits for the job on the wire up to the grace and re-queues it', async () => {
    const { transport } = setup({ statusQuery: false });
    transport.script.holdWrites = true;
    const dispatcher = engine.dispatcher();
    dispatcher.start();
    const job = engine.submit('on the wire\n');
    dispatcher.queued(job);
    await engine.until('the job on the wire', () => transport.heldWrites === 1);
    await dispatcher.stop(5);
    expect(engine.job(job.id)).toMatchObject({ state: 'pending', stateReason: 'requeued-on-shutdown' });
    expect(transport.closed).toBe(true);
  });
});
