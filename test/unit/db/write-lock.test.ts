import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WriteLock } from '../../../src/db/write-lock.js';

/**
 * Real threads on one lock: a counter in shared memory is read, the thread yields its core, and
 * the counter is written back — without turns, increments of the other thread are lost.
 */
const COUNTING_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const cell = new Int32Array(workerData.lock);
const counter = new Int32Array(workerData.counter);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < workerData.rounds; i++) {
  while (Atomics.compareExchange(cell, 0, 0, 1) !== 0) Atomics.wait(cell, 0, 1, 50);
  const seen = Atomics.load(counter, 0);
  Atomics.wait(pause, 0, 0, 0.05);
  Atomics.store(counter, 0, seen + 1);
  Atomics.store(cell, 0, 0);
  Atomics.notify(cell, 0, 1);
}
parentPort.postMessage('done');
`;

describe('WriteLock: turns at writing between threads', () => {
  it('one holder at a time: no increment of either thread is lost', async () => {
    const lock = new WriteLock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const rounds = 300;
    const other = new Worker(COUNTING_THREAD, { eval: true, workerData: { lock: lock.buffer, counter: counter.buffer, rounds } });
    const done = new Promise((resolve, reject) => {
      other.once('message', resolve);
      other.once('error', reject);
    });
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < rounds; i += 1) {
      lock.hold(() => {
        const seen = Atomics.load(counter, 0);
        Atomics.wait(pause, 0, 0, 0.05);
        Atomics.store(counter, 0, seen + 1);
      });
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    await other.terminate();
    expect(Atomics.load(counter, 0)).toBe(2 * rounds);
  });

  it('nested holds belong to the outermost; the lock is free after it', () => {
    const lock = new WriteLock();
    const cell = new Int32Array(lock.buffer);
    lock.hold(() => lock.hold(() => expect(cell[0]).toBe(1)));
    expect(cell[0]).toBe(0);
    expect(() => lock.hold(() => { throw new Error('the write failed'); })).toThrow('the write failed');
    expect(cell[0]).toBe(0);
  });

  it('is advisory: a holder that never lets go delays a write by maxWaitMs, never stops it; reset frees it', () => {
    const lock = new WriteLock(new SharedArrayBuffer(4), 30);
    const cell = new Int32Array(lock.buffer);
    Atomics.store(cell, 0, 1); // held by a thread that ended
    let ran = false;
    lock.hold(() => (ran = true));
    expect(ran).toBe(true);
    expect(cell[0]).toBe(1); // not ours: left as it was
    lock.reset();
    lock.hold(() => expect(cell[0]).toBe(1));
    expect(cell[0]).toBe(0);
  });
});
