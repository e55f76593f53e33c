import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeliveryThread } from '../../../src/delivery/delivery-thread.js';
import { CommitFence } from '../../../src/jobs/commit-fence.js';
import { WriteLock } from '../../../src/db/write-lock.js';
import type { Job } from '../../../src/jobs/job-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixturePerTest } from '../jobs/engine-fixture.js';

const fixture = fixturePerTest();

/**
 * A stand-in for delivery-main.js in a real worker thread: it speaks the protocol, says how it was
 * started, and (the first time) throws after it is ready — a thread that dies while printing.
 */
const FAKE_THREAD = `
import { parentPort, workerData } from 'node:worker_threads';
const send = (...messages) => parentPort.postMessage(messages);
send({ type: 'status', printerId: 'till', change: { state: 'idle', reasons: [], lastError: 'cleanSpool=' + workerData.cleanSpool + ' printers=' + workerData.printers.length } },
     { type: 'refusal', printerId: 'till', refusal: workerData.cleanSpool ? { code: 'UNSUPPORTED_URI', message: 'no such transport' } : null },
     { type: 'ready', sameBoot: true });
parentPort.on('message', (batch) => {
  for (const message of batch) {
    if (message.type === 'wake') send({ type: 'job', job: { id: 'job-1', printerId: message.printerId, state: 'completed' } },
                                       { type: 'count', printerId: message.printerId, delta: -1, write: 1 });
    if (message.type === 'status') send({ type: 'status', printerId: message.printerId, change: { lastError: 'echo ' + message.change.lastError } });
    if (message.type === 'remove') send({ type: 'done', ask: message.ask });
    if (message.type === 'stop') { send({ type: 'stopped' }); process.exit(0); }
  }
});
// The first one dies holding the write lock (as a thread cut short mid-commit would).
if (workerData.cleanSpool) setTimeout(() => { Atomics.store(new Int32Array(workerData.writeLock), 0, 1); throw new Error('boom in the delivery thread'); }, 100);
`;

describe('DeliveryThread (the main thread side of jobs.deliveryThread)', () => {
  it('applies what the thread says, and a thread that dies is reported, its printers stopped, and started again', async () => {
    const engine = fixture();
    const entry = path.join(engine.dataDir, 'fake-delivery.mjs');
    writeFileSync(entry, FAKE_THREAD);
    const jobs: Job[] = [];
    engine.events.on((job) => jobs.push(job));
    const storageFull: number[] = [];
    const writeLock = new WriteLock();
    const thread = new DeliveryThread({
      entry, config: engine.config, log: engine.log, registry: engine.registry, jobs: engine.store, fence: new CommitFence(), writeLock, events: engine.events,
      onStorageFull: () => storageFull.push(1), drives: () => true, bootId: 'boot', journal: false,
    });
    expect(await thread.start()).toEqual({ sameBoot: true });
    // Before ready: its status reached the registry, and its refusal is answered synchronously.
    expect(engine.registry.status('till')).toMatchObject({ state: 'idle', lastError: 'cleanSpool=true printers=1' });
    expect(thread.refusal('till')?.code).toBe('UNSUPPORTED_URI');

    // It dies: the printer is stopped with a reason a person can read, the end is logged once.
    await waitFor('the printer stopped', () => engine.registry.status('till').reasons.includes('internal-error'));
    expect(engine.logs.find('delivery thread ended: its printers are stopped until it runs again')).toHaveLength(1);
    // Started again (without cleaning the spool: requests are coming in).
    await waitFor('the thread back', () => engine.registry.status('till').lastError === 'cleanSpool=false printers=1', 5000);
    expect(thread.refusal('till')).toBeNull();
    // The lock the dead thread held was freed for the new one: taken at once, not after the wait.
    expect(new Int32Array(writeLock.buffer)[0]).toBe(0);

    // Jobs and counts come back; a change made here (discovery lost the device) goes there once, not back and forth.
    thread.queued({ printerId: 'till' } as Job);
    await waitFor('the job event', () => jobs.length === 1);
    expect(jobs[0]).toMatchObject({ id: 'job-1', state: 'completed' });
    engine.registry.updateStatus('till', { lastError: 'lost' });
    await waitFor('the echo', () => engine.registry.status('till').lastError === 'echo lost');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(engine.registry.status('till').lastError).toBe('echo lost');

    await thread.removePrinter('till', 0);
    await thread.stop(0);
    expect(engine.logs.find('delivery thread ended: its printers are stopped until it runs again')).toHaveLength(1);
    expect(storageFull).toEqual([]);
  });
});
